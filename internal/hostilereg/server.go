// Package hostilereg is a registry for tests that misbehaves on purpose:
// it stalls after the headers, drips bodies a byte at a time, and serves
// whatever manifests and blobs a test crafts (sizes that lie, index fan-out,
// hostile layers). It listens on 127.0.0.1 only.
package hostilereg

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Behaviour is how the server sends one object's body.
type Behaviour int

// Behaviours.
const (
	// Normal serves the body (with Range support for blobs).
	Normal Behaviour = iota
	// Stall sends the headers, then nothing until the client gives up.
	Stall
	// Drip sends the body one byte per DripInterval.
	Drip
	// Chunked ignores Range and sends the whole body without a length, so
	// that only the bytes themselves tell its size.
	Chunked
)

// Server is a hostile registry. Every repository name is accepted; blobs
// are shared between repositories.
type Server struct {
	// Host is host:port of the server, for references like Host+"/repo:tag".
	Host string
	// DripInterval is the pause between two bytes of a dripped body.
	DripInterval time.Duration

	srv  *httptest.Server
	stop chan struct{}

	mu        sync.RWMutex
	manifests map[string]object    // by "repo:tag" and "repo@digest"
	blobs     map[string]object    // by digest
	behaviour map[string]Behaviour // by digest or "repo:tag"
}

type object struct {
	mediaType string
	digest    string
	data      []byte
}

// Start starts a server; Close stops it.
func Start() *Server {
	s := &Server{
		DripInterval: time.Second,
		stop:         make(chan struct{}),
		manifests:    map[string]object{},
		blobs:        map[string]object{},
		behaviour:    map[string]Behaviour{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.Host = strings.TrimPrefix(s.srv.URL, "http://")
	return s
}

// Close ends stalled and dripping responses and stops the server.
func (s *Server) Close() {
	close(s.stop)
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Digest is the sha256 digest of b, as "sha256:hex".
func Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// PutBlob stores a blob and returns its digest.
func (s *Server) PutBlob(data []byte) string {
	d := Digest(data)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blobs[d] = object{digest: d, data: data}
	return d
}

// PutManifest stores a manifest or index under repo:tag (tag may be empty)
// and repo@digest, and returns its digest.
func (s *Server) PutManifest(repo, tag, mediaType string, raw []byte) string {
	d := Digest(raw)
	o := object{mediaType: mediaType, digest: d, data: raw}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.manifests[repo+"@"+d] = o
	if tag != "" {
		s.manifests[repo+":"+tag] = o
	}
	return d
}

// Behave sets how the object with this digest (or the manifest "repo:tag")
// is sent.
func (s *Server) Behave(key string, b Behaviour) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.behaviour[key] = b
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "read-only registry", http.StatusMethodNotAllowed)
		return
	}
	p := strings.TrimPrefix(r.URL.Path, "/v2/")
	if p == "" || p == r.URL.Path {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("{}"))
		return
	}
	var (
		o   object
		ok  bool
		key string
	)
	s.mu.RLock()
	if i := strings.LastIndex(p, "/manifests/"); i > 0 {
		repo, ref := p[:i], p[i+len("/manifests/"):]
		sep := ":"
		if strings.HasPrefix(ref, "sha256:") {
			sep = "@"
		}
		key = repo + sep + ref
		o, ok = s.manifests[key]
	} else if i := strings.LastIndex(p, "/blobs/"); i > 0 {
		key = p[i+len("/blobs/"):]
		o, ok = s.blobs[key]
	}
	b, byKey := s.behaviour[key]
	if !byKey {
		b = s.behaviour[o.digest]
	}
	s.mu.RUnlock()
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"%s not found"}]}`, key)
		return
	}
	if o.mediaType != "" {
		w.Header().Set("Content-Type", o.mediaType)
		w.Header().Set("Docker-Content-Digest", o.digest)
	} else {
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	switch b {
	case Stall:
		s.stall(w, r, o)
	case Drip:
		s.drip(w, r, o)
	case Chunked:
		for rest := o.data; len(rest) > 0; {
			n := min(len(rest), 4096)
			if _, err := w.Write(rest[:n]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			rest = rest[n:]
		}
	default:
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(o.data))
	}
}

// stall sends a 200 with the full length, then waits for the client to give up.
func (s *Server) stall(w http.ResponseWriter, r *http.Request, o object) {
	w.Header().Set("Content-Length", strconv.Itoa(len(o.data)))
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	select {
	case <-r.Context().Done():
	case <-s.stop:
	}
}

// drip sends a 200 with the full length, then the body a byte at a time.
func (s *Server) drip(w http.ResponseWriter, r *http.Request, o object) {
	w.Header().Set("Content-Length", strconv.Itoa(len(o.data)))
	w.WriteHeader(http.StatusOK)
	t := time.NewTicker(s.DripInterval)
	defer t.Stop()
	for i := range o.data {
		if _, err := w.Write(o.data[i : i+1]); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		case <-s.stop:
			return
		}
	}
}
