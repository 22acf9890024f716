package imagetest

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Request is one request the test registry served.
type Request struct {
	Method string
	Path   string
	Range  string // the Range header, if any
	Status int
	Bytes  int64 // response body bytes written
}

// TestRegistry is go-containerregistry's in-memory registry on 127.0.0.1
// (it honours Range on blob GETs) with a log of every request.
type TestRegistry struct {
	Host string // 127.0.0.1:port
	srv  *httptest.Server

	mu       sync.Mutex
	requests []Request
	noRange  bool
	inflight int
}

// Registry starts a registry for the test and stops it at cleanup.
func Registry(t testing.TB) *TestRegistry {
	t.Helper()
	r := &TestRegistry{}
	inner := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec := Request{Method: req.Method, Path: req.URL.Path, Range: req.Header.Get("Range")}
		r.mu.Lock()
		r.inflight++
		if r.noRange {
			req.Header.Del("Range")
		}
		r.mu.Unlock()
		cw := &countingWriter{ResponseWriter: w, status: http.StatusOK}
		inner.ServeHTTP(cw, req)
		rec.Status, rec.Bytes = cw.status, cw.n
		r.mu.Lock()
		r.requests = append(r.requests, rec)
		r.inflight--
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	r.Host = strings.TrimPrefix(r.srv.URL, "http://")
	return r
}

// IgnoreRange makes the registry answer ranged blob GETs with the whole
// blob (200), like registries without Range support.
func (r *TestRegistry) IgnoreRange(ignore bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.noRange = ignore
}

// Requests returns the requests served so far. A client can have read a
// whole response before its handler returns, so it first waits (up to 5 s)
// for handlers still running.
func (r *TestRegistry) Requests() []Request {
	deadline := time.Now().Add(5 * time.Second)
	for {
		r.mu.Lock()
		if r.inflight == 0 || time.Now().After(deadline) {
			defer r.mu.Unlock()
			return append([]Request(nil), r.requests...)
		}
		r.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
}

// ResetLog forgets the requests served so far (for example after pushing).
func (r *TestRegistry) ResetLog() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = nil
}

// BlobBytes sums the response bytes of GETs of the blob with digest d.
func (r *TestRegistry) BlobBytes(d v1.Hash) (requests int, bytes int64) {
	for _, req := range r.Requests() {
		if req.Method == http.MethodGet && strings.HasSuffix(req.Path, "/blobs/"+d.String()) {
			requests++
			bytes += req.Bytes
		}
	}
	return requests, bytes
}

// PushImage pushes an image as host/repo:tag and returns the reference.
func (r *TestRegistry) PushImage(t testing.TB, repoTag string, img v1.Image) string {
	t.Helper()
	ref := r.Host + "/" + repoTag
	tag, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	return ref
}

// PushIndex pushes an index as host/repo:tag and returns the reference.
func (r *TestRegistry) PushIndex(t testing.TB, repoTag string, idx v1.ImageIndex) string {
	t.Helper()
	ref := r.Host + "/" + repoTag
	tag, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	return ref
}

type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *countingWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}
