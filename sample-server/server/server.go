// Package server is the sample HTTP and WebSocket service: a page that shows
// the platform it runs on, health and version endpoints, a WebSocket echo and
// broadcast, and a graceful stop fit for ECS (SIGTERM, then SIGKILL after
// the task's stopTimeout).
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"
)

// BuildInfo names the build that is running; main fills it from ldflags or
// the Go build information.
type BuildInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
}

// versionResponse is the body of /version.
type versionResponse struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	GOOS    string `json:"goos"`
	GOARCH  string `json:"goarch"`
	Go      string `json:"go"`
}

// Server holds the handlers and the state they share.
type Server struct {
	cfg      Config
	build    BuildInfo
	log      *slog.Logger
	hub      *hub
	mux      *http.ServeMux
	page     renderedPage
	draining atomic.Bool
}

// New returns a Server for cfg, which must pass Config.Validate.
func New(cfg Config, build BuildInfo, logger *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid server config: %w", err)
	}
	page, err := renderPage(pageData{
		Platform: runtime.GOOS + "/" + runtime.GOARCH,
		Version:  build.Version,
		Commit:   build.Commit,
		Go:       runtime.Version(),
	})
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, build: build, log: logger, hub: newHub(cfg.MaxConnections), page: page}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /{$}", s.handleIndex)
	s.mux.HandleFunc("GET /healthz", s.handleHealthz)
	s.mux.HandleFunc("GET /readyz", s.handleReadyz)
	s.mux.HandleFunc("GET /version", s.handleVersion)
	s.mux.HandleFunc("GET /ws", s.handleWebSocket)
	return s, nil
}

// Handler is the server's routes wrapped in request logging.
func (s *Server) Handler() http.Handler {
	return logRequests(s.log, s.mux)
}

// Ready reports whether /readyz answers 200: true until shutdown begins.
func (s *Server) Ready() bool {
	return !s.draining.Load()
}

// Serve serves HTTP on ln until ctx is cancelled, then stops gracefully:
// /readyz turns 503 at once, DrainDelay passes, in-flight requests finish,
// WebSocket clients get close code 1001, all within ShutdownTimeout. It
// returns nil after a clean stop and an error if serving failed or the
// stop ran out of time.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	// No ReadTimeout or WriteTimeout: they would also cut WebSocket
	// connections and slow downloads. ReadHeaderTimeout stops slow-header
	// clients, and no handler here reads a request body.
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		// Requests must not be cancelled by the stop signal: they finish.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	s.log.Info("listening", "addr", ln.Addr().String(), "version", s.build.Version,
		"commit", s.build.Commit, "platform", runtime.GOOS+"/"+runtime.GOARCH)

	select {
	case err := <-served:
		s.hub.closeAll(closeGoingAway, "server stopped")
		return fmt.Errorf("serving HTTP on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	return s.shutdown(context.WithoutCancel(ctx), hs, served)
}

func (s *Server) shutdown(ctx context.Context, hs *http.Server, served <-chan error) error {
	start := time.Now()
	s.draining.Store(true)
	s.log.Info("shutting down", "drain_delay", s.cfg.DrainDelay.String(),
		"timeout", s.cfg.ShutdownTimeout.String(), "websockets", s.hub.count())
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
	defer cancel()

	if s.cfg.DrainDelay > 0 {
		delay := time.NewTimer(s.cfg.DrainDelay)
		select {
		case <-delay.C:
		case <-ctx.Done():
		}
		delay.Stop()
	}

	// Shutdown stops the listener and waits for in-flight requests, but it
	// does not know hijacked WebSocket connections: the hub closes those.
	s.hub.closeAll(closeGoingAway, "server shutting down")
	wsDone := make(chan error, 1)
	go func() { wsDone <- s.hub.wait(ctx) }()
	httpErr := hs.Shutdown(ctx)
	wsErr := <-wsDone
	if httpErr != nil || wsErr != nil {
		_ = hs.Close()
		s.hub.forceClose()
		err := errors.Join(httpErr, wsErr)
		s.log.Error("shutdown timed out, connections dropped", "error", err.Error(), "duration_ms", msSince(start))
		return fmt.Errorf("graceful shutdown exceeded %s: %w", s.cfg.ShutdownTimeout, err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving HTTP: %w", err)
	}
	s.log.Info("stopped", "duration_ms", msSince(start))
	return nil
}

func (s *Server) handleHealthz(w http.ResponseWriter, _ *http.Request) {
	writeText(w, http.StatusOK, "ok\n")
}

func (s *Server) handleReadyz(w http.ResponseWriter, _ *http.Request) {
	if !s.Ready() {
		writeText(w, http.StatusServiceUnavailable, "draining\n")
		return
	}
	writeText(w, http.StatusOK, "ready\n")
}

func (s *Server) handleVersion(w http.ResponseWriter, _ *http.Request) {
	body, err := json.Marshal(versionResponse{
		Version: s.build.Version,
		Commit:  s.build.Commit,
		GOOS:    runtime.GOOS,
		GOARCH:  runtime.GOARCH,
		Go:      runtime.Version(),
	})
	if err != nil {
		http.Error(w, "encoding version", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(append(body, '\n'))
}

func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
