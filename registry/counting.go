package registry

import (
	"io"
	"net/http"
	"sync/atomic"
)

// Counter counts HTTP requests sent and response body bytes received (as
// they came over the wire, before any decompression). Safe for concurrent
// use; share one across everything that should be counted together.
type Counter struct {
	requests atomic.Int64
	bytes    atomic.Int64
}

// Requests returns how many requests were sent, retries included.
func (c *Counter) Requests() int64 { return c.requests.Load() }

// Bytes returns how many response body bytes were read.
func (c *Counter) Bytes() int64 { return c.bytes.Load() }

// AddBytes is for readers that get bytes from elsewhere but want them in
// the same count (tests).
func (c *Counter) AddBytes(n int64) { c.bytes.Add(n) }

type countingTransport struct {
	inner   http.RoundTripper
	counter *Counter
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.counter.requests.Add(1)
	resp, err := t.inner.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &countingBody{ReadCloser: resp.Body, counter: t.counter}
	return resp, nil
}

type countingBody struct {
	io.ReadCloser
	counter *Counter
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.counter.bytes.Add(int64(n))
	return n, err
}
