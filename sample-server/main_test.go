package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const testTimeout = 10 * time.Second

// buildBinary compiles this command into dir with version and commit set the
// way the Dockerfile and .ko.yaml set them.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "sample-server")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := []string{"build", "-trimpath", "-ldflags", "-X main.version=v9.9.9-test -X main.commit=feedbee", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, ".")...)
	cmd.Env = os.Environ()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// process is the running binary with its captured output.
type process struct {
	cmd    *exec.Cmd
	stdout *lockedBuffer
	stderr *lockedBuffer
	done   chan error
}

// lockedBuffer is a bytes.Buffer that the process's output goroutines and
// the test may use at once; a one-slot channel serves as its lock.
type lockedBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newLockedBuffer() *lockedBuffer {
	b := &lockedBuffer{mu: make(chan struct{}, 1)}
	return b
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

// startBinary runs bin with env and waits until /healthz answers.
func startBinary(t *testing.T, bin string, port int, env ...string) *process {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"PORT=" + strconv.Itoa(port)}, env...)
	p := &process{cmd: cmd, stdout: newLockedBuffer(), stderr: newLockedBuffer(), done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-p.done:
		case <-time.After(testTimeout):
		}
	})
	url := fmt.Sprintf("http://127.0.0.1:%d/healthz", port)
	deadline := time.Now().Add(testTimeout)
	for {
		resp, err := (&http.Client{Timeout: time.Second}).Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not healthy within %s: %v\nstdout:\n%s\nstderr:\n%s", testTimeout, err, p.stdout, p.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wait returns the exit code, failing the test if the process hangs.
func (p *process) wait(t *testing.T) int {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			t.Fatalf("wait: %v", err)
		}
		return 0
	case <-time.After(testTimeout):
		t.Fatalf("process did not exit within %s", testTimeout)
		return -1
	}
}

func runHealthcheck(t *testing.T, bin string, port int) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-healthcheck")
	cmd.Env = []string{"PORT=" + strconv.Itoa(port)}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatalf("running -healthcheck: %v", err)
	}
	return 0, string(out)
}

// TestBinary builds the real command once and drives it as a process.
func TestBinary(t *testing.T) {
	bin := buildBinary(t, t.TempDir())

	t.Run("SIGTERM with an open WebSocket sends 1001 and exits 0", func(t *testing.T) {
		port := freePort(t)
		p := startBinary(t, bin, port, "SHUTDOWN_TIMEOUT=5s")
		d := websocket.Dialer{HandshakeTimeout: testTimeout}
		conn, _, err := d.Dial(fmt.Sprintf("ws://127.0.0.1:%d/ws", port), nil)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer conn.Close()
		if err := conn.WriteMessage(websocket.TextMessage, []byte("ping?")); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(testTimeout))
		if _, msg, err := conn.ReadMessage(); err != nil || string(msg) != "ping?" {
			t.Fatalf("echo = %q, %v", msg, err)
		}
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		var ce *websocket.CloseError
		if _, _, err := conn.ReadMessage(); !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
			t.Errorf("after SIGTERM read = %v, want close 1001", err)
		}
		if code := p.wait(t); code != 0 {
			t.Errorf("exit status = %d, want 0\nstdout:\n%s\nstderr:\n%s", code, p.stdout, p.stderr)
		}
		logs := p.stdout.String()
		for _, want := range []string{`"msg":"listening"`, `"version":"v9.9.9-test"`, `"msg":"websocket connected"`,
			`"code":1001`, `"msg":"stopped"`} {
			if !strings.Contains(logs, want) {
				t.Errorf("stdout lacks %s:\n%s", want, logs)
			}
		}
		assertJSONLines(t, logs)
	})

	t.Run("SIGINT stops cleanly too", func(t *testing.T) {
		port := freePort(t)
		p := startBinary(t, bin, port)
		if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		if code := p.wait(t); code != 0 {
			t.Errorf("exit status = %d, want 0; stderr %s", code, p.stderr)
		}
	})

	t.Run("healthcheck exits 0 against a live server", func(t *testing.T) {
		port := freePort(t)
		startBinary(t, bin, port)
		if code, out := runHealthcheck(t, bin, port); code != 0 {
			t.Errorf("-healthcheck = %d (%s), want 0", code, out)
		}
	})

	t.Run("healthcheck exits 1 against a dead port", func(t *testing.T) {
		port := freePort(t)
		code, out := runHealthcheck(t, bin, port)
		if code != 1 || !strings.Contains(out, "unhealthy") {
			t.Errorf("-healthcheck = %d (%s), want 1 with a reason", code, out)
		}
	})

	t.Run("version endpoint carries the ldflags values", func(t *testing.T) {
		port := freePort(t)
		startBinary(t, bin, port)
		resp, err := (&http.Client{Timeout: testTimeout}).Get(fmt.Sprintf("http://127.0.0.1:%d/version", port))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		for _, want := range []string{`"version":"v9.9.9-test"`, `"commit":"feedbee"`} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("/version %s lacks %s", b.String(), want)
			}
		}
	})

	t.Run("bad configuration exits 2 naming the variable", func(t *testing.T) {
		for _, tt := range []struct{ env, want string }{
			{"PORT=abc", "PORT="},
			{"MAX_CONNECTIONS=0", "MAX_CONNECTIONS="},
			{"SHUTDOWN_TIMEOUT=soon", "SHUTDOWN_TIMEOUT="},
		} {
			cmd := exec.Command(bin)
			cmd.Env = []string{tt.env}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Errorf("%s: exit = %v, want status 2", tt.env, err)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("%s: stderr %q does not name the variable", tt.env, stderr.String())
			}
		}
	})
}

