package registry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// hostileBodies serves bodies that stall or drip after the headers.
func hostileBodies(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		flusher := w.(http.Flusher)
		w.WriteHeader(http.StatusOK)
		switch r.URL.Path {
		case "/stall":
			io.WriteString(w, "first bytes")
			flusher.Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		case "/drip":
			for i := 0; i < 200; i++ {
				if _, err := io.WriteString(w, "x"); err != nil {
					return
				}
				flusher.Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		case "/fast":
			io.WriteString(w, strings.Repeat("y", 1<<20))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestStalledBodiesEndInBoundedTime(t *testing.T) {
	srv := hostileBodies(t)
	limits := StallLimits{Idle: 200 * time.Millisecond, MinRate: 1000, Window: 300 * time.Millisecond}
	client := &http.Client{Transport: Options{Stall: limits, Retries: -1}.HTTPTransport()}
	for _, tc := range []struct {
		path    string
		wantErr string // "" = the whole body arrives
	}{
		{"/stall", "no data from GET"},
		{"/drip", "slower than 1000 bytes/s"},
		{"/fast", ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+tc.path, nil)
			start := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, err := io.ReadAll(resp.Body)
			took := time.Since(start)
			if tc.wantErr == "" {
				if err != nil || len(data) != 1<<20 {
					t.Fatalf("read %d bytes, %v", len(data), err)
				}
				return
			}
			if !errors.Is(err, ErrStalled) || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), tc.path) {
				t.Fatalf("error %v, want ErrStalled naming %q and the URL", err, tc.wantErr)
			}
			if took > 2*time.Second {
				t.Errorf("took %s to give up", took)
			}
		})
	}
}

// A caller that pauses between reads is not a stalled registry.
func TestPausedReaderIsNotStalled(t *testing.T) {
	srv := hostileBodies(t)
	client := &http.Client{Transport: Options{Stall: StallLimits{Idle: 100 * time.Millisecond, MinRate: 1 << 20, Window: 50 * time.Millisecond}}.HTTPTransport()}
	resp, err := client.Get(srv.URL + "/fast")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 4096)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || len(rest) != 1<<20-4096 {
		t.Fatalf("after a pause: %d bytes, %v", len(rest), err)
	}
}
