package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// sampleServerVersion is linked into the binary the tests start, so they
// can tell it is the one they built.
const sampleServerVersion = "v0.0.0-e2e"

// sampleServerBinary builds ./sample-server once per test binary the way it
// ships (static, -trimpath, version from ldflags). It is not built with
// -race even under -race: the tests measure the artifact users run, and
// sample-server's own tests run the race-built binary.
var sampleServerBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "imgcheck-e2e-sample-server-")
	if err != nil {
		return "", fmt.Errorf("making a directory for the sample-server build: %w", err)
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	bin := filepath.Join(dir, "sample-server")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath",
		"-ldflags", "-X main.version="+sampleServerVersion+" -X main.commit=e2e", "-o", bin, "./sample-server")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./sample-server: %w\n%s", err, out)
	}
	return bin, nil
})

// raceDetectorOn reports whether this test binary was built with -race; the
// toolchain records it in the build settings.
func raceDetectorOn() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// sampleServer is a running sample-server process on 127.0.0.1.
type sampleServer struct {
	port    int
	baseURL string // http://127.0.0.1:PORT
	cmd     *exec.Cmd
	stdout  *processOutput
	stderr  *processOutput
	exited  chan struct{}
	exitErr error // from cmd.Wait; read only after exited is closed
}

// sampleServerStartTimeout bounds the wait for /readyz after a start.
const sampleServerStartTimeout = 20 * time.Second

// startSampleServer starts the built sample-server with env (on top of PORT)
// and waits until /readyz answers 200. The process is killed at cleanup if
// the test has not stopped it.
func startSampleServer(t *testing.T, env ...string) *sampleServer {
	t.Helper()
	bin, err := sampleServerBinary()
	if err != nil {
		t.Fatal(err)
	}
	// The port is free when picked but another process may take it before
	// the server listens; then the server exits and we try another.
	var lastErr error
	for range 3 {
		s, err := launchSampleServer(t, bin, env)
		if err == nil {
			return s
		}
		lastErr = err
		if s == nil || !strings.Contains(s.stdout.String(), "cannot listen") {
			break
		}
	}
	t.Fatalf("starting sample-server: %v", lastErr)
	return nil
}

func launchSampleServer(t *testing.T, bin string, env []string) (*sampleServer, error) {
	port, err := pickSampleServerPort()
	if err != nil {
		return nil, err // nil: nothing was started
	}
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"PORT=" + strconv.Itoa(port)}, env...)
	s := &sampleServer{
		port:    port,
		baseURL: fmt.Sprintf("http://127.0.0.1:%d", port),
		cmd:     cmd,
		stdout:  &processOutput{},
		stderr:  &processOutput{},
		exited:  make(chan struct{}),
	}
	cmd.Stdout, cmd.Stderr = s.stdout, s.stderr
	if err := cmd.Start(); err != nil {
		return s, fmt.Errorf("starting %s: %w", bin, err)
	}
	go func() {
		s.exitErr = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(s.kill)
	if err := s.waitReady(); err != nil {
		s.kill()
		return s, err
	}
	return s, nil
}

// pickSampleServerPort returns a TCP port that was free on 127.0.0.1 a
// moment ago.
func pickSampleServerPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("picking a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (s *sampleServer) waitReady() error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(sampleServerStartTimeout)
	for {
		resp, err := client.Get(s.baseURL + "/readyz")
		if err == nil {
			resp.Body.Close()
			select {
			case <-s.exited: // whoever answered, it was not this process
			default:
				if resp.StatusCode == http.StatusOK {
					return nil
				}
			}
			err = fmt.Errorf("/readyz answered %s", resp.Status)
		}
		select {
		case <-s.exited:
			return fmt.Errorf("sample-server exited before it was ready: %v\nstdout:\n%s\nstderr:\n%s", s.exitErr, s.stdout, s.stderr)
		case <-time.After(25 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sample-server not ready within %s: %v\nstderr:\n%s", sampleServerStartTimeout, err, s.stderr)
		}
	}
}

// wsURL is the WebSocket endpoint.
func (s *sampleServer) wsURL() string {
	return fmt.Sprintf("ws://127.0.0.1:%d/ws", s.port)
}

// signal sends sig to the process.
func (s *sampleServer) signal(sig syscall.Signal) error {
	if err := s.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("signalling sample-server: %w", err)
	}
	return nil
}

// waitExit returns the exit status, or an error if the process is still
// running after timeout.
func (s *sampleServer) waitExit(timeout time.Duration) (int, error) {
	select {
	case <-s.exited:
	case <-time.After(timeout):
		return -1, fmt.Errorf("sample-server still running %s after the wait began", timeout)
	}
	var exit *exec.ExitError
	if errors.As(s.exitErr, &exit) {
		return exit.ExitCode(), nil
	}
	if s.exitErr != nil {
		return -1, fmt.Errorf("waiting for sample-server: %w", s.exitErr)
	}
	return 0, nil
}

// kill stops the process at once if it still runs, and reaps it.
func (s *sampleServer) kill() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
	}
}

// raiseOpenFileLimit lifts the soft RLIMIT_NOFILE to need. Calling
// Setrlimit also makes child processes inherit the raised limit (Go
// otherwise restores the original one for them), which the server needs
// for its side of the sockets.
func raiseOpenFileLimit(t *testing.T, need uint64) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatalf("reading RLIMIT_NOFILE: %v", err)
	}
	if lim.Max < need {
		t.Fatalf("RLIMIT_NOFILE hard limit %d is below the %d descriptors the load test needs (raise it with ulimit -Hn)", lim.Max, need)
	}
	lim.Cur = max(lim.Cur, need)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatalf("raising RLIMIT_NOFILE to %d: %v", lim.Cur, err)
	}
}

// watchReadiness polls /readyz until it is refused and reports whether it
// ever answered 503 draining.
func (s *sampleServer) watchReadiness(ctx context.Context) <-chan bool {
	out := make(chan bool, 1)
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	go func() {
		saw := false
		defer func() { out <- saw }()
		for ctx.Err() == nil {
			resp, err := client.Get(s.baseURL + "/readyz")
			if err != nil {
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable && string(body) == "draining\n" {
				saw = true
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return out
}

// sampleServerLog is what the server's JSON log lines record.
type sampleServerLog struct {
	answered          int64 // 200s for /version and /healthz
	wsConnected       int
	wsClosedGoingAway int // sockets the server itself closed with 1001
	wsClosedOther     int
}

// logCounts reads the server's stdout, which must be JSON lines only.
func (s *sampleServer) logCounts() (sampleServerLog, error) {
	var counts sampleServerLog
	sc := bufio.NewScanner(strings.NewReader(s.stdout.String()))
	for sc.Scan() {
		var line struct {
			Msg       string `json:"msg"`
			Path      string `json:"path"`
			Status    int    `json:"status"`
			Code      int    `json:"code"`
			Initiator string `json:"initiator"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return counts, fmt.Errorf("sample-server log line %q is not JSON: %w", sc.Text(), err)
		}
		switch {
		case line.Msg == "request" && (line.Path == "/version" || line.Path == "/healthz") && line.Status == http.StatusOK:
			counts.answered++
		case line.Msg == "websocket connected":
			counts.wsConnected++
		case line.Msg == "websocket disconnected" && line.Code == websocket.CloseGoingAway && line.Initiator == "server":
			counts.wsClosedGoingAway++
		case line.Msg == "websocket disconnected":
			counts.wsClosedOther++
		}
	}
	return counts, sc.Err()
}

// processOutput collects what a process writes, safe to read while it runs.
type processOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *processOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *processOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}
