package registry

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// noSleep records requested delays instead of waiting.
func noSleep(delays *[]time.Duration) func(context.Context, time.Duration) error {
	return func(_ context.Context, d time.Duration) error {
		*delays = append(*delays, d)
		return nil
	}
}

func TestRetryTransport(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		failures   []int // statuses before success; 0 = connection reset
		retryAfter string
		retries    int
		wantStatus int
		wantCalls  int32
		wantDelay  time.Duration // exact delay expected for the first retry, when > 0
	}{
		{name: "429 honours Retry-After", method: "GET", failures: []int{429}, retryAfter: "3", wantStatus: 200, wantCalls: 2, wantDelay: 3 * time.Second},
		{name: "503 then 502 then ok", method: "GET", failures: []int{503, 502}, wantStatus: 200, wantCalls: 3},
		{name: "500 on HEAD", method: "HEAD", failures: []int{500}, wantStatus: 200, wantCalls: 2},
		{name: "connection reset", method: "GET", failures: []int{0}, wantStatus: 200, wantCalls: 2},
		{name: "bounded attempts", method: "GET", failures: []int{500, 500, 500, 500}, retries: 2, wantStatus: 500, wantCalls: 3},
		{name: "POST is not retried", method: "POST", failures: []int{503}, wantStatus: 503, wantCalls: 1},
		{name: "404 is not retried", method: "GET", failures: []int{404}, wantStatus: 404, wantCalls: 1},
		{name: "retries disabled", method: "GET", failures: []int{500}, retries: -1, wantStatus: 500, wantCalls: 1},
		{name: "Retry-After too long", method: "GET", failures: []int{429}, retryAfter: "3600", wantStatus: 429, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(calls.Add(1))
				if n <= len(tt.failures) {
					st := tt.failures[n-1]
					if st == 0 {
						conn, _, _ := w.(http.Hijacker).Hijack()
						conn.(*net.TCPConn).SetLinger(0)
						conn.Close()
						return
					}
					if tt.retryAfter != "" {
						w.Header().Set("Retry-After", tt.retryAfter)
					}
					w.WriteHeader(st)
					return
				}
				io.WriteString(w, "ok")
			}))
			defer srv.Close()
			var delays []time.Duration
			counter := &Counter{}
			o := Options{Retries: tt.retries, sleep: noSleep(&delays), Counter: counter}
			req, _ := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+"/v2/", nil)
			resp, err := (&http.Client{Transport: o.HTTPTransport()}).Do(req)
			if err != nil {
				t.Fatalf("request: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := calls.Load(); got != tt.wantCalls {
				t.Errorf("server saw %d requests, want %d", got, tt.wantCalls)
			}
			if counter.Requests() < int64(tt.wantCalls) {
				t.Errorf("counter saw %d requests, want >= %d", counter.Requests(), tt.wantCalls)
			}
			if tt.wantDelay > 0 && (len(delays) == 0 || delays[0] != tt.wantDelay) {
				t.Errorf("delays = %v, want first %v", delays, tt.wantDelay)
			}
			for _, d := range delays {
				if d <= 0 || d > maxRetryAfter {
					t.Errorf("delay %v out of bounds", d)
				}
			}
		})
	}
}

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	for attempt := 1; attempt <= 12; attempt++ {
		full := min(baseDelay<<min(attempt-1, 10), maxDelay)
		for range 50 {
			d := backoff(attempt)
			if d < full/2 || d >= full {
				t.Fatalf("attempt %d: delay %v outside [%v, %v)", attempt, d, full/2, full)
			}
		}
	}
}

func TestRetryAfterParsing(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"5", 5 * time.Second}, {"-1", 0}, {"soon", 0},
		{time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.in); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	future := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
	if got := retryAfter(future); got <= 20*time.Second || got > 31*time.Second {
		t.Errorf("retryAfter(date +30s) = %v", got)
	}
}

