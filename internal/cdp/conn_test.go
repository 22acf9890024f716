package cdp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// scriptedPeer is a DevTools endpoint on 127.0.0.1 that answers each
// command with whatever answer returns for it; a nil answer means no reply.
// Answers go out from their own goroutines, so they may come out of order.
func scriptedPeer(t *testing.T, answer func(conn *peerConn, id int64, method string, params json.RawMessage)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		pc := &peerConn{ws: ws}
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var m message
			if err := json.Unmarshal(data, &m); err != nil {
				t.Errorf("peer got a frame that is not JSON: %q", data)
				return
			}
			go answer(pc, m.ID, m.Method, m.Params)
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

type peerConn struct {
	mu sync.Mutex
	ws *websocket.Conn
}

func (p *peerConn) send(frame string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.ws.WriteMessage(websocket.TextMessage, []byte(frame))
}

func (p *peerConn) result(id int64, result string) {
	p.send(fmt.Sprintf(`{"id":%d,"result":%s}`, id, result))
}

func dialPeer(t *testing.T, url string) *Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestCallMatchesOutOfOrderAnswers(t *testing.T) {
	url := scriptedPeer(t, func(pc *peerConn, id int64, method string, params json.RawMessage) {
		var p struct{ N int }
		_ = json.Unmarshal(params, &p)
		time.Sleep(time.Duration(50-p.N) * time.Millisecond) // later calls answer first
		pc.result(id, string(params))
	})
	c := dialPeer(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for n := range 50 {
		wg.Go(func() {
			var got struct{ N int }
			if err := c.Call(ctx, "Echo.params", map[string]int{"N": n}, &got); err != nil {
				t.Errorf("call %d: %v", n, err)
			} else if got.N != n {
				t.Errorf("call %d got the answer for %d", n, got.N)
			}
		})
	}
	wg.Wait()
}

func TestCallErrorsAndEvents(t *testing.T) {
	url := scriptedPeer(t, func(pc *peerConn, id int64, method string, params json.RawMessage) {
		switch method {
		case "Fail":
			pc.send(fmt.Sprintf(`{"id":%d,"error":{"code":-32000,"message":"nope","data":"detail"}}`, id))
		case "Emit":
			pc.send(`{"method":"Test.other","params":{"n":0}}`)
			pc.send(`{"method":"Test.event","params":{"n":7}}`)
			pc.result(id, `{}`)
		case "Silent":
		default:
			pc.result(id, `{"ok":true}`)
		}
	})
	c := dialPeer(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var ce *Error
	if err := c.Call(ctx, "Fail", nil, nil); !errors.As(err, &ce) || ce.Code != -32000 || ce.Data != "detail" || ce.Method != "Fail" {
		t.Errorf("Call(Fail) = %v, want a protocol *Error", err)
	}

	events, stop := c.Subscribe("Test.event")
	defer stop()
	if err := c.Call(ctx, "Emit", nil, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-events:
		if ev.Method != "Test.event" || string(ev.Params) != `{"n":7}` {
			t.Errorf("event = %s %s", ev.Method, ev.Params)
		}
	case <-ctx.Done():
		t.Fatal("no event")
	}

	short, cancelShort := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancelShort()
	if err := c.Call(short, "Silent", nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Call(Silent) = %v, want the context deadline", err)
	}
	var bad struct{ OK string }
	if err := c.Call(ctx, "Other", nil, &bad); err == nil || !strings.Contains(err.Error(), "decoding answer to Other") {
		t.Errorf("Call with a mistyped result = %v, want a decoding error", err)
	}
}

func TestPeerGarbageEndsTheConnection(t *testing.T) {
	for _, frame := range []string{`not json`, `{"id":0}`, `{"id":3,"method":"Both.set"}`, `[]`} {
		t.Run(frame, func(t *testing.T) {
			url := scriptedPeer(t, func(pc *peerConn, id int64, method string, params json.RawMessage) {
				pc.send(frame)
			})
			c := dialPeer(t, url)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := c.Call(ctx, "Any", nil, nil); !errors.Is(err, ErrClosed) {
				t.Fatalf("Call after garbage = %v, want ErrClosed", err)
			}
			if err := c.Call(ctx, "Again", nil, nil); !errors.Is(err, ErrClosed) {
				t.Errorf("Call on the ended connection = %v, want ErrClosed", err)
			}
		})
	}
}

func TestDecodeMessage(t *testing.T) {
	for _, tt := range []struct {
		frame string
		ok    bool
	}{
		{`{"id":1,"result":{}}`, true},
		{`{"id":2,"error":{"code":-32601,"message":"no such method"}}`, true},
		{`{"method":"Page.loadEventFired","params":{"timestamp":1}}`, true},
		{``, false},
		{`{`, false},
		{`null`, false},
		{`{}`, false},
		{`{"id":-1,"result":{}}`, false},
		{`{"id":1,"method":"X"}`, false},
		{`{"id":"1"}`, false},
		{`{"id":1.5}`, false},
		{`{"method":7}`, false},
		{`{"id":1,"error":"text"}`, false},
	} {
		_, err := decodeMessage([]byte(tt.frame))
		if (err == nil) != tt.ok {
			t.Errorf("decodeMessage(%q) error = %v, want ok=%v", tt.frame, err, tt.ok)
		}
	}
}

// FuzzDecodeMessage checks that an accepted frame is exactly one of an
// answer and an event.
func FuzzDecodeMessage(f *testing.F) {
	f.Add([]byte(`{"id":1,"result":{"x":[1,2]}}`))
	f.Add([]byte(`{"method":"Page.lifecycleEvent","params":{"name":"load"}}`))
	f.Add([]byte(`{"id":9,"error":{"code":1,"message":"m","data":"d"}}`))
	f.Fuzz(func(t *testing.T, frame []byte) {
		m, err := decodeMessage(frame)
		if err != nil {
			return
		}
		if (m.ID > 0) == (m.Method != "") {
			t.Fatalf("accepted %q as id %d method %q", frame, m.ID, m.Method)
		}
	})
}

func TestParseTargets(t *testing.T) {
	got, err := parseTargets([]byte(`[{"id":"A","type":"page","url":"about:blank","webSocketDebuggerUrl":"ws://127.0.0.1:1/devtools/page/A"},{"id":"B","type":"browser_ui"}]`))
	if err != nil || len(got) != 2 || got[0].WebSocketDebuggerURL != "ws://127.0.0.1:1/devtools/page/A" || got[1].Type != "browser_ui" {
		t.Errorf("parseTargets = %+v, %v", got, err)
	}
	for _, body := range []string{``, `{}`, `[`, `[{"id":1}]`, strings.Repeat(" ", maxTargetListBytes+1)} {
		if _, err := parseTargets([]byte(body)); err == nil {
			t.Errorf("parseTargets(%.20q...) accepted a malformed list", body)
		}
	}
}

func TestPageCommands(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\nrest")
	releaseLoad := make(chan struct{})
	url := scriptedPeer(t, func(pc *peerConn, id int64, method string, params json.RawMessage) {
		switch method {
		case "Page.navigate":
			if strings.Contains(string(params), ":2/") {
				pc.result(id, `{"frameId":"F","loaderId":"L3","errorText":"net::ERR_CONNECTION_REFUSED"}`)
				return
			}
			if strings.Contains(string(params), "#") {
				pc.result(id, `{"frameId":"F"}`) // same document: no loader
				return
			}
			pc.result(id, `{"frameId":"F","loaderId":"L2"}`)
			pc.send(`{"method":"Page.lifecycleEvent","params":{"frameId":"F","loaderId":"L1","name":"load"}}`)
			pc.send(`{"method":"Page.lifecycleEvent","params":{"frameId":"F","loaderId":"L2","name":"DOMContentLoaded"}}`)
			<-releaseLoad
			pc.send(`{"method":"Page.lifecycleEvent","params":{"frameId":"F","loaderId":"L2","name":"load"}}`)
		case "Runtime.evaluate":
			var p struct {
				Expression    string
				AwaitPromise  bool
				ReturnByValue bool
			}
			_ = json.Unmarshal(params, &p)
			switch {
			case !p.AwaitPromise || !p.ReturnByValue:
				pc.result(id, `{"result":{"type":"undefined"}}`)
			case p.Expression == "throw":
				pc.result(id, `{"result":{"type":"object"},"exceptionDetails":{"text":"Uncaught","exception":{"type":"object","description":"Error: boom"}}}`)
			case p.Expression == "undefined":
				pc.result(id, `{"result":{"type":"undefined"}}`)
			default:
				pc.result(id, `{"result":{"type":"object","value":{"platform":"linux/amd64"}}}`)
			}
		case "Page.captureScreenshot":
			pc.result(id, fmt.Sprintf(`{"data":%q}`, base64.StdEncoding.EncodeToString(png)))
		}
	})
	p := &Page{conn: dialPeer(t, url)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	navigated := make(chan error, 1)
	go func() { navigated <- p.Navigate(ctx, "http://127.0.0.1:1/") }()
	select {
	case err := <-navigated:
		t.Fatalf("Navigate returned %v before its own load event (on another loader's load or DOMContentLoaded)", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(releaseLoad)
	if err := <-navigated; err != nil {
		t.Fatalf("Navigate: %v", err)
	}
	if err := p.Navigate(ctx, "http://127.0.0.1:2/"); err == nil || !strings.Contains(err.Error(), "ERR_CONNECTION_REFUSED") {
		t.Errorf("Navigate to a dead port = %v, want the browser's error text", err)
	}
	if err := p.Navigate(ctx, "http://127.0.0.1:1/#section"); err != nil {
		t.Errorf("same-document Navigate: %v", err)
	}
	var got struct{ Platform string }
	if err := p.Evaluate(ctx, "ok", &got); err != nil || got.Platform != "linux/amd64" {
		t.Errorf("Evaluate = %+v, %v", got, err)
	}
	if err := p.Evaluate(ctx, "throw", &got); err == nil || !strings.Contains(err.Error(), "Error: boom") {
		t.Errorf("Evaluate(throw) = %v, want the exception's description", err)
	}
	if err := p.Evaluate(ctx, "undefined", &got); err == nil || !strings.Contains(err.Error(), "undefined") {
		t.Errorf("Evaluate(undefined) = %v, want an error naming the type", err)
	}
	shot, err := p.Screenshot(ctx)
	if err != nil || string(shot) != string(png) {
		t.Errorf("Screenshot = %q, %v", shot, err)
	}
}
