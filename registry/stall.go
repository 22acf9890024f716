package registry

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// ErrStalled marks a response body that stopped arriving or arrived too
// slowly: a registry (or a proxy) that sends headers and then nothing, or
// drips a byte at a time, must end the run in bounded time, not hang it.
var ErrStalled = errors.New("transfer stalled")

// StallLimits bound how a response body may arrive. The zero value means
// the defaults; a negative field turns that bound off.
type StallLimits struct {
	// Idle is the longest wait for the next byte of a body.
	Idle time.Duration
	// MinRate is the slowest transfer, in bytes per second, accepted over
	// each Window of a body that is still arriving.
	MinRate int64
	Window  time.Duration
}

// Stall defaults: generous for a slow link, short enough for a CI job.
const (
	DefaultIdleTimeout = 30 * time.Second
	DefaultMinRate     = 1 << 10 // 1 KiB/s
	DefaultRateWindow  = 20 * time.Second
)

func (l StallLimits) withDefaults() StallLimits {
	if l.Idle == 0 {
		l.Idle = DefaultIdleTimeout
	}
	if l.MinRate == 0 {
		l.MinRate = DefaultMinRate
	}
	if l.Window == 0 {
		l.Window = DefaultRateWindow
	}
	return l
}

// stallTransport wraps every response body in a stallReader.
type stallTransport struct {
	inner  http.RoundTripper
	limits StallLimits
}

func (t *stallTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.inner.RoundTrip(req)
	if err != nil || resp.Body == nil || resp.Body == http.NoBody {
		return resp, err
	}
	resp.Body = newStallReader(resp.Body, req.Method+" "+req.URL.Redacted(), t.limits)
	return resp, nil
}

// stallReader measures only the time spent waiting inside Read: a caller
// that pauses between reads (a layer stream kept open for a later lookup)
// is not a slow registry. A timer armed during each Read closes the body
// when no byte comes within Idle; closing unblocks the Read, which then
// reports ErrStalled with what was slow. The rate is checked after each
// Read over the time spent waiting.
type stallReader struct {
	body   io.ReadCloser
	what   string
	limits StallLimits
	timer  *time.Timer

	mu      sync.Mutex
	reading uint64 // generation of the Read in progress; 0 when none
	gen     uint64
	stalled error

	waited time.Duration // inside Read since the rate window started
	got    int64         // bytes in that time
}

func newStallReader(body io.ReadCloser, what string, l StallLimits) *stallReader {
	return &stallReader{body: body, what: what, limits: l}
}

func (r *stallReader) fire(gen uint64) {
	r.mu.Lock()
	if r.reading != gen || r.stalled != nil {
		r.mu.Unlock()
		return
	}
	r.stalled = fmt.Errorf("%w: no data from %s for %s", ErrStalled, r.what, r.limits.Idle)
	r.mu.Unlock()
	r.body.Close()
}

func (r *stallReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	if r.stalled != nil {
		err := r.stalled
		r.mu.Unlock()
		return 0, err
	}
	r.gen++
	gen := r.gen
	r.reading = gen
	r.mu.Unlock()
	if r.limits.Idle > 0 {
		r.timer = time.AfterFunc(r.limits.Idle, func() { r.fire(gen) })
	}
	start := time.Now()
	n, err := r.body.Read(p)
	elapsed := time.Since(start)
	if r.timer != nil {
		r.timer.Stop()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reading = 0
	if r.stalled != nil {
		return n, r.stalled
	}
	r.waited += elapsed
	r.got += int64(n)
	if w := r.limits.Window; r.limits.MinRate > 0 && w > 0 && r.waited >= w && err == nil {
		if r.got*int64(time.Second) < r.limits.MinRate*int64(r.waited) {
			r.stalled = fmt.Errorf("%w: %s sent %d bytes in %s of waiting, slower than %d bytes/s", ErrStalled, r.what, r.got, r.waited.Round(time.Millisecond), r.limits.MinRate)
			r.body.Close()
			return n, r.stalled
		}
		r.waited, r.got = 0, 0
	}
	return n, err
}

func (r *stallReader) Close() error {
	r.mu.Lock()
	r.reading = 0
	r.mu.Unlock()
	if r.timer != nil {
		r.timer.Stop()
	}
	return r.body.Close()
}
