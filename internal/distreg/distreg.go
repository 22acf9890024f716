// Package distreg starts the CNCF distribution registry (Debian package
// docker-registry) on 127.0.0.1 for tests, optionally with htpasswd basic
// auth. It is a real registry: blobs are served from its filesystem driver,
// which honours HTTP Range requests.
package distreg

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Binary is the Debian package's registry command.
const Binary = "docker-registry"

// Options configure a registry.
type Options struct {
	// Users maps user names to passwords; when set, htpasswd auth is required.
	Users map[string]string
	// TokenAuth uses bearer token auth instead of htpasswd: a token server
	// (started too) checks Users and issues signed tokens, as Docker Hub and
	// most hosted registries do.
	TokenAuth bool
	// Quiet turns the access log off and logs warnings only, so that the
	// registry competes less for CPU (benchmarks).
	Quiet bool
}

// Registry is a running distribution registry.
type Registry struct {
	Host    string // 127.0.0.1:PORT
	LogFile string
	cmd     *exec.Cmd
	done    chan error
}

// Start runs a registry until the test ends. It fails the test when the
// registry binary is missing: CI installs it (.ci/run), so a missing binary
// is a broken environment, never a reason to skip.
func Start(t testing.TB, opts Options) *Registry {
	t.Helper()
	dir := t.TempDir()
	var auth string
	var front func(backend string) string
	switch {
	case opts.TokenAuth:
		ts := startTokenServer(t, opts.Users)
		backend := ""
		frontHost := ts.front(t, &backend)
		bundle := filepath.Join(dir, "token-root.pem")
		if err := os.WriteFile(bundle, ts.certPEM, 0o600); err != nil {
			t.Fatal(err)
		}
		auth = fmt.Sprintf("auth:\n  token:\n    realm: %s\n    service: %s\n    issuer: %s\n    rootcertbundle: %s\n",
			ts.url, tokenService, tokenIssuer, bundle)
		// With token auth, clients talk to a front that also serves the tokens.
		front = func(b string) string { backend = b; return frontHost }
	case len(opts.Users) > 0:
		htpasswd := filepath.Join(dir, "htpasswd")
		if err := writeHtpasswd(htpasswd, opts.Users); err != nil {
			t.Fatal(err)
		}
		auth = fmt.Sprintf("auth:\n  htpasswd:\n    realm: imgcheck-test\n    path: %s\n", htpasswd)
	}
	r, err := launch(context.Background(), dir, auth, opts.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	if front != nil {
		r.Host = front(r.Host)
	}
	return r
}

// Launch runs an anonymous registry serving from dir, outside tests (the
// benchmark harness); the caller stops it with Stop.
func Launch(ctx context.Context, dir string, opts Options) (*Registry, error) {
	if opts.TokenAuth || len(opts.Users) > 0 {
		return nil, fmt.Errorf("distreg.Launch serves anonymous registries only; tests use Start for auth")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return launch(ctx, dir, "", opts.Quiet)
}

func launch(ctx context.Context, dir, auth string, quiet bool) (*Registry, error) {
	bin, err := exec.LookPath(Binary)
	if err != nil {
		return nil, fmt.Errorf("%s not found: install the Debian package docker-registry (.ci/install-tools does): %w", Binary, err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	host := fmt.Sprintf("127.0.0.1:%d", port)
	level, accessOff := "info", false
	if quiet {
		level, accessOff = "warn", true
	}
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: %s
  accesslog:
    disabled: %t
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
  secret: imgcheck-test-secret
`, level, accessOff, filepath.Join(dir, "data"), host) + auth
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "registry.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", cfgPath)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", Binary, err)
	}
	r := &Registry{Host: host, LogFile: logPath, cmd: cmd, done: make(chan error, 1)}
	go func() { r.done <- cmd.Wait(); logFile.Close() }()
	if err := r.waitReady(ctx, 10*time.Second); err != nil {
		r.Stop()
		log, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("registry did not start: %w\n%s", err, tail(string(log), 2000))
	}
	return r, nil
}

// Log returns what the registry logged so far (access log included).
func (r *Registry) Log() string {
	b, _ := os.ReadFile(r.LogFile)
	return string(b)
}

// Stop ends the registry: interrupt, then kill after 5 seconds.
func (r *Registry) Stop() {
	_ = r.cmd.Process.Signal(os.Interrupt)
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
}

func (r *Registry) waitReady(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	var last error
	for ctx.Err() == nil {
		select {
		case err := <-r.done:
			r.done <- err // Stop waits on it too
			return fmt.Errorf("registry exited: %v", err)
		default:
		}
		resp, err := client.Get("http://" + r.Host + "/v2/")
		if err == nil {
			resp.Body.Close()
			// 200 without auth, 401 with auth: either way it is serving.
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return nil
			}
			err = fmt.Errorf("GET /v2/: %s", resp.Status)
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s: %v", limit, last)
}

func writeHtpasswd(path string, users map[string]string) error {
	var b strings.Builder
	for user, pass := range users {
		// The registry accepts only bcrypt entries.
		hash, err := bcrypt.GenerateFromPassword([]byte(pass), bcrypt.MinCost)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s:%s\n", user, hash)
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
