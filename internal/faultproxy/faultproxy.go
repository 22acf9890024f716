// Package faultproxy is an HTTP proxy for tests and benchmarks that sits
// between a client and a registry on 127.0.0.1. It counts requests and
// bytes, and injects faults on a chosen fraction of requests: server errors,
// rate limiting, connection resets, stalls, truncated and corrupted bodies.
package faultproxy

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is what the proxy does to a request it picks.
type Fault string

// Faults.
const (
	None     Fault = ""
	Status5  Fault = "500"      // 500 Internal Server Error
	Status9  Fault = "429"      // 429 Too Many Requests with Retry-After: 1
	Reset    Fault = "reset"    // TCP reset before any response
	Stall    Fault = "stall"    // no response until the client gives up (or StallFor passes)
	Truncate Fault = "truncate" // the body is cut in half, then the connection closes
	Flip     Fault = "flip"     // one byte of the body is changed, length kept
)

// AllFaults lists every fault, for table tests.
var AllFaults = []Fault{Status5, Status9, Reset, Stall, Truncate, Flip}

// Rule picks requests to break: Every n-th request that Match accepts (all
// requests when Match is nil) gets Fault; Every 1 breaks all of them.
type Rule struct {
	Fault Fault
	Every int
	Match func(*http.Request) bool
	// Limit stops injecting after this many faults (0: no limit).
	Limit int
}

// Stats are the proxy's counters.
type Stats struct {
	Requests      int
	BytesToClient int64 // response body bytes sent
	Faults        int
	RangeRequests int
}

// Proxy is a running fault-injecting proxy.
type Proxy struct {
	Host     string // 127.0.0.1:PORT: use it as the registry host
	target   *url.URL
	client   *http.Client
	StallFor time.Duration

	mu      sync.Mutex
	rule    Rule
	matched int
	stats   Stats
	log     []string
}

// Start runs a proxy to targetHost (host:port, plain HTTP) until the test ends.
func Start(t testing.TB, targetHost string) *Proxy {
	t.Helper()
	p := &Proxy{
		target:   &url.URL{Scheme: "http", Host: targetHost},
		client:   &http.Client{Timeout: 2 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		StallFor: 30 * time.Second,
	}
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(srv.Close)
	p.Host = srv.Listener.Addr().String()
	return p
}

// SetRule replaces the fault rule and resets its counter.
func (p *Proxy) SetRule(r Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rule, p.matched = r, 0
}

// Stats returns the counters so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// ResetStats zeroes the counters and the request log.
func (p *Proxy) ResetStats() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats, p.log = Stats{}, nil
}

// Log returns "METHOD PATH [fault]" for each request so far.
func (p *Proxy) Log() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.log...)
}

func (p *Proxy) pick(r *http.Request) Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Requests++
	if r.Header.Get("Range") != "" {
		p.stats.RangeRequests++
	}
	f := None
	rule := p.rule
	if rule.Fault != None && (rule.Match == nil || rule.Match(r)) && (rule.Limit == 0 || p.stats.Faults < rule.Limit) {
		p.matched++
		every := rule.Every
		if every < 1 {
			every = 1
		}
		if p.matched%every == 0 {
			f = rule.Fault
			p.stats.Faults++
		}
	}
	entry := r.Method + " " + r.URL.Path
	if f != None {
		entry += " [" + string(f) + "]"
	}
	p.log = append(p.log, entry)
	return f
}

func (p *Proxy) countBytes(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.BytesToClient += n
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	switch fault := p.pick(r); fault {
	case Status5:
		http.Error(w, `{"errors":[{"code":"UNKNOWN","message":"injected 500"}]}`, http.StatusInternalServerError)
		return
	case Status9:
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"injected 429"}]}`, http.StatusTooManyRequests)
		return
	case Reset:
		resetConnection(w)
		return
	case Stall:
		select {
		case <-r.Context().Done():
		case <-time.After(p.StallFor):
		}
		http.Error(w, "stalled", http.StatusGatewayTimeout)
		return
	default:
		p.forward(w, r, fault)
	}
}

func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, fault Fault) {
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.URL.Scheme, out.URL.Host = p.target.Scheme, p.target.Host
	out.Host = p.target.Host
	resp, err := p.client.Do(out)
	if err != nil {
		http.Error(w, fmt.Sprintf("proxy: %v", err), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		for _, v := range vs {
			// Redirects must come back through the proxy too.
			if k == "Location" {
				v = strings.Replace(v, p.target.Host, p.Host, 1)
			}
			w.Header().Add(k, v)
		}
	}
	if fault != Truncate && fault != Flip || r.Method == http.MethodHead {
		w.WriteHeader(resp.StatusCode)
		n, _ := io.Copy(w, resp.Body)
		p.countBytes(n)
		return
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		resetConnection(w)
		return
	}
	switch fault {
	case Flip:
		if len(body) > 0 {
			body = bytes.Clone(body)
			body[len(body)/2] ^= 0x20
		}
		w.WriteHeader(resp.StatusCode)
		n, _ := w.Write(body)
		p.countBytes(int64(n))
	case Truncate:
		// Content-Length still promises the whole body; the client must see
		// an unexpected EOF, not a short but "complete" response.
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(resp.StatusCode)
		n, _ := w.Write(body[:len(body)/2])
		p.countBytes(int64(n))
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler) // closes the connection mid-body
	}
}

// resetConnection closes the client connection with a TCP RST.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	conn.Close()
}
