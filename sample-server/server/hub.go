package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

var (
	errHubFull    = errors.New("connection limit reached")
	errHubClosing = errors.New("server is shutting down")
)

// hub tracks the WebSocket connections: it enforces the connection limit,
// fans broadcasts out, and closes every socket at shutdown, which
// http.Server.Shutdown cannot do because it forgets hijacked connections.
type hub struct {
	limit int

	mu       sync.Mutex
	reserved int // slots taken, including upgrades still in progress
	clients  map[*client]struct{}
	closing  bool
	active   sync.WaitGroup // one per reserved slot, so shutdown can wait
}

func newHub(limit int) *hub {
	return &hub{limit: limit, clients: make(map[*client]struct{})}
}

// reserve takes a connection slot before the upgrade, so the limit also
// counts handshakes in flight. Every successful reserve needs one release.
func (h *hub) reserve() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return errHubClosing
	}
	if h.reserved >= h.limit {
		return errHubFull
	}
	h.reserved++
	h.active.Add(1) // under mu and before closing, so it happens before wait
	return nil
}

// attach registers an upgraded client; false means shutdown began meanwhile.
func (h *hub) attach(c *client) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.clients[c] = struct{}{}
	return true
}

// release frees the slot of c (nil for a failed upgrade). It returns the
// number of slots still taken.
func (h *hub) release(c *client) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c != nil {
		delete(h.clients, c)
	}
	h.reserved--
	h.active.Done()
	return h.reserved
}

// count reports the taken slots.
func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reserved
}

// broadcast queues msg to every client. A client whose queue is full is
// closed with 1008 instead of blocking everyone else.
func (h *hub) broadcast(msg outbound) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		if !c.enqueue(msg) {
			c.close(closePolicyViolation, "send queue full")
		}
	}
	return len(h.clients)
}

// closeAll refuses new connections and asks every client to close with code.
func (h *hub) closeAll(code int, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closing = true
	for c := range h.clients {
		c.close(code, reason)
	}
}

// forceClose drops the network connection of every remaining client.
func (h *hub) forceClose() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		_ = c.conn.Close()
	}
}

// wait blocks until every slot is released or ctx ends. Call it only after
// closeAll, so no slot can be reserved concurrently.
func (h *hub) wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		h.active.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%d websocket connections still open: %w", h.count(), ctx.Err())
	}
}

// attached reports the upgraded clients that receive broadcasts.
func (h *hub) attached() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}
