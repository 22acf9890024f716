package server

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestHandlers(t *testing.T) {
	srv, logs := newTestServer(t, testConfig())
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	platform := runtime.GOOS + "/" + runtime.GOARCH
	tests := []struct {
		method, path string
		status       int
		contentType  string
		body         []string // substrings
	}{
		{"GET", "/healthz", 200, "text/plain; charset=utf-8", []string{"ok\n"}},
		{"HEAD", "/healthz", 200, "text/plain; charset=utf-8", nil},
		{"GET", "/readyz", 200, "text/plain; charset=utf-8", []string{"ready\n"}},
		{"GET", "/version", 200, "application/json", []string{`"version":"v1.2.3"`, `"commit":"abc1234"`}},
		{"GET", "/", 200, "text/html; charset=utf-8", []string{
			`id="platform">` + platform + "<", `id="version">v1.2.3<`, `id="commit">abc1234<`,
			`id="status"`, `id="log"`, `id="message"`, `"wss:" : "ws:"`, `"/ws"`,
		}},
		{"GET", "/nope", 404, "text/plain; charset=utf-8", []string{"not found"}},
		{"POST", "/healthz", 405, "text/plain; charset=utf-8", nil},
		{"GET", "/ws", 400, "text/plain; charset=utf-8", nil}, // not an upgrade
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, ts.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if got := resp.Header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
			for _, want := range tt.body {
				if !strings.Contains(string(body), want) {
					t.Errorf("body lacks %q:\n%s", want, body)
				}
			}
		})
	}
	for _, want := range []string{
		`"msg":"request","method":"GET","path":"/healthz","status":200,"duration_ms":`,
		`"msg":"request","method":"GET","path":"/nope","status":404,`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
}

func TestVersionJSON(t *testing.T) {
	srv, _ := newTestServer(t, testConfig())
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/version", nil))
	var got map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("decoding %s: %v", rec.Body, err)
	}
	want := map[string]string{
		"version": "v1.2.3", "commit": "abc1234",
		"goos": runtime.GOOS, "goarch": runtime.GOARCH, "go": runtime.Version(),
	}
	if len(got) != len(want) {
		t.Errorf("keys = %v, want exactly %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

// TestIndexCSPAllowsItsInlineCode recomputes the hashes of the page's inline
// script and style from the served HTML: a browser runs them only if the
// Content-Security-Policy names exactly these hashes.
func TestIndexCSPAllowsItsInlineCode(t *testing.T) {
	srv, _ := newTestServer(t, testConfig())
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	csp := rec.Header().Get("Content-Security-Policy")
	html := rec.Body.String()
	for _, tag := range []string{"script", "style"} {
		m := regexp.MustCompile(`(?s)<`+tag+`>(.*?)</`+tag+`>`).FindAllStringSubmatch(html, -1)
		if len(m) != 1 {
			t.Fatalf("want one inline <%s>, found %d", tag, len(m))
		}
		sum := sha256.Sum256([]byte(m[0][1]))
		want := tag + "-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, want := range []string{"default-src 'none'", "connect-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, external := range []string{"http://", "https://", "//cdn", "src=\""} {
		if strings.Contains(html, external) {
			t.Errorf("page references an external resource (%q)", external)
		}
	}
}

func TestReadyzDuringDrain(t *testing.T) {
	srv, _ := newTestServer(t, testConfig())
	srv.draining.Store(true)
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("readyz while draining = %d, want 503", rec.Code)
	}
	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("healthz while draining = %d, want 200 (liveness is not readiness)", rec.Code)
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	cfg := testConfig()
	cfg.MaxConnections = 0
	if _, err := New(cfg, BuildInfo{}, nil); err == nil || !strings.Contains(err.Error(), "max connections") {
		t.Errorf("New with MaxConnections=0: err = %v, want a max connections error", err)
	}
}
