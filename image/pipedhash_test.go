package image

import (
	"crypto/sha256"
	"runtime"
	"testing"
	"time"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// The piped digest equals crypto/sha256's however the bytes are written:
// below one chunk (no worker), across chunk edges, and past every chunk
// in flight (the writer waits on the worker).
func TestPipedHashDigest(t *testing.T) {
	data := make([]byte, pipedChunkBytes*pipedChunks*3+123)
	imagetest.Random(data, 7)
	for _, tt := range []struct {
		name  string
		total int
		write int
	}{
		{"empty", 0, 1},
		{"one byte", 1, 1},
		{"a prefix read", 64 << 10, 4096},
		{"exactly one chunk", pipedChunkBytes, pipedChunkBytes},
		{"odd writes across chunks", len(data), 32<<10 + 17},
		{"one large write", len(data), len(data)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newPipedHash()
			for off := 0; off < tt.total; off += tt.write {
				n, err := p.Write(data[off:min(off+tt.write, tt.total)])
				if err != nil || n != min(tt.write, tt.total-off) {
					t.Fatalf("Write: %d, %v", n, err)
				}
			}
			want := sha256.Sum256(data[:tt.total])
			if got := p.Sum(nil); string(got) != string(want[:]) {
				t.Errorf("digest %x, want %x", got, want)
			}
			if tt.total < pipedChunkBytes && p.made > 1 {
				t.Errorf("%d chunks for %d bytes", p.made, tt.total)
			}
		})
	}
}

// A stream given up (Close without Sum) leaves no goroutine behind.
func TestPipedHashCloseStopsTheWorker(t *testing.T) {
	before := runtime.NumGoroutine()
	data := make([]byte, pipedChunkBytes*pipedChunks*2)
	for range 20 {
		p := newPipedHash()
		p.Write(data)
		if p.work == nil {
			t.Fatal("no worker for a stream of several chunks")
		}
		p.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after closing, %d before", n, before)
	}
}
