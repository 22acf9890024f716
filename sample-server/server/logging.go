package server

import (
	"bufio"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// logRequests writes one JSON log line per request when it ends. Upgraded
// WebSocket requests (101) are left to the connect and disconnect lines,
// which are written before shutdown stops waiting for the socket.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &responseRecorder{ResponseWriter: w}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(rec, r)
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		if status == http.StatusSwitchingProtocols {
			return
		}
		log.Info("request", "method", r.Method, "path", r.URL.Path, "status", status,
			"duration_ms", msSince(start), "bytes", rec.bytes, "remote", r.RemoteAddr)
	})
}

// responseRecorder remembers the status and body size. It forwards Hijack,
// which the WebSocket upgrade needs, and Unwrap for http.ResponseController.
type responseRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *responseRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *responseRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *responseRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(r.ResponseWriter).Hijack()
	if err == nil && r.status == 0 {
		r.status = http.StatusSwitchingProtocols
	}
	return conn, rw, err
}

func (r *responseRecorder) Flush() {
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

func (r *responseRecorder) Unwrap() http.ResponseWriter {
	return r.ResponseWriter
}
