package server

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is everything the server can be tuned with. ConfigFromEnv fills it
// from the environment; tests build it directly to use millisecond timings.
type Config struct {
	// Port is the TCP port to listen on (PORT).
	Port int
	// ReadLimit is the largest WebSocket message accepted, in bytes
	// (WS_READ_LIMIT). Larger messages close the socket with 1009.
	ReadLimit int64
	// MaxConnections caps concurrent WebSocket connections (MAX_CONNECTIONS);
	// upgrades beyond it are answered 503.
	MaxConnections int
	// AllowedOrigins widens the same-origin check (ALLOWED_ORIGINS), each
	// entry a lower-case "scheme://host[:port]".
	AllowedOrigins []string
	// ShutdownTimeout bounds the whole graceful stop (SHUTDOWN_TIMEOUT). It
	// must stay below the ECS stopTimeout (30 s default), after which the
	// task gets SIGKILL.
	ShutdownTimeout time.Duration
	// DrainDelay keeps serving with /readyz at 503 before shutting down
	// (DRAIN_DELAY), so a load balancer can notice first.
	DrainDelay time.Duration

	// PingInterval is how often the server pings each WebSocket client. An
	// ALB closes connections idle for 60 s by default, so keep it below that.
	PingInterval time.Duration
	// PongTimeout is how long after a due pong the server waits before it
	// gives a silent client up.
	PongTimeout time.Duration
	// WriteTimeout bounds each WebSocket write and the close handshake.
	WriteTimeout time.Duration
	// SendQueue is the per-connection buffer of outgoing messages; a client
	// that lets it fill up is disconnected rather than slowing others down.
	SendQueue int

	ReadHeaderTimeout time.Duration
	// IdleTimeout is above the ALB's 60 s idle timeout, as AWS recommends,
	// so the balancer, not the server, closes idle keep-alive connections.
	IdleTimeout    time.Duration
	MaxHeaderBytes int
}

// DefaultConfig returns the production defaults.
func DefaultConfig() Config {
	return Config{
		Port:              8080,
		ReadLimit:         64 << 10,
		MaxConnections:    10000,
		ShutdownTimeout:   25 * time.Second,
		PingInterval:      30 * time.Second,
		PongTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		SendQueue:         64,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       75 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// Addr is the listen address for Port on every interface.
func (c Config) Addr() string {
	return net.JoinHostPort("", strconv.Itoa(c.Port))
}

// ConfigFromEnv reads the environment through lookup (os.LookupEnv in
// production) on top of DefaultConfig. Every bad variable is reported, each
// error naming the variable and its value.
func ConfigFromEnv(lookup func(string) (string, bool)) (Config, error) {
	c := DefaultConfig()
	var errs []error
	get := func(name string) (string, bool) {
		v, ok := lookup(name)
		return strings.TrimSpace(v), ok && strings.TrimSpace(v) != ""
	}
	if v, ok := get("PORT"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			errs = append(errs, fmt.Errorf("PORT=%q: want a TCP port number from 1 to 65535", v))
		}
		c.Port = n
	}
	if v, ok := get("WS_READ_LIMIT"); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > 1<<30 {
			errs = append(errs, fmt.Errorf("WS_READ_LIMIT=%q: want a size in bytes from 1 to 1073741824", v))
		}
		c.ReadLimit = n
	}
	if v, ok := get("MAX_CONNECTIONS"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("MAX_CONNECTIONS=%q: want a positive whole number", v))
		}
		c.MaxConnections = n
	}
	if v, ok := get("ALLOWED_ORIGINS"); ok {
		origins, err := parseOrigins(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("ALLOWED_ORIGINS=%q: %w", v, err))
		}
		c.AllowedOrigins = origins
	}
	if v, ok := get("SHUTDOWN_TIMEOUT"); ok {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("SHUTDOWN_TIMEOUT=%q: want a positive Go duration such as 25s", v))
		}
		c.ShutdownTimeout = d
	}
	if v, ok := get("DRAIN_DELAY"); ok {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("DRAIN_DELAY=%q: want a Go duration such as 5s, or 0", v))
		}
		c.DrainDelay = d
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks the relations between fields that single values cannot.
func (c Config) Validate() error {
	var errs []error
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d out of range", c.Port))
	}
	if c.ReadLimit < 1 {
		errs = append(errs, fmt.Errorf("read limit %d must be positive", c.ReadLimit))
	}
	if c.MaxConnections < 1 {
		errs = append(errs, fmt.Errorf("max connections %d must be positive", c.MaxConnections))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("shutdown timeout %s must be positive", c.ShutdownTimeout))
	}
	if c.DrainDelay < 0 || c.DrainDelay >= c.ShutdownTimeout {
		errs = append(errs, fmt.Errorf("DRAIN_DELAY=%s must be at least 0 and below SHUTDOWN_TIMEOUT=%s", c.DrainDelay, c.ShutdownTimeout))
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{
		{"ping interval", c.PingInterval}, {"pong timeout", c.PongTimeout},
		{"write timeout", c.WriteTimeout}, {"read header timeout", c.ReadHeaderTimeout},
		{"idle timeout", c.IdleTimeout},
	} {
		if d.d <= 0 {
			errs = append(errs, fmt.Errorf("%s %s must be positive", d.name, d.d))
		}
	}
	if c.SendQueue < 1 {
		errs = append(errs, fmt.Errorf("send queue %d must be positive", c.SendQueue))
	}
	if c.MaxHeaderBytes < 1 {
		errs = append(errs, fmt.Errorf("max header bytes %d must be positive", c.MaxHeaderBytes))
	}
	return errors.Join(errs...)
}

// parseOrigins turns "https://a.example, http://localhost:3000" into
// normalized origins. Only scheme and host are allowed: an origin has no path.
func parseOrigins(list string) ([]string, error) {
	var out []string
	for raw := range strings.SplitSeq(list, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		o, err := normalizeOrigin(raw)
		if err != nil {
			return nil, fmt.Errorf("entry %q: %w", raw, err)
		}
		out = append(out, o)
	}
	if len(out) == 0 {
		return nil, errors.New("no origins in list")
	}
	return out, nil
}

// normalizeOrigin validates an origin such as "https://app.example.com:8443"
// and returns it lower-cased.
func normalizeOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("not a URL: %w", err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", errors.New(`want scheme "http" or "https", as in https://app.example.com`)
	}
	if u.Host == "" || u.User != nil || u.Opaque != "" {
		return "", errors.New("want scheme://host[:port]")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", errors.New("an origin has no path, query or fragment")
	}
	if strings.ContainsAny(u.Host, " \t,") {
		return "", errors.New("host contains a space or comma")
	}
	return scheme + "://" + strings.ToLower(u.Host), nil
}
