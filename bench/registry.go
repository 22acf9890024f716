package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// localRegistry is the CNCF distribution registry (Debian docker-registry)
// serving from a temporary directory on 127.0.0.1.
type localRegistry struct {
	Host string
	cmd  *exec.Cmd
	done chan error
}

func startRegistry(ctx context.Context, dir string) (*localRegistry, error) {
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		return nil, fmt.Errorf("docker-registry not found (bench/run installs it with .ci/install-tools): %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	host := fmt.Sprintf("127.0.0.1:%d", port)
	// Access logs off: the registry must not compete with the tools for CPU
	// more than it has to.
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
  secret: imgcheck-bench
`, filepath.Join(dir, "data"), host)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", cfgPath)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting docker-registry: %w", err)
	}
	r := &localRegistry{Host: host, cmd: cmd, done: make(chan error, 1)}
	go func() { r.done <- cmd.Wait(); logFile.Close() }()
	if err := r.waitReady(ctx, 15*time.Second); err != nil {
		r.Stop()
		return nil, fmt.Errorf("docker-registry did not start (log in %s): %w", logFile.Name(), err)
	}
	return r, nil
}

func (r *localRegistry) waitReady(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case err := <-r.done:
			r.done <- err
			return fmt.Errorf("registry exited: %v", err)
		default:
		}
		resp, err := client.Get("http://" + r.Host + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready after %s: %v", limit, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop ends the registry: interrupt, then kill after 5 seconds.
func (r *localRegistry) Stop() {
	_ = r.cmd.Process.Signal(os.Interrupt)
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
