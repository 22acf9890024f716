// Package cdp is a minimal Chrome DevTools Protocol client for tests: it
// launches a headless Chromium, opens its page target over a WebSocket, and
// sends the few commands the end-to-end tests need (navigate, evaluate,
// screenshot). It speaks only to loopback addresses the browser printed.
package cdp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// maxMessageBytes bounds one protocol message; a full-page screenshot of a
// default 800x600 viewport is well below it.
const maxMessageBytes = 64 << 20

// Error is an error answer to a command, as the protocol reports it.
type Error struct {
	Method  string
	Code    int
	Message string
	Data    string
}

func (e *Error) Error() string {
	if e.Data != "" {
		return fmt.Sprintf("cdp %s: %s (code %d): %s", e.Method, e.Message, e.Code, e.Data)
	}
	return fmt.Sprintf("cdp %s: %s (code %d)", e.Method, e.Message, e.Code)
}

// Event is a notification the browser sent without being asked.
type Event struct {
	Method string
	Params json.RawMessage
}

// ErrClosed is returned by calls on a connection that has ended.
var ErrClosed = errors.New("cdp connection closed")

// message is every frame of the protocol: a command answer carries ID and
// Result or Error, an event carries Method and Params.
type message struct {
	ID     int64           `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    string `json:"data,omitempty"`
	} `json:"error,omitempty"`
}

// decodeMessage parses one frame and rejects frames that are neither an
// answer nor an event, so a confused peer fails loudly instead of hanging
// a call.
func decodeMessage(data []byte) (message, error) {
	var m message
	if err := json.Unmarshal(data, &m); err != nil {
		return message{}, fmt.Errorf("decoding cdp message: %w", err)
	}
	switch {
	case m.ID > 0 && m.Method == "":
		return m, nil
	case m.ID == 0 && m.Method != "":
		return m, nil
	default:
		return message{}, fmt.Errorf("cdp message with id %d and method %q is neither an answer nor an event", m.ID, m.Method)
	}
}

// Conn is one WebSocket session with a target. Calls may run from several
// goroutines; one reader goroutine hands answers and events out.
type Conn struct {
	ws *websocket.Conn

	writeMu sync.Mutex // gorilla allows one writer at a time

	mu          sync.Mutex
	nextID      int64
	pending     map[int64]chan message
	subscribers map[int]subscriber
	nextSub     int
	err         error // why the reader stopped; set once before done closes

	done chan struct{}
}

type subscriber struct {
	method string
	ch     chan Event
}

// Dial opens a session on a target's webSocketDebuggerUrl.
func Dial(ctx context.Context, wsURL string) (*Conn, error) {
	dialer := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	ws, resp, err := dialer.DialContext(ctx, wsURL, http.Header{})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dialing devtools %s: %s: %w", wsURL, resp.Status, err)
		}
		return nil, fmt.Errorf("dialing devtools %s: %w", wsURL, err)
	}
	ws.SetReadLimit(maxMessageBytes)
	c := &Conn{
		ws:          ws,
		pending:     make(map[int64]chan message),
		subscribers: make(map[int]subscriber),
		done:        make(chan struct{}),
	}
	go c.readLoop()
	return c, nil
}

// Close ends the session; pending calls return ErrClosed.
func (c *Conn) Close() error {
	err := c.ws.Close()
	<-c.done
	return err
}

func (c *Conn) readLoop() {
	err := c.read()
	c.mu.Lock()
	c.err = err
	c.mu.Unlock()
	close(c.done)
}

func (c *Conn) read() error {
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrClosed, err)
		}
		m, err := decodeMessage(data)
		if err != nil {
			_ = c.ws.Close()
			return fmt.Errorf("%w: %w", ErrClosed, err)
		}
		c.dispatch(m)
	}
}

func (c *Conn) dispatch(m message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.ID > 0 {
		if ch, ok := c.pending[m.ID]; ok {
			delete(c.pending, m.ID)
			ch <- m // buffered, one slot per call
		}
		return
	}
	for _, s := range c.subscribers {
		if s.method != m.Method {
			continue
		}
		select {
		case s.ch <- Event{Method: m.Method, Params: m.Params}:
		default: // a subscriber that does not keep up misses events, never blocks the reader
		}
	}
}

// Subscribe delivers the events named method until cancel is called. The
// channel buffers 128 events; more are dropped while it is full.
func (c *Conn) Subscribe(method string) (events <-chan Event, cancel func()) {
	ch := make(chan Event, 128)
	c.mu.Lock()
	id := c.nextSub
	c.nextSub++
	c.subscribers[id] = subscriber{method: method, ch: ch}
	c.mu.Unlock()
	return ch, func() {
		c.mu.Lock()
		delete(c.subscribers, id)
		c.mu.Unlock()
	}
}

// Done is closed when the session has ended.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Call sends method with params and decodes the answer into result (which
// may be nil). It returns an *Error when the browser refuses the command.
func (c *Conn) Call(ctx context.Context, method string, params, result any) error {
	if params == nil {
		params = struct{}{}
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("encoding params of %s: %w", method, err)
	}
	answer := make(chan message, 1)
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return fmt.Errorf("calling %s: %w", method, err)
	}
	c.nextID++
	id := c.nextID
	c.pending[id] = answer
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()

	frame, err := json.Marshal(message{ID: id, Method: method, Params: raw})
	if err != nil {
		return fmt.Errorf("encoding %s: %w", method, err)
	}
	if err := c.write(ctx, frame); err != nil {
		return fmt.Errorf("sending %s: %w", method, err)
	}
	select {
	case m := <-answer:
		if m.Error != nil {
			return &Error{Method: method, Code: m.Error.Code, Message: m.Error.Message, Data: m.Error.Data}
		}
		if result == nil {
			return nil
		}
		if err := json.Unmarshal(m.Result, result); err != nil {
			return fmt.Errorf("decoding answer to %s: %w", method, err)
		}
		return nil
	case <-c.done:
		c.mu.Lock()
		err := c.err
		c.mu.Unlock()
		return fmt.Errorf("waiting for %s: %w", method, err)
	case <-ctx.Done():
		return fmt.Errorf("waiting for %s: %w", method, ctx.Err())
	}
}

func (c *Conn) write(ctx context.Context, frame []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := c.ws.SetWriteDeadline(deadline); err != nil {
		return err
	}
	return c.ws.WriteMessage(websocket.TextMessage, frame)
}
