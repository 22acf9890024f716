package cdp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// HeadlessArgs returns the flags that make Chromium a quiet, self-contained
// headless browser: no sandbox (tests often run as root in containers), no
// GPU, and nothing that calls home or updates itself.
func HeadlessArgs() []string {
	return []string{
		"--headless",
		"--no-sandbox",
		"--disable-gpu",
		"--disable-quic",
		"--no-first-run",
		"--no-default-browser-check",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
		"--disable-dev-shm-usage",
	}
}

// LaunchOptions says how to start the browser.
type LaunchOptions struct {
	// Path is the browser command, for example "/usr/bin/chromium".
	Path string
	// UserDataDir is a fresh, empty directory for the profile; the browser
	// also gets it as HOME so nothing is written to the real home.
	UserDataDir string
	// StartTimeout bounds the wait for the DevTools endpoint (default 30 s).
	StartTimeout time.Duration
}

// Browser is a running browser with its DevTools endpoint.
type Browser struct {
	// DebugURL is the HTTP base of the DevTools endpoint, http://127.0.0.1:PORT.
	DebugURL string
	// BrowserWebSocketURL is the browser-wide session the browser printed.
	BrowserWebSocketURL string

	cmd        *exec.Cmd
	stderr     *tailBuffer
	stderrDone chan struct{} // closed when stderr reaches EOF
	exited     chan struct{}
	waitMu     sync.Mutex
	err        error // from cmd.Wait; read after exited is closed

	closeOnce sync.Once
}

// devToolsPrefix starts the line Chromium prints on stderr once its
// DevTools endpoint listens (with --remote-debugging-port).
const devToolsPrefix = "DevTools listening on "

// parseDevToolsLine returns the WebSocket URL from a "DevTools listening on
// ws://127.0.0.1:PORT/devtools/browser/ID" line, and false for any other
// line. Only loopback hosts are accepted: the tests never talk to anything
// else.
func parseDevToolsLine(line string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), devToolsPrefix)
	if !ok {
		return "", false
	}
	u, err := url.Parse(strings.TrimSpace(rest))
	if err != nil || u.Scheme != "ws" || u.User != nil || !strings.HasPrefix(u.Path, "/devtools/browser/") {
		return "", false
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil || port == "" || port == "0" {
		return "", false
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", false
	}
	return u.String(), true
}

// Launch starts the browser in its own process group on about:blank with a
// DevTools port the kernel picks, and waits until the endpoint is printed.
// Close must be called to stop it.
func Launch(ctx context.Context, opts LaunchOptions) (*Browser, error) {
	if opts.Path == "" {
		return nil, errors.New("launching browser: no browser path")
	}
	if opts.UserDataDir == "" {
		return nil, errors.New("launching browser: no user data directory")
	}
	timeout := opts.StartTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	args := HeadlessArgs()
	args = append(args, "--user-data-dir="+opts.UserDataDir, "--remote-debugging-port=0", "about:blank")
	cmd := exec.Command(opts.Path, args...)
	home := filepath.Join(opts.UserDataDir, "home")
	cmd.Env = append(os.Environ(), "HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"))
	// Its own group, so Close can stop the renderers and helpers too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A plain pipe rather than StderrPipe: helpers outside the group (the
	// crash handler) may hold stderr open after the browser is gone, and
	// waiting for the process must not wait for them.
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("launching %s: %w", opts.Path, err)
	}
	cmd.Stderr = stderrW
	err = cmd.Start()
	_ = stderrW.Close() // the child has its copy
	if err != nil {
		_ = stderrR.Close()
		return nil, fmt.Errorf("launching %s: %w", opts.Path, err)
	}
	b := &Browser{cmd: cmd, stderr: newTailBuffer(16 << 10), stderrDone: make(chan struct{}), exited: make(chan struct{})}
	found := make(chan string, 1)
	go b.scanStderr(stderrR, found)
	go b.wait()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case wsURL := <-found:
		u, _ := url.Parse(wsURL) // parseDevToolsLine checked it
		b.BrowserWebSocketURL = wsURL
		b.DebugURL = "http://" + u.Host
		return b, nil
	case <-b.exited:
		_ = b.Close() // helpers left in its group
		// Its last words explain the exit; a helper outside the group may
		// keep the pipe open, so do not wait long for them.
		select {
		case <-b.stderrDone:
		case <-time.After(2 * time.Second):
		}
		return nil, fmt.Errorf("browser %s exited before its DevTools endpoint listened: %v\nstderr:\n%s", opts.Path, b.waitErr(), b.stderr)
	case <-timer.C:
		_ = b.Close()
		return nil, fmt.Errorf("browser %s printed no DevTools endpoint within %s\nstderr:\n%s", opts.Path, timeout, b.stderr)
	case <-ctx.Done():
		_ = b.Close()
		return nil, fmt.Errorf("waiting for the DevTools endpoint of %s: %w", opts.Path, ctx.Err())
	}
}

// scanStderr keeps the tail of stderr for error messages and reports the
// DevTools endpoint once.
func (b *Browser) scanStderr(r io.ReadCloser, found chan<- string) {
	defer close(b.stderrDone)
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	reported := false
	for sc.Scan() {
		line := sc.Text()
		_, _ = b.stderr.Write([]byte(line + "\n"))
		if !reported {
			if wsURL, ok := parseDevToolsLine(line); ok {
				found <- wsURL
				reported = true
			}
		}
	}
	_, _ = io.Copy(io.Discard, r) // a line too long for the scanner
}

// wait reaps the browser process.
func (b *Browser) wait() {
	err := b.cmd.Wait()
	b.waitMu.Lock()
	b.err = err
	b.waitMu.Unlock()
	close(b.exited)
}

func (b *Browser) waitErr() error {
	b.waitMu.Lock()
	defer b.waitMu.Unlock()
	return b.err
}

// Stderr is the last part of what the browser wrote to stderr.
func (b *Browser) Stderr() string { return b.stderr.String() }

// Close kills the browser's whole process group and waits for the browser
// to be reaped, at most 10 s.
func (b *Browser) Close() error {
	var err error
	b.closeOnce.Do(func() {
		// Negative pid: the group. The group may already be gone.
		if kerr := syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL); kerr != nil && !errors.Is(kerr, syscall.ESRCH) {
			err = fmt.Errorf("killing browser process group %d: %w", b.cmd.Process.Pid, kerr)
		}
		select {
		case <-b.exited:
		case <-time.After(10 * time.Second):
			err = errors.Join(err, fmt.Errorf("browser process %d not reaped within 10s", b.cmd.Process.Pid))
		}
	})
	return err
}

// tailBuffer keeps the last limit bytes written to it.
type tailBuffer struct {
	mu    sync.Mutex
	limit int
	buf   []byte
}

func newTailBuffer(limit int) *tailBuffer { return &tailBuffer{limit: limit} }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.limit; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
