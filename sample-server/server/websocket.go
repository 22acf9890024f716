package server

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// broadcastPrefix marks a message to send to every connected client.
const broadcastPrefix = "/all "

// originAllowed implements the origin check: requests without Origin come
// from non-browser clients and pass; browsers must be same-origin (Origin's
// host equals Host, whatever the scheme, because TLS usually ends at the
// load balancer) or match one of allowed exactly.
func originAllowed(r *http.Request, allowed []string) bool {
	origin := r.Header.Values("Origin")
	if len(origin) == 0 {
		return true
	}
	if len(origin) > 1 {
		return false
	}
	// A browser sends a serialized origin, scheme://host[:port]; anything
	// else (a path, a fragment, "null") is refused.
	normalized, err := normalizeOrigin(origin[0])
	if err != nil {
		return false
	}
	_, host, _ := strings.Cut(normalized, "://")
	if strings.EqualFold(host, r.Host) {
		return true
	}
	return slices.Contains(allowed, normalized)
}

// handleWebSocket upgrades to a WebSocket that echoes every message and
// broadcasts messages starting with "/all ".
func (s *Server) handleWebSocket(w http.ResponseWriter, r *http.Request) {
	if !originAllowed(r, s.cfg.AllowedOrigins) {
		s.log.Warn("websocket origin rejected", "origin", r.Header.Get("Origin"), "host", r.Host, "remote", r.RemoteAddr)
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	if err := s.hub.reserve(); err != nil {
		s.log.Warn("websocket refused", "reason", err.Error(), "remote", r.RemoteAddr)
		w.Header().Set("Retry-After", "5")
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	upgrader := websocket.Upgrader{
		HandshakeTimeout: s.cfg.WriteTimeout,
		// Checked above with a logged reason; repeated here so the upgrader
		// can never fall back to accepting any origin.
		CheckOrigin: func(r *http.Request) bool { return originAllowed(r, s.cfg.AllowedOrigins) },
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.hub.release(nil) // Upgrade already answered with an HTTP error
		return
	}
	c := newClient(conn, s.cfg.SendQueue)
	if !s.hub.attach(c) {
		msg := websocket.FormatCloseMessage(closeGoingAway, "server shutting down")
		_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(s.cfg.WriteTimeout))
		_ = conn.Close()
		s.hub.release(nil)
		return
	}
	s.serveClient(c, r.RemoteAddr)
}

// serveClient runs the reader on this goroutine and the writer on another,
// and logs the connection's end with its close code.
func (s *Server) serveClient(c *client, remote string) {
	start := time.Now()
	s.log.Info("websocket connected", "remote", remote, "connections", s.hub.count())

	readerDone := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		c.writeLoop(s.cfg, readerDone)
	}()
	err := s.readLoop(c)
	close(readerDone)
	<-writerDone
	_ = c.conn.Close()

	code, initiator := closeCodeOf(err, c.serverCloseCode())
	attrs := []any{"remote", remote, "code", code, "initiator", initiator,
		"duration_ms", msSince(start), "connections", s.hub.count() - 1}
	var ce *websocket.CloseError
	if !errors.As(err, &ce) && c.serverCloseCode() == 0 { // readLoop always says why it ended
		attrs = append(attrs, "error", err.Error())
	}
	// Log before releasing the slot: shutdown waits for the slots, and a
	// line logged after it would be lost when the process exits.
	s.log.Info("websocket disconnected", attrs...)
	s.hub.release(c)
}

// readLoop reads until the connection fails or closes, and returns why.
func (s *Server) readLoop(c *client) error {
	c.conn.SetReadLimit(s.cfg.ReadLimit)
	_ = c.conn.SetReadDeadline(readDeadline(s.cfg))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(readDeadline(s.cfg))
	})
	for {
		messageType, data, err := c.conn.ReadMessage()
		if err != nil {
			return err
		}
		_ = c.conn.SetReadDeadline(readDeadline(s.cfg))
		if text, ok := bytes.CutPrefix(data, []byte(broadcastPrefix)); ok && messageType == websocket.TextMessage {
			s.hub.broadcast(outbound{messageType: websocket.TextMessage, data: text})
			continue
		}
		if !c.enqueue(outbound{messageType: messageType, data: data}) {
			c.close(closePolicyViolation, "send queue full")
		}
	}
}

func msSince(t time.Time) float64 {
	return float64(time.Since(t).Microseconds()) / 1000
}
