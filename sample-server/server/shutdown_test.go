package server

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestGracefulShutdown stops a server that has an open WebSocket and a slow
// request in flight: readiness fails at once, the request completes with
// 200, the socket gets close code 1001, and Serve returns nil.
func TestGracefulShutdown(t *testing.T) {
	cfg := testConfig()
	cfg.DrainDelay = 300 * time.Millisecond
	srv, logs := newTestServer(t, cfg)
	slowStarted := make(chan struct{})
	srv.mux.HandleFunc("GET /test/slow", func(w http.ResponseWriter, r *http.Request) {
		close(slowStarted)
		time.Sleep(700 * time.Millisecond) // outlasts the drain delay: still running when Shutdown starts
		_, _ = w.Write([]byte("done"))
	})
	r := serve(t, srv, logs)
	conn := mustDial(t, r.wsURL())
	waitFor(t, "client registered", func() bool { return srv.hub.attached() == 1 })

	type result struct {
		status int
		body   string
		err    error
	}
	slow := make(chan result, 1)
	go func() {
		client := &http.Client{Timeout: testTimeout}
		resp, err := client.Get(r.base + "/test/slow")
		if err != nil {
			slow <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		slow <- result{status: resp.StatusCode, body: string(body), err: err}
	}()
	<-slowStarted

	stopAt := time.Now()
	r.stop()
	waitFor(t, "not ready", func() bool { return !srv.Ready() })
	if d := time.Since(stopAt); d >= cfg.DrainDelay {
		t.Errorf("readiness flipped after %s, want at once (before the %s drain delay ends)", d, cfg.DrainDelay)
	}
	// During the drain delay the listener still answers, with 503.
	resp, body := get(t, r.base+"/readyz")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz during drain = %d %q, want 503", resp.StatusCode, body)
	}

	code, err := readCloseCode(t, conn)
	if code != websocket.CloseGoingAway {
		t.Errorf("websocket close code = %d (%v), want 1001", code, err)
	}
	res := <-slow
	if res.err != nil || res.status != http.StatusOK || res.body != "done" {
		t.Errorf("in-flight request: %d %q err %v, want 200 done", res.status, res.body, res.err)
	}
	select {
	case err := <-r.served:
		if err != nil {
			t.Errorf("Serve = %v, want nil after a clean stop", err)
		}
		r.served <- err // for the cleanup
	case <-time.After(testTimeout):
		t.Fatal("Serve did not return")
	}
	if _, err := http.Get(r.base + "/healthz"); err == nil {
		t.Error("server still accepts connections after Serve returned")
	}
	for _, want := range []string{`"msg":"shutting down"`, `"msg":"websocket disconnected"`, `"code":1001,"initiator":"server"`, `"msg":"stopped"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
}

// TestShutdownTimeout: a request that outlives ShutdownTimeout makes Serve
// return an error instead of hanging past the ECS stopTimeout.
func TestShutdownTimeout(t *testing.T) {
	cfg := testConfig()
	cfg.ShutdownTimeout = 100 * time.Millisecond
	srv, logs := newTestServer(t, cfg)
	release := make(chan struct{})
	started := make(chan struct{})
	srv.mux.HandleFunc("GET /test/stuck", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})
	defer close(release)
	r := serve(t, srv, logs)
	go func() {
		client := &http.Client{Timeout: testTimeout}
		if resp, err := client.Get(r.base + "/test/stuck"); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	start := time.Now()
	r.stop()
	select {
	case err := <-r.served:
		if err == nil || !strings.Contains(err.Error(), "graceful shutdown exceeded 100ms") {
			t.Errorf("Serve = %v, want a shutdown timeout error", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("Serve returned after %s, want about 100ms", d)
		}
		r.served <- err
	case <-time.After(testTimeout):
		t.Fatal("Serve did not return")
	}
}
