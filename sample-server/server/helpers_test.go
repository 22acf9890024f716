package server

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// testTimeout bounds every wait in these tests.
const testTimeout = 5 * time.Second

// testConfig is DefaultConfig with timings in milliseconds.
func testConfig() Config {
	c := DefaultConfig()
	c.Port = 0
	c.ShutdownTimeout = 2 * time.Second
	// Test clients that are not reading do not answer pings; only the ping
	// test itself uses fast pings.
	c.PingInterval = 2 * time.Second
	c.PongTimeout = 2 * time.Second
	c.WriteTimeout = 500 * time.Millisecond
	c.ReadHeaderTimeout = time.Second
	c.IdleTimeout = time.Second
	return c
}

// lockedBuffer collects log output written from many goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// running is a Server serving on 127.0.0.1 through the production Serve path.
type running struct {
	srv    *Server
	base   string // http://127.0.0.1:port
	logs   *lockedBuffer
	stop   context.CancelFunc
	served chan error
}

// newTestServer builds a Server; prepare may add routes before it serves.
func newTestServer(t *testing.T, cfg Config) (*Server, *lockedBuffer) {
	t.Helper()
	logs := &lockedBuffer{}
	srv, err := New(cfg, BuildInfo{Version: "v1.2.3", Commit: "abc1234"}, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return srv, logs
}

func serve(t *testing.T, srv *Server, logs *lockedBuffer) *running {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{srv: srv, base: "http://" + ln.Addr().String(), logs: logs, stop: cancel, served: make(chan error, 1)}
	go func() { r.served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.served:
		case <-time.After(testTimeout):
			t.Errorf("server did not stop within %s", testTimeout)
		}
	})
	return r
}

func startServer(t *testing.T, cfg Config) *running {
	t.Helper()
	srv, logs := newTestServer(t, cfg)
	return serve(t, srv, logs)
}

// wsURL turns http://host into ws://host/ws.
func (r *running) wsURL() string {
	return "ws" + strings.TrimPrefix(r.base, "http") + "/ws"
}

// dialWS opens a WebSocket, with an Origin header when origin is not empty.
func dialWS(t *testing.T, url, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	d := websocket.Dialer{HandshakeTimeout: testTimeout}
	conn, resp, err := d.Dial(url, h)
	if conn != nil {
		t.Cleanup(func() { _ = conn.Close() })
	}
	return conn, resp, err
}

func mustDial(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	conn, _, err := dialWS(t, url, "")
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	return conn
}

// readText reads one message within testTimeout.
func readText(t *testing.T, conn *websocket.Conn) string {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(testTimeout))
	typ, data, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.TextMessage {
		t.Fatalf("message type = %d, want text", typ)
	}
	return string(data)
}

// readCloseCode reads until the connection closes and returns the close
// code the server sent (or -1 with the error if it sent none).
func readCloseCode(t *testing.T, conn *websocket.Conn) (int, error) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(testTimeout))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, nil
		}
		return -1, err
	}
}

// waitFor polls cond every few milliseconds until it holds or testTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	client := &http.Client{Timeout: testTimeout}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		t.Fatalf("reading %s: %v", url, err)
	}
	return resp, b.String()
}
