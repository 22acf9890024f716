package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// ErrCredentials marks a failure to obtain credentials (for example an
// expired AWS SSO session behind the ECR keychain), as opposed to a
// registry refusing them.
var ErrCredentials = errors.New("resolving registry credentials")

// Defaults used when the corresponding Options field is zero.
const (
	DefaultTimeout = 30 * time.Second
	DefaultRetries = 4
)

// Options configure registry access. The zero value is usable: docker
// config credentials, HTTPS only (plain HTTP for loopback hosts), 30 s
// timeouts and 4 retries.
type Options struct {
	// Insecure lists registry hosts (host or host:port) that may be reached
	// over plain HTTP. Loopback hosts are always allowed.
	Insecure []string
	// Keychain resolves credentials. Nil means DefaultKeychain(ExtraKeychains...).
	Keychain authn.Keychain
	// ExtraKeychains are consulted before the docker config when Keychain
	// is nil; this is where cloud keychains (ECR) plug in.
	ExtraKeychains []authn.Keychain
	// Transport is the innermost round tripper; nil means a clone of
	// http.DefaultTransport with the timeouts below.
	Transport http.RoundTripper
	// Timeout bounds connecting, the TLS handshake and waiting for response
	// headers of each attempt (not the streaming of a body).
	Timeout time.Duration
	// Retries is how many times a failed idempotent request is retried;
	// negative disables retries, zero means DefaultRetries.
	Retries int
	// UserAgent is sent with every request when set.
	UserAgent string
	// Logger receives debug logs of requests (Authorization redacted).
	Logger *slog.Logger
	// Stall bounds how slowly a response body may arrive.
	Stall StallLimits
	// Counter, when set, counts requests and bytes received.
	Counter *Counter
	// sleep replaces time-based waiting in tests of the retry loop.
	sleep func(ctx context.Context, d time.Duration) error
}

func (o Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}

func (o Options) retries() int {
	switch {
	case o.Retries < 0:
		return 0
	case o.Retries == 0:
		return DefaultRetries
	}
	return o.Retries
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// keychain returns the keychain credentials are resolved with.
func (o Options) keychain() authn.Keychain {
	if o.Keychain != nil {
		return o.Keychain
	}
	return DefaultKeychain(o.ExtraKeychains...)
}

// DefaultKeychain consults the extra keychains in order (for example the
// ECR keychain), then the docker config file and its credential helpers.
func DefaultKeychain(extra ...authn.Keychain) authn.Keychain {
	chains := append(append([]authn.Keychain{}, extra...), authn.DefaultKeychain)
	return authn.NewMultiKeychain(chains...)
}

// IsLoopback reports whether host (with or without a port) is a loopback
// name or address.
func IsLoopback(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.Trim(h, "[]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// AllowsPlainHTTP reports whether host may be reached over plain HTTP.
func (o Options) AllowsPlainHTTP(host string) bool {
	if IsLoopback(host) {
		return true
	}
	bare := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		bare = hh
	}
	for _, h := range o.Insecure {
		if strings.EqualFold(h, host) || strings.EqualFold(h, bare) {
			return true
		}
	}
	return false
}

// NameOptions returns the go-containerregistry name options for parsing ref:
// name.Insecure when its registry may be reached over plain HTTP.
func (o Options) NameOptions(ref string) []name.Option {
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil
	}
	if o.AllowsPlainHTTP(r.Context().RegistryStr()) {
		return []name.Option{name.Insecure}
	}
	return nil
}

// ParseReference parses a registry reference with NameOptions applied.
func (o Options) ParseReference(ref string) (name.Reference, error) {
	r, err := name.ParseReference(ref, o.NameOptions(ref)...)
	if err != nil {
		return nil, fmt.Errorf("parsing image reference %q: %w", ref, err)
	}
	return r, nil
}

// HTTPTransport returns the unauthenticated transport stack described in
// the package documentation.
func (o Options) HTTPTransport() http.RoundTripper {
	base := o.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSHandshakeTimeout = o.timeout()
		t.ResponseHeaderTimeout = o.timeout()
		t.DialContext = (&net.Dialer{Timeout: o.timeout(), KeepAlive: 30 * time.Second}).DialContext
		base = t
	}
	var rt http.RoundTripper = &stallTransport{inner: base, limits: o.Stall.withDefaults()}
	if o.Counter != nil {
		rt = &countingTransport{inner: rt, counter: o.Counter}
	}
	rt = &insecurePolicy{inner: rt, allow: o.AllowsPlainHTTP}
	rt = &logTransport{inner: rt, log: o.logger()}
	rt = &retryTransport{inner: rt, attempts: o.retries() + 1, log: o.logger(), sleep: o.sleep}
	if o.UserAgent != "" {
		rt = transport.NewUserAgent(rt, o.UserAgent)
	}
	return rt
}

// RemoteOptions returns go-containerregistry remote options using this
// transport stack and keychain. go-containerregistry's own retries are
// turned off because the stack already retries.
func (o Options) RemoteOptions(ctx context.Context) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithTransport(o.HTTPTransport()),
		remote.WithAuthFromKeychain(o.keychain()),
		remote.WithRetryBackoff(remote.Backoff{Steps: 1}),
		remote.WithRetryPredicate(func(error) bool { return false }),
		remote.WithRetryStatusCodes(),
	}
}

// RepositoryTransport returns a transport authenticated for pulling from
// repo, for direct HTTP requests (such as ranged blob reads) that
// go-containerregistry does not offer.
func (o Options) RepositoryTransport(ctx context.Context, repo name.Repository) (http.RoundTripper, error) {
	auth, err := authn.Resolve(ctx, o.keychain(), repo)
	if err != nil {
		return nil, fmt.Errorf("%w for %s: %w", ErrCredentials, repo.RegistryStr(), err)
	}
	rt, err := transport.NewWithContext(ctx, repo.Registry, auth, o.HTTPTransport(), []string{repo.Scope(transport.PullScope)})
	if err != nil {
		return nil, fmt.Errorf("authenticating to %s: %w", repo.RegistryStr(), err)
	}
	return rt, nil
}

// insecurePolicy refuses plain HTTP to hosts that were not allowed, so an
// RFC 1918 address is never silently reached without TLS.
type insecurePolicy struct {
	inner http.RoundTripper
	allow func(host string) bool
}

func (p *insecurePolicy) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !p.allow(req.URL.Host) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &PlainHTTPError{Host: req.URL.Host}
	}
	return p.inner.RoundTrip(req)
}

// PlainHTTPError is the refusal to reach a registry host over plain HTTP
// that Options.Insecure does not list. Programs tell their users how to
// allow the host.
type PlainHTTPError struct{ Host string }

func (e *PlainHTTPError) Error() string {
	return fmt.Sprintf("plain HTTP to %s is not allowed: the host is not a loopback address and not listed as insecure", e.Host)
}
