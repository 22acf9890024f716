package registry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// A response that does not start within the transport timeout is retried;
// the caller's own deadline is not.
func TestStalledResponseIsRetried(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	rt := Options{Timeout: 200 * time.Millisecond, Retries: 2}.HTTPTransport()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v2/", nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("after a stalled first attempt: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || calls.Load() != 2 {
		t.Fatalf("status %d after %d calls; want 200 after 2", resp.StatusCode, calls.Load())
	}

	calls.Store(0)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v2/", nil)
	if _, err := rt.RoundTrip(req); err == nil {
		t.Fatal("the caller's deadline passed but the request succeeded")
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d attempts after the caller's deadline; want 1", n)
	}
}