func TestInsecurePolicy(t *testing.T) {
	tests := []struct {
		host     string
		insecure []string
		want     bool
	}{
		{"127.0.0.1:5000", nil, true},
		{"localhost:5000", nil, true},
		{"[::1]:5000", nil, true},
		{"10.0.0.5:5000", nil, false},
		{"192.168.1.2", nil, false},
		{"registry.internal:5000", []string{"registry.internal"}, true},
		{"registry.internal:5000", []string{"registry.internal:5000"}, true},
		{"registry.internal:5001", []string{"registry.internal:5000"}, false},
		{"example.com", nil, false},
	}
	for _, tt := range tests {
		o := Options{Insecure: tt.insecure}
		if got := o.AllowsPlainHTTP(tt.host); got != tt.want {
			t.Errorf("AllowsPlainHTTP(%q, %v) = %v, want %v", tt.host, tt.insecure, got, tt.want)
		}
	}
	// The transport refuses plain HTTP to a host that is not allowed,
	// before any byte leaves the machine.
	var called atomic.Bool
	o := Options{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		called.Store(true)
		return nil, errors.New("should not be reached")
	})}
	req, _ := http.NewRequest("GET", "http://10.1.2.3:5000/v2/", nil)
	_, err := o.HTTPTransport().RoundTrip(req)
	var refused *PlainHTTPError
	if !errors.As(err, &refused) || refused.Host != "10.1.2.3:5000" || called.Load() {
		t.Errorf("plain HTTP to private host: err=%v called=%v", err, called.Load())
	}
}

func TestNameOptions(t *testing.T) {
	o := Options{Insecure: []string{"reg.example:5000"}}
	tests := []struct {
		ref        string
		wantScheme string
	}{
		{"reg.example:5000/app:1", "http"},
		{"127.0.0.1:5000/app:1", "http"},
		{"ghcr.io/app:1", "https"},
	}
	for _, tt := range tests {
		r, err := o.ParseReference(tt.ref)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Context().Scheme(); got != tt.wantScheme {
			t.Errorf("%s: scheme %s, want %s", tt.ref, got, tt.wantScheme)
		}
	}
	if _, err := o.ParseReference("UPPER/Case:tag"); err == nil || !strings.Contains(err.Error(), "UPPER/Case") {
		t.Errorf("bad reference error should name it: %v", err)
	}
}

func TestDebugLogRedactsCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	defer srv.Close()
	var logBuf bytes.Buffer
	counter := &Counter{}
	o := Options{Counter: counter, Logger: slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	req, _ := http.NewRequest("GET", srv.URL+"/v2/x/blobs/sha256:00?X-Amz-Signature=topsecretsig", nil)
	req.Header.Set("Authorization", "Bearer topsecrettoken")
	resp, err := o.HTTPTransport().RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello" || counter.Bytes() != 5 || counter.Requests() != 1 {
		t.Errorf("body %q, counted %d bytes %d requests", body, counter.Bytes(), counter.Requests())
	}
	out := logBuf.String()
	if !strings.Contains(out, "registry request") || !strings.Contains(out, "REDACTED") {
		t.Errorf("debug log missing request line: %s", out)
	}
	if strings.Contains(out, "topsecret") {
		t.Errorf("debug log leaks a credential: %s", out)
	}
}

type fixedKeychain struct{ auth authn.Authenticator }

func (k fixedKeychain) Resolve(authn.Resource) (authn.Authenticator, error) { return k.auth, nil }

func TestDefaultKeychainConsultsExtraFirst(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	repo := name.MustParseReference("reg.example/app:1").Context()
	want := &authn.Basic{Username: "AWS", Password: "pw"}
	o := Options{ExtraKeychains: []authn.Keychain{fixedKeychain{auth: want}}}
	got, err := authn.Resolve(t.Context(), o.keychain(), repo)
	if err != nil || got != want {
		t.Errorf("extra keychain not consulted first: %v, %v", got, err)
	}
	got, err = authn.Resolve(t.Context(), Options{}.keychain(), repo)
	if err != nil || got != authn.Anonymous {
		t.Errorf("empty docker config should give anonymous: %v, %v", got, err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
