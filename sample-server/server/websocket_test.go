package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestOriginCheck(t *testing.T) {
	tests := []struct {
		name    string
		allowed []string
		origin  string // "" sends no Origin header
		host    string // Host header; "" keeps the dialed address
		want    int
	}{
		{name: "no origin header (non-browser client)", want: http.StatusSwitchingProtocols},
		{name: "same origin", origin: "http://HOST", want: http.StatusSwitchingProtocols},
		{name: "same host over https at the load balancer", origin: "https://HOST", want: http.StatusSwitchingProtocols},
		{name: "other origin", origin: "https://evil.example", want: http.StatusForbidden},
		{name: "same host other port", origin: "http://127.0.0.1:1", want: http.StatusForbidden},
		{name: "null origin", origin: "null", want: http.StatusForbidden},
		{name: "not a URL", origin: "%%%", want: http.StatusForbidden},
		{name: "ftp scheme", origin: "ftp://HOST", want: http.StatusForbidden},
		{name: "allowed origin", allowed: []string{"https://app.example.com"}, origin: "https://app.example.com", want: http.StatusSwitchingProtocols},
		{name: "allowed origin, other case", allowed: []string{"https://app.example.com"}, origin: "https://APP.example.com", want: http.StatusSwitchingProtocols},
		{name: "allowed host, wrong scheme", allowed: []string{"https://app.example.com"}, origin: "http://app.example.com", want: http.StatusForbidden},
		{name: "allowed list does not allow others", allowed: []string{"https://app.example.com"}, origin: "https://evil.example", want: http.StatusForbidden},
		{name: "public host name behind a proxy", origin: "https://sample.example.com", host: "sample.example.com", want: http.StatusSwitchingProtocols},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.AllowedOrigins = tt.allowed
			r := startServer(t, cfg)
			hostPort := strings.TrimPrefix(r.base, "http://")
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", strings.ReplaceAll(tt.origin, "HOST", hostPort))
			}
			d := websocket.Dialer{HandshakeTimeout: testTimeout}
			if tt.host != "" {
				h.Set("Host", tt.host)
			}
			conn, resp, err := d.Dial(r.wsURL(), h)
			if conn != nil {
				defer conn.Close()
			}
			if resp == nil {
				t.Fatalf("no HTTP response: %v", err)
			}
			if resp.StatusCode != tt.want {
				t.Errorf("status = %d, want %d (err %v)", resp.StatusCode, tt.want, err)
			}
			if tt.want == http.StatusForbidden && !strings.Contains(r.logs.String(), "websocket origin rejected") {
				t.Errorf("rejection not logged:\n%s", r.logs)
			}
		})
	}
}

func TestEcho(t *testing.T) {
	r := startServer(t, testConfig())
	conn := mustDial(t, r.wsURL())
	for _, msg := range []string{"hello", "", "ünïcode ✓", "/allnot-a-broadcast"} {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		if got := readText(t, conn); got != msg {
			t.Errorf("echo = %q, want %q", got, msg)
		}
	}
	if err := conn.WriteMessage(websocket.BinaryMessage, []byte{0, 1, 2}); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(testTimeout))
	typ, data, err := conn.ReadMessage()
	if err != nil || typ != websocket.BinaryMessage || string(data) != "\x00\x01\x02" {
		t.Errorf("binary echo = %d %q %v, want binary 00 01 02", typ, data, err)
	}
}

func TestBroadcastReachesEveryClient(t *testing.T) {
	r := startServer(t, testConfig())
	conns := make([]*websocket.Conn, 3)
	for i := range conns {
		conns[i] = mustDial(t, r.wsURL())
	}
	waitFor(t, "3 registered clients", func() bool { return r.srv.hub.attached() == 3 })
	if err := conns[1].WriteMessage(websocket.TextMessage, []byte("/all hi everyone")); err != nil {
		t.Fatal(err)
	}
	for i, c := range conns {
		if got := readText(t, c); got != "hi everyone" {
			t.Errorf("client %d got %q, want %q", i, got, "hi everyone")
		}
	}
	// Echo still goes to the sender only.
	if err := conns[0].WriteMessage(websocket.TextMessage, []byte("just me")); err != nil {
		t.Fatal(err)
	}
	if got := readText(t, conns[0]); got != "just me" {
		t.Errorf("echo after broadcast = %q", got)
	}
	_ = conns[2].SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, data, err := conns[2].ReadMessage(); err == nil {
		t.Errorf("client 2 received another client's echo %q", data)
	}
}