// assertJSONLines checks every log line is one JSON object, as log
// collectors such as CloudWatch Logs Insights expect.
func assertJSONLines(t *testing.T, logs string) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "{") || !strings.HasSuffix(line, "}") {
			t.Errorf("log line is not a JSON object: %s", line)
		}
	}
}

func TestBuildInfoFrom(t *testing.T) {
	vcs := &debug.BuildInfo{
		Main: debug.Module{Version: "v0.3.1-0.20261125180000-0123456789ab"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	tests := []struct {
		name                  string
		ldVersion, ldCommit   string
		info                  *debug.BuildInfo
		wantVersion, wantComm string
	}{
		{"ldflags win", "v1.0.0", "abc", vcs, "v1.0.0", "abc"},
		{"build info fallback", "", "", vcs, "v0.3.1-0.20261125180000-0123456789ab", "0123456789ab-dirty"},
		{"no build info", "", "", nil, "(devel)", "unknown"},
		{"devel without vcs", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)", "unknown"},
		{"partial ldflags", "v2.0.0", "", vcs, "v2.0.0", "0123456789ab-dirty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := buildInfoFrom(tt.ldVersion, tt.ldCommit, tt.info)
			if got.Version != tt.wantVersion || got.Commit != tt.wantComm {
				t.Errorf("got %+v, want version %q commit %q", got, tt.wantVersion, tt.wantComm)
			}
		})
	}
}

func TestRunUsage(t *testing.T) {
	noEnv := func(string) (string, bool) { return "", false }
	tests := []struct {
		args     []string
		env      func(string) (string, bool)
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{[]string{"-nope"}, noEnv, 2, "", "flag provided but not defined"},
		{[]string{"extra"}, noEnv, 2, "", `unexpected argument "extra"`},
		{[]string{"-version"}, noEnv, 0, `"version":`, ""},
		{[]string{"-h"}, noEnv, 0, "", "-healthcheck"},
		{nil, func(k string) (string, bool) { return "abc", k == "PORT" }, 2, "", `PORT="abc"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, tt.env, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit = %d, want %d (stderr %s)", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantOut) || !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stdout %q stderr %q, want %q and %q", stdout.String(), stderr.String(), tt.wantOut, tt.wantErr)
			}
		})
	}
}
