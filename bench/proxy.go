package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxLoggedRequests bounds the request log of one measurement; a peer tool
// gone wild must not exhaust memory.
const maxLoggedRequests = 100_000

// requestRecord is one request that went through the proxy.
type requestRecord struct {
	Method   string
	Path     string
	Range    bool
	Status   int
	Down, Up int64 // response body bytes sent to the client, request body bytes received
}

// traffic is what the proxy counted since the last reset.
type traffic struct {
	Requests    int
	BytesDown   int64 // response bodies, to the client
	BytesUp     int64 // request bodies, from the client
	BlobBytesUp int64 // request bodies of blob uploads (layers, configs)
	Log         []requestRecord
}

// pathGets is how one manifest or blob path was fetched.
type pathGets struct {
	Kind string // "manifest", "blob" (whole) or "layer range"
	N    int
}

// getsByPath returns, per manifest or blob path, how many GET requests
// fetched it (each ranged read counts).
func (t traffic) getsByPath() map[string]pathGets {
	out := map[string]pathGets{}
	for _, r := range t.Log {
		if r.Method != http.MethodGet || strings.Contains(r.Path, "/uploads/") {
			continue
		}
		kind := ""
		switch {
		case strings.Contains(r.Path, "/manifests/"):
			kind = "manifest"
		case strings.Contains(r.Path, "/blobs/") && r.Range:
			kind = "layer range"
		case strings.Contains(r.Path, "/blobs/"):
			kind = "blob"
		default:
			continue
		}
		g := out[r.Path]
		if g.Kind == "" || kind == "layer range" {
			g.Kind = kind
		}
		g.N++
		out[r.Path] = g
	}
	return out
}

// countingProxy is a reverse proxy on 127.0.0.1 in front of the registry
// that counts requests and body bytes in both directions.
type countingProxy struct {
	Host string // 127.0.0.1:PORT
	srv  *http.Server

	active atomic.Int64 // requests being served

	mu sync.Mutex
	t  traffic
}

func startProxy(target string) (*countingProxy, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &countingProxy{Host: l.Addr().String()}
	to := &url.URL{Scheme: "http", Host: target}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(to)
			// The registry builds upload Locations from Host: keep ours so
			// every follow-up request comes back through the proxy.
			r.Out.Host = r.In.Host
		},
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64, ResponseHeaderTimeout: 2 * time.Minute},
	}
	p.srv = &http.Server{Handler: p.handler(rp), ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = p.srv.Serve(l) }()
	return p, nil
}

func (p *countingProxy) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.active.Add(1)
		defer p.active.Add(-1)
		var up atomic.Int64
		if r.Body != nil {
			r.Body = &countingReader{rc: r.Body, n: &up}
		}
		cw := &countingWriter{ResponseWriter: w, status: http.StatusOK}
		// Deferred: ReverseProxy panics with http.ErrAbortHandler when the
		// client hangs up mid-body (a pipeline closed by head -c), and
		// those bytes count too.
		defer p.record(r, cw, &up)
		next.ServeHTTP(cw, r)
	})
}

func (p *countingProxy) record(r *http.Request, cw *countingWriter, up *atomic.Int64) {
	rec := requestRecord{
		Method: r.Method, Path: r.URL.Path, Range: r.Header.Get("Range") != "",
		Status: cw.status, Down: cw.n, Up: up.Load(),
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.t.Requests++
	p.t.BytesDown += rec.Down
	p.t.BytesUp += rec.Up
	if strings.Contains(rec.Path, "/blobs/uploads/") {
		p.t.BlobBytesUp += rec.Up
	}
	if len(p.t.Log) < maxLoggedRequests {
		p.t.Log = append(p.t.Log, rec)
	}
}

// Take returns the counters and resets them, after the requests in flight
// (a client killed by SIGPIPE leaves its last response half sent) end.
func (p *countingProxy) Take() traffic {
	for deadline := time.Now().Add(10 * time.Second); p.active.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.t
	p.t = traffic{}
	return t
}

func (p *countingProxy) Close(ctx context.Context) error {
	err := p.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return p.srv.Close()
	}
	return err
}

type countingReader struct {
	rc io.ReadCloser
	n  *atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.rc.Read(b)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingReader) Close() error { return c.rc.Close() }

// countingWriter counts the body bytes that reached the client connection.
type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (c *countingWriter) WriteHeader(code int) {
	c.status = code
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush on the real writer.
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
