package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const (
	loadWebSockets      = 2000
	loadHTTPWorkers     = 8
	loadShutdownTimeout = 10 * time.Second
	// loadDrainDelay keeps the server serving with /readyz at 503 after
	// SIGTERM, so requests started before the signal must all complete.
	loadDrainDelay = 500 * time.Millisecond
	// loadDrainMaxPerWorker bounds the requests each worker sends after
	// SIGTERM; a server that keeps serving that long has not stopped.
	loadDrainMaxPerWorker = 20000
	loadTestTimeout       = 55 * time.Second
)

// TestLoadAndDrain holds 2,000 WebSockets open on the real sample-server
// process while HTTP workers load it, then sends SIGTERM in the middle of
// the load: no completed request may be cut or lost, late requests may be
// refused but never hang, every socket gets close code 1001, and the
// process exits 0 within SHUTDOWN_TIMEOUT.
func TestLoadAndDrain(t *testing.T) {
	raiseOpenFileLimit(t, 2*loadWebSockets+1024)
	srv := startSampleServer(t, fmt.Sprintf("MAX_CONNECTIONS=%d", 2*loadWebSockets),
		"SHUTDOWN_TIMEOUT="+loadShutdownTimeout.String(), "DRAIN_DELAY="+loadDrainDelay.String())
	ctx, cancel := context.WithTimeout(context.Background(), loadTestTimeout)
	defer cancel()

	start := time.Now()
	sockets := openEchoedWebSockets(ctx, t, srv, loadWebSockets)
	t.Logf("%d WebSockets open, each echoed once, in %s", len(sockets), time.Since(start).Round(time.Millisecond))
	closeCodes := make(chan error, len(sockets))
	for _, conn := range sockets {
		go func() { closeCodes <- awaitClose(conn) }()
	}

	perWorker := 1000
	if raceDetectorOn() {
		perWorker = 400 // the race detector makes each request several times dearer
	}
	burst := newHTTPLoad(srv.baseURL, nil)
	start = time.Now()
	runWorkers(func() { burst.run(ctx, perWorker, false) })
	t.Logf("HTTP burst: %d complete of %d in %s", burst.complete.Load(), loadHTTPWorkers*perWorker, time.Since(start).Round(time.Millisecond))
	burst.requireNoFailures(t, "burst") // every request either completed or failed
	if n := len(closeCodes); n > 0 {
		t.Fatalf("%d WebSockets ended during the HTTP burst: %v", n, <-closeCodes)
	}

	// SIGTERM in the middle of a second wave of load.
	var signalled atomic.Bool
	drain := newHTTPLoad(srv.baseURL, &signalled)
	readiness := srv.watchReadiness(ctx)
	workersDone := make(chan struct{})
	go func() {
		runWorkers(func() { drain.run(ctx, loadDrainMaxPerWorker, true) })
		close(workersDone)
	}()
	waitForCompleted(ctx, t, drain, 100)
	signalled.Store(true)
	signalledAt := time.Now()
	if err := srv.signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	select {
	case <-workersDone:
	case <-time.After(loadShutdownTimeout + 5*time.Second):
		t.Fatalf("HTTP workers still busy %s after SIGTERM: requests hang", loadShutdownTimeout+5*time.Second)
	}
	code, err := srv.waitExit(loadShutdownTimeout + 5*time.Second)
	exitAfter := time.Since(signalledAt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("drain: %d complete (%d of them started after SIGTERM), %d refused; exit %d after %s",
		drain.complete.Load(), drain.completeAfterSignal.Load(), drain.refused.Load(), code, exitAfter.Round(time.Millisecond))
	if code != 0 || exitAfter >= loadShutdownTimeout {
		t.Errorf("exit status %d after %s; want 0 within SHUTDOWN_TIMEOUT=%s\nstderr:\n%s", code, exitAfter, loadShutdownTimeout, srv.stderr)
	}
	drain.requireNoFailures(t, "drain")
	if drain.completeAfterSignal.Load() == 0 {
		t.Errorf("no request completed after SIGTERM: the signal did not land during the load (DRAIN_DELAY=%s)", loadDrainDelay)
	}
	if sawDraining := <-readiness; !sawDraining {
		t.Errorf("/readyz never answered 503 draining between SIGTERM and the listener closing")
	}
	checkCloseCodes(t, closeCodes, len(sockets))
	checkServerLog(t, srv, burst.complete.Load()+drain.complete.Load(), len(sockets))
}

// openEchoedWebSockets dials n WebSockets, a few dozen at a time, and has
// each echo one message of its own.
func openEchoedWebSockets(ctx context.Context, t *testing.T, srv *sampleServer, n int) []*websocket.Conn {
	t.Helper()
	conns := make([]*websocket.Conn, n)
	errs := make([]error, n)
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	// Small buffers: 2,000 sockets with the default 4 KiB each way add up.
	dialer := websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 512, WriteBufferSize: 512}
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for i := range next {
				conns[i], errs[i] = dialAndEcho(ctx, &dialer, srv.wsURL(), i)
			}
		})
	}
	wg.Wait()
	for _, c := range conns {
		if c != nil {
			t.Cleanup(func() { _ = c.Close() })
		}
	}
	failed := slices.DeleteFunc(errs, func(err error) bool { return err == nil })
	if len(failed) > 0 {
		t.Fatalf("opening %d WebSockets: %d failed, the first: %v", n, len(failed), failed[0])
	}
	return conns
}