func TestReadLimitClosesWith1009(t *testing.T) {
	cfg := testConfig()
	cfg.ReadLimit = 1024
	r := startServer(t, cfg)
	conn := mustDial(t, r.wsURL())
	if err := conn.WriteMessage(websocket.TextMessage, []byte(strings.Repeat("a", 1024))); err != nil {
		t.Fatal(err)
	}
	if got := readText(t, conn); len(got) != 1024 {
		t.Fatalf("message at the limit echoed with %d bytes, want 1024", len(got))
	}
	if err := conn.WriteMessage(websocket.TextMessage, []byte(strings.Repeat("a", 1025))); err != nil {
		t.Fatal(err)
	}
	code, err := readCloseCode(t, conn)
	if code != websocket.CloseMessageTooBig {
		t.Errorf("close code = %d (%v), want 1009", code, err)
	}
	waitFor(t, "disconnect log", func() bool {
		return strings.Contains(r.logs.String(), `"msg":"websocket disconnected","remote":`) &&
			strings.Contains(r.logs.String(), `"code":1009`)
	})
}

func TestConnectionLimit(t *testing.T) {
	cfg := testConfig()
	cfg.MaxConnections = 2
	r := startServer(t, cfg)
	first := mustDial(t, r.wsURL())
	mustDial(t, r.wsURL())
	_, resp, err := dialWS(t, r.wsURL(), "")
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("third connection: resp %v err %v, want 503", resp, err)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	// Closing one frees its slot.
	if err := first.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "slot released", func() bool { return r.srv.hub.count() == 1 })
	mustDial(t, r.wsURL())
}

func TestPingKeepsResponsiveClientAndDropsSilentOne(t *testing.T) {
	cfg := testConfig()
	cfg.PingInterval = 50 * time.Millisecond
	cfg.PongTimeout = 250 * time.Millisecond // slack for a loaded -race run
	r := startServer(t, cfg)

	// A client that reads answers pings automatically and stays connected
	// for several ping intervals.
	alive := mustDial(t, r.wsURL())
	pings := make(chan struct{}, 100)
	alive.SetPingHandler(func(data string) error {
		pings <- struct{}{}
		return alive.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	go func() {
		for {
			if _, _, err := alive.ReadMessage(); err != nil {
				return
			}
		}
	}()

	// A client whose pongs never come is dropped after ping + pong timeout.
	silent := mustDial(t, r.wsURL())
	silent.SetPingHandler(func(string) error { return nil })
	start := time.Now()
	_ = silent.SetReadDeadline(time.Now().Add(testTimeout))
	for {
		if _, _, err := silent.ReadMessage(); err != nil {
			break
		}
	}
	if elapsed := time.Since(start); elapsed < 200*time.Millisecond || elapsed > 3*time.Second {
		t.Errorf("silent client dropped after %s, want about 300ms", elapsed)
	}
	if len(pings) < 2 {
		t.Errorf("responsive client saw %d pings, want at least 2", len(pings))
	}
	// The server logs and releases the slot just after it drops the socket.
	waitFor(t, "pong timeout logged as 1006 by the server", func() bool {
		return strings.Contains(r.logs.String(), `"code":1006,"initiator":"server"`)
	})
	if n := r.srv.hub.count(); n != 1 {
		t.Errorf("connections = %d, want the responsive one only; log:\n%s", n, r.logs)
	}
}

func TestSlowConsumerIsClosed(t *testing.T) {
	cfg := testConfig()
	cfg.SendQueue = 1
	srv, _ := newTestServer(t, cfg)
	c := &client{send: make(chan outbound, 1), closeReq: make(chan struct{})}
	srv.hub.clients[c] = struct{}{}
	srv.hub.broadcast(outbound{messageType: websocket.TextMessage, data: []byte("1")})
	if code := c.serverCloseCode(); code != 0 {
		t.Fatalf("closed after one message with code %d", code)
	}
	srv.hub.broadcast(outbound{messageType: websocket.TextMessage, data: []byte("2")})
	if code := c.serverCloseCode(); code != websocket.ClosePolicyViolation {
		t.Errorf("close code = %d, want 1008 for a full queue", code)
	}
}

func TestUpgradeRefusedWhileShuttingDown(t *testing.T) {
	srv, _ := newTestServer(t, testConfig())
	srv.hub.closeAll(websocket.CloseGoingAway, "test")
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	_, resp, err := dialWS(t, "ws"+strings.TrimPrefix(ts.URL, "http")+"/ws", "")
	if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("upgrade during shutdown: resp %v err %v, want 503", resp, err)
	}
}
