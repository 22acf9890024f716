package server

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func envLookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want func(*Config)
	}{
		{name: "defaults", env: nil, want: func(*Config) {}},
		{name: "empty values keep defaults", env: map[string]string{"PORT": "", "MAX_CONNECTIONS": "  "}, want: func(*Config) {}},
		{name: "all set", env: map[string]string{
			"PORT": "9090", "WS_READ_LIMIT": "1024", "MAX_CONNECTIONS": "5",
			"ALLOWED_ORIGINS":  "https://App.example.com, http://localhost:3000,",
			"SHUTDOWN_TIMEOUT": "10s", "DRAIN_DELAY": "2s",
		}, want: func(c *Config) {
			c.Port = 9090
			c.ReadLimit = 1024
			c.MaxConnections = 5
			c.AllowedOrigins = []string{"https://app.example.com", "http://localhost:3000"}
			c.ShutdownTimeout = 10 * time.Second
			c.DrainDelay = 2 * time.Second
		}},
		{name: "padded port", env: map[string]string{"PORT": " 8081 "}, want: func(c *Config) { c.Port = 8081 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ConfigFromEnv(envLookup(tt.env))
			if err != nil {
				t.Fatalf("ConfigFromEnv: %v", err)
			}
			want := DefaultConfig()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestConfigFromEnvErrors(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want []string // substrings of the error
	}{
		{map[string]string{"PORT": "abc"}, []string{`PORT="abc"`, "1 to 65535"}},
		{map[string]string{"PORT": "0"}, []string{`PORT="0"`}},
		{map[string]string{"PORT": "65536"}, []string{`PORT="65536"`}},
		{map[string]string{"PORT": "-1"}, []string{`PORT="-1"`}},
		{map[string]string{"PORT": "80.5"}, []string{`PORT="80.5"`}},
		{map[string]string{"WS_READ_LIMIT": "64KiB"}, []string{`WS_READ_LIMIT="64KiB"`}},
		{map[string]string{"WS_READ_LIMIT": "0"}, []string{`WS_READ_LIMIT="0"`}},
		{map[string]string{"MAX_CONNECTIONS": "-5"}, []string{`MAX_CONNECTIONS="-5"`}},
		{map[string]string{"MAX_CONNECTIONS": "lots"}, []string{`MAX_CONNECTIONS="lots"`}},
		{map[string]string{"SHUTDOWN_TIMEOUT": "25"}, []string{`SHUTDOWN_TIMEOUT="25"`, "25s"}},
		{map[string]string{"SHUTDOWN_TIMEOUT": "0s"}, []string{`SHUTDOWN_TIMEOUT="0s"`}},
		{map[string]string{"DRAIN_DELAY": "-1s"}, []string{`DRAIN_DELAY="-1s"`}},
		{map[string]string{"DRAIN_DELAY": "30s"}, []string{"DRAIN_DELAY=30s", "below SHUTDOWN_TIMEOUT=25s"}},
		{map[string]string{"ALLOWED_ORIGINS": "*"}, []string{`ALLOWED_ORIGINS="*"`, `entry "*"`}},
		{map[string]string{"ALLOWED_ORIGINS": "example.com"}, []string{`entry "example.com"`, "scheme"}},
		{map[string]string{"ALLOWED_ORIGINS": "https://example.com/app"}, []string{"no path"}},
		{map[string]string{"ALLOWED_ORIGINS": "https://u:p@example.com"}, []string{"scheme://host"}},
		{map[string]string{"ALLOWED_ORIGINS": "ws://example.com"}, []string{"scheme"}},
		{map[string]string{"ALLOWED_ORIGINS": ", ,"}, []string{"no origins"}},
		{map[string]string{"PORT": "x", "MAX_CONNECTIONS": "y"}, []string{"PORT=", "MAX_CONNECTIONS="}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.want, " "), func(t *testing.T) {
			_, err := ConfigFromEnv(envLookup(tt.env))
			if err == nil {
				t.Fatalf("ConfigFromEnv(%v) succeeded, want an error", tt.env)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig invalid: %v", err)
	}
	if err := testConfig().Validate(); err != nil {
		t.Fatalf("testConfig invalid: %v", err)
	}
	tests := []struct {
		mutate func(*Config)
		want   string
	}{
		{func(c *Config) { c.PingInterval = 0 }, "ping interval"},
		{func(c *Config) { c.PongTimeout = -time.Second }, "pong timeout"},
		{func(c *Config) { c.SendQueue = 0 }, "send queue"},
		{func(c *Config) { c.ReadLimit = 0 }, "read limit"},
		{func(c *Config) { c.MaxHeaderBytes = 0 }, "max header bytes"},
		{func(c *Config) { c.Port = 70000 }, "port 70000"},
	}
	for _, tt := range tests {
		c := DefaultConfig()
		tt.mutate(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Validate() = %v, want error about %s", err, tt.want)
		}
	}
}

func TestAddr(t *testing.T) {
	c := DefaultConfig()
	if got := c.Addr(); got != ":8080" {
		t.Errorf("Addr() = %q, want :8080", got)
	}
}

// FuzzConfigFromEnv feeds arbitrary values: ConfigFromEnv must not panic, and
// whatever it accepts must validate and keep values in range.
func FuzzConfigFromEnv(f *testing.F) {
	f.Add("8080", "65536", "10000", "https://a.example,http://b:1", "25s", "0")
	f.Add("abc", "-1", "0", "*", "25", "-1s")
	f.Add("", "", "", "%zz", "1ns", "1h")
	f.Fuzz(func(t *testing.T, port, limit, maxConns, origins, timeout, drain string) {
		env := map[string]string{"PORT": port, "WS_READ_LIMIT": limit, "MAX_CONNECTIONS": maxConns,
			"ALLOWED_ORIGINS": origins, "SHUTDOWN_TIMEOUT": timeout, "DRAIN_DELAY": drain}
		c, err := ConfigFromEnv(envLookup(env))
		if err != nil {
			if !strings.Contains(err.Error(), "=") {
				t.Errorf("error %q names no variable", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Errorf("accepted config fails Validate: %v", err)
		}
		if c.Port < 1 || c.Port > 65535 {
			t.Errorf("accepted port %d", c.Port)
		}
		for _, o := range c.AllowedOrigins {
			if _, err := normalizeOrigin(o); err != nil {
				t.Errorf("accepted origin %q does not normalize: %v", o, err)
			}
		}
	})
}

// FuzzOriginAllowed: the check never panics, and an accepted Origin is a
// plain scheme://host[:port] whose host is the request's Host or which the
// allow list names.
func FuzzOriginAllowed(f *testing.F) {
	f.Add("http://example.com", "example.com")
	f.Add("https://EXAMPLE.com:443", "example.com:443")
	f.Add("null", "example.com")
	f.Add("http://[::1]:80", "[::1]:80")
	f.Add("https://app.example.com", "other")
	f.Fuzz(func(t *testing.T, origin, host string) {
		allowed := []string{"https://app.example.com"}
		r := &http.Request{Host: host, Header: http.Header{"Origin": {origin}}}
		if !originAllowed(r, allowed) {
			return
		}
		u, err := url.Parse(origin)
		if err != nil || u.Path+u.RawQuery+u.Fragment != "" && u.Path != "/" || u.User != nil {
			t.Fatalf("accepted Origin %q, which is not scheme://host[:port]", origin)
		}
		if !strings.EqualFold(u.Host, host) && strings.ToLower(u.Scheme+"://"+u.Host) != allowed[0] {
			t.Errorf("accepted Origin %q for Host %q", origin, host)
		}
	})
}