func dialAndEcho(ctx context.Context, dialer *websocket.Dialer, url string, i int) (*websocket.Conn, error) {
	conn, _, err := dialer.DialContext(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("socket %d: dial: %w", i, err)
	}
	msg := fmt.Sprintf("socket %d says hello", i)
	_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		return conn, fmt.Errorf("socket %d: write: %w", i, err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, got, err := conn.ReadMessage()
	if err != nil || string(got) != msg {
		return conn, fmt.Errorf("socket %d: echo %q, %v; want %q", i, got, err, msg)
	}
	return conn, nil
}

// awaitClose reads until the server closes the socket and returns the
// *websocket.CloseError, or what else ended the socket.
func awaitClose(conn *websocket.Conn) error {
	_ = conn.SetReadDeadline(time.Now().Add(loadTestTimeout))
	_, msg, err := conn.ReadMessage()
	if err != nil {
		return err
	}
	return fmt.Errorf("unexpected message %q before the close frame", msg)
}

func checkCloseCodes(t *testing.T, closeCodes <-chan error, n int) {
	t.Helper()
	other := map[string]int{}
	deadline := time.After(10 * time.Second)
	for range n {
		select {
		case err := <-closeCodes:
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
				other[err.Error()]++
			}
		case <-deadline:
			t.Fatalf("not every WebSocket ended within 10s after the server exited")
		}
	}
	if len(other) > 0 {
		t.Errorf("WebSockets that did not get close code 1001: %v", other)
	}
}

func runWorkers(work func()) {
	var wg sync.WaitGroup
	for range loadHTTPWorkers {
		wg.Go(work)
	}
	wg.Wait()
}

