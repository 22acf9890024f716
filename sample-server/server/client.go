package server

import (
	"errors"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Close codes from RFC 6455 section 7.4.1 that the server sends or logs.
const (
	closeGoingAway       = websocket.CloseGoingAway       // 1001
	closeAbnormal        = websocket.CloseAbnormalClosure // 1006
	closePolicyViolation = websocket.ClosePolicyViolation // 1008
	closeMessageTooBig   = websocket.CloseMessageTooBig   // 1009
)

// outbound is one message waiting for a client's writer goroutine.
type outbound struct {
	messageType int
	data        []byte
}

// client is one WebSocket connection. Only its writer goroutine writes data
// frames, so writes never race; gorilla allows WriteControl and Close from
// any goroutine.
type client struct {
	conn *websocket.Conn
	send chan outbound

	closeOnce   sync.Once
	closeReq    chan struct{} // closed when the server wants to close
	closeCode   int           // set once, before closeReq is closed
	closeReason string
}

func newClient(conn *websocket.Conn, queue int) *client {
	return &client{
		conn:     conn,
		send:     make(chan outbound, queue),
		closeReq: make(chan struct{}),
	}
}

// enqueue queues msg without blocking; false means the queue is full.
func (c *client) enqueue(msg outbound) bool {
	select {
	case c.send <- msg:
		return true
	default:
		return false
	}
}

// close asks the writer to send a close frame; only the first call counts.
func (c *client) close(code int, reason string) {
	c.closeOnce.Do(func() {
		c.closeCode = code
		c.closeReason = reason
		close(c.closeReq)
	})
}

// serverCloseCode is the code the server asked for, or 0 if it never did.
func (c *client) serverCloseCode() int {
	select {
	case <-c.closeReq:
		return c.closeCode
	default:
		return 0
	}
}

// writeLoop sends queued messages and pings until the reader ends or the
// server closes the connection. It returns after the network connection is
// closed or the reader is gone.
func (c *client) writeLoop(cfg Config, readerDone <-chan struct{}) {
	ping := time.NewTicker(cfg.PingInterval)
	defer ping.Stop()
	for {
		select {
		case msg := <-c.send:
			_ = c.conn.SetWriteDeadline(time.Now().Add(cfg.WriteTimeout))
			if err := c.conn.WriteMessage(msg.messageType, msg.data); err != nil {
				_ = c.conn.Close() // wakes the reader up
				return
			}
		case <-ping.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(cfg.WriteTimeout)); err != nil {
				_ = c.conn.Close()
				return
			}
		case <-c.closeReq:
			msg := websocket.FormatCloseMessage(c.closeCode, c.closeReason)
			_ = c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(cfg.WriteTimeout))
			// Give the peer time to answer with its close frame, which ends
			// the reader; then drop the connection either way.
			grace := time.NewTimer(cfg.WriteTimeout)
			select {
			case <-readerDone:
			case <-grace.C:
			}
			grace.Stop()
			_ = c.conn.Close()
			return
		case <-readerDone:
			return
		}
	}
}

// readDeadline is when the next frame must have arrived: a pong is due
// within PongTimeout of each ping.
func readDeadline(cfg Config) time.Time {
	return time.Now().Add(cfg.PingInterval + cfg.PongTimeout)
}

// closeCodeOf says how a connection ended, as a close code for the log.
func closeCodeOf(err error, serverCode int) (code int, initiator string) {
	var ce *websocket.CloseError
	switch {
	case serverCode != 0:
		return serverCode, "server"
	case errors.As(err, &ce):
		return ce.Code, "client"
	case errors.Is(err, websocket.ErrReadLimit):
		return closeMessageTooBig, "server"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return closeAbnormal, "server" // no pong in time
	}
	return closeAbnormal, "client"
}
