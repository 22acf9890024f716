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
	bin, err := exec.LookPath(Binary)
	if err != nil {
		t.Fatalf("%s not found: install the Debian package docker-registry (.ci/run does): %v", Binary, err)
	}
	dir := t.TempDir()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	host := fmt.Sprintf("127.0.0.1:%d", port)
	// With token auth, clients talk to a front that also serves the tokens.
	backendHost, frontHost := host, ""
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
  secret: imgcheck-test-secret
`, filepath.Join(dir, "data"), host)
	switch {
	case opts.TokenAuth:
		ts := startTokenServer(t, opts.Users)
		frontHost = ts.front(t, &backendHost)
		bundle := filepath.Join(dir, "token-root.pem")
		if err := os.WriteFile(bundle, ts.certPEM, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg += fmt.Sprintf("auth:\n  token:\n    realm: %s\n    service: %s\n    issuer: %s\n    rootcertbundle: %s\n",
			ts.url, tokenService, tokenIssuer, bundle)
	case len(opts.Users) > 0:
		htpasswd := filepath.Join(dir, "htpasswd")
		if err := writeHtpasswd(htpasswd, opts.Users); err != nil {
			t.Fatal(err)
		}
		cfg += fmt.Sprintf("auth:\n  htpasswd:\n    realm: imgcheck-test\n    path: %s\n", htpasswd)
	}
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "registry.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", cfgPath)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", Binary, err)
	}
	r := &Registry{Host: host, LogFile: logPath, cmd: cmd, done: make(chan error, 1)}
	go func() { r.done <- cmd.Wait(); logFile.Close() }()
	t.Cleanup(r.stop)
	if err := r.waitReady(10 * time.Second); err != nil {
		log, _ := os.ReadFile(logPath)
		t.Fatalf("registry did not start: %v\n%s", err, tail(string(log), 2000))
	}
	if frontHost != "" {
		r.Host = frontHost
	}
	return r
}

// Log returns what the registry logged so far (access log included).
func (r *Registry) Log() string {
	b, _ := os.ReadFile(r.LogFile)
	return string(b)
}

func (r *Registry) stop() {
	_ = r.cmd.Process.Signal(os.Interrupt)
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
}

func (r *Registry) waitReady(limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	var last error
	for ctx.Err() == nil {
		select {
		case err := <-r.done:
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