func waitForCompleted(ctx context.Context, t *testing.T, l *httpLoad, n int64) {
	t.Helper()
	for l.complete.Load() < n {
		select {
		case <-ctx.Done():
			t.Fatalf("only %d requests completed before the deadline; failures: %v", l.complete.Load(), l.failureSample())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// checkServerLog compares the server's own record with the clients': every
// 200 it logged for the load endpoints reached a client complete, every
// socket connected, and every disconnect it logged was its own 1001.
// The server may exit before it logs the last disconnects (it frees a
// socket's slot, which the shutdown waits for, before logging), so a
// missing disconnect line is reported, not failed; the clients' close
// codes are the evidence.
func checkServerLog(t *testing.T, srv *sampleServer, completed int64, sockets int) {
	t.Helper()
	got, err := srv.logCounts()
	if err != nil {
		t.Fatal(err)
	}
	if got.answered != completed {
		t.Errorf("server logged %d answered requests, clients got %d complete: %d lost on the way", got.answered, completed, got.answered-completed)
	}
	if got.wsConnected != sockets || got.wsClosedOther > 0 {
		t.Errorf("server logged %d WebSocket connects (want %d) and %d disconnects other than its own 1001", got.wsConnected, sockets, got.wsClosedOther)
	}
	if got.wsClosedGoingAway != sockets {
		t.Errorf("server logged %d of %d disconnects before it exited", got.wsClosedGoingAway, sockets)
	}
}

// httpLoad is a set of workers sending GET /version and /healthz and
// sorting every outcome: complete (a 200 with its whole, valid body),
// refused (no response, or 503; allowed only after the signal), or failed.
type httpLoad struct {
	client    *http.Client
	base      string
	signalled *atomic.Bool // nil when no signal is expected

	complete            atomic.Int64
	completeAfterSignal atomic.Int64
	refused             atomic.Int64

	mu       sync.Mutex
	failures []string // the first few, for the report
	failed   int
}

func newHTTPLoad(base string, signalled *atomic.Bool) *httpLoad {
	transport := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost:   loadHTTPWorkers,
		ResponseHeaderTimeout: 5 * time.Second,
	}
	// The client timeout turns a hung request into a failure.
	return &httpLoad{client: &http.Client{Timeout: 5 * time.Second, Transport: transport}, base: base, signalled: signalled}
}

// run sends up to count requests, stopping at the first refusal when
// stopOnRefusal is set (the server is going away).
func (l *httpLoad) run(ctx context.Context, count int, stopOnRefusal bool) {
	for i := range count {
		if ctx.Err() != nil {
			l.fail(fmt.Errorf("test deadline reached after %d requests: %w", i, ctx.Err()))
			return
		}
		path := "/version"
		if i%2 == 1 {
			path = "/healthz"
		}
		afterSignal := l.signalled != nil && l.signalled.Load()
		refused, err := l.fetch(ctx, path)
		switch {
		case err == nil:
			l.complete.Add(1)
			if afterSignal {
				l.completeAfterSignal.Add(1)
			}
		case refused && afterSignal:
			l.refused.Add(1)
			if stopOnRefusal {
				return
			}
		case refused:
			l.fail(fmt.Errorf("refused before any signal: %w", err))
		default:
			l.fail(err)
		}
	}
}

// fetch GETs path and checks the answer is complete. refused is true for
// 503 and for an error before any response: refused, or reset or closed
// unanswered (the kernel resets connections still queued on a listener
// that closes). A timeout is never a refusal.
func (l *httpLoad) fetch(ctx context.Context, path string) (refused bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.base+path, nil)
	if err != nil {
		return false, err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		var ne net.Error
		timeout := errors.As(err, &ne) && ne.Timeout()
		return !timeout && (errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
			errors.Is(err, io.EOF)), fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return false, fmt.Errorf("GET %s: %s with a body cut after %d bytes: %w", path, resp.Status, len(body), err)
	}
	if resp.StatusCode == http.StatusServiceUnavailable {
		return true, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("GET %s: %s %q", path, resp.Status, body)
	}
	return false, checkLoadBody(path, body)
}

// checkLoadBody accepts only the whole body the endpoint sends.
func checkLoadBody(path string, body []byte) error {
	if path == "/healthz" {
		if string(body) != "ok\n" {
			return fmt.Errorf("GET /healthz: body %q, want \"ok\\n\"", body)
		}
		return nil
	}
	var v struct {
		Version string `json:"version"`
		GOOS    string `json:"goos"`
		GOARCH  string `json:"goarch"`
	}
	if len(body) == 0 || body[len(body)-1] != '\n' {
		return fmt.Errorf("GET /version: body %q does not end with its newline", body)
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("GET /version: body %q is not complete JSON: %w", body, err)
	}
	if v.Version != sampleServerVersion || v.GOOS != runtime.GOOS || v.GOARCH != runtime.GOARCH {
		return fmt.Errorf("GET /version: %q is not the server under test (%s, %s/%s)", body, sampleServerVersion, runtime.GOOS, runtime.GOARCH)
	}
	return nil
}

// TestLoadBodyCheck shows the drain's loss detection is not vacuous: any
// body cut short, or from another server, is refused.
func TestLoadBodyCheck(t *testing.T) {
	version := fmt.Sprintf(`{"version":%q,"commit":"e2e","goos":%q,"goarch":%q,"go":"go1"}`+"\n",
		sampleServerVersion, runtime.GOOS, runtime.GOARCH)
	for _, tt := range []struct {
		path, body string
		ok         bool
	}{
		{"/version", version, true},
		{"/healthz", "ok\n", true},
		{"/version", version[:len(version)-1], false},
		{"/version", version[:len(version)/2], false},
		{"/version", "", false},
		{"/version", strings.Replace(version, sampleServerVersion, "v1.0.0", 1), false},
		{"/healthz", "ok", false},
	} {
		if err := checkLoadBody(tt.path, []byte(tt.body)); (err == nil) != tt.ok {
			t.Errorf("checkLoadBody(%s, %q) = %v, want ok=%v", tt.path, tt.body, err, tt.ok)
		}
	}
}

func (l *httpLoad) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failed++
	if len(l.failures) < 5 {
		l.failures = append(l.failures, err.Error())
	}
}

func (l *httpLoad) failureSample() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("%d failures, first: %q", l.failed, l.failures)
}

func (l *httpLoad) requireNoFailures(t *testing.T, phase string) {
	t.Helper()
	l.mu.Lock()
	failed := l.failed
	l.mu.Unlock()
	if failed > 0 {
		t.Fatalf("%s: %s", phase, l.failureSample())
	}
}
