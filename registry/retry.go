package registry

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// Backoff bounds: the first retry waits about baseDelay, each next one
// twice as long (with jitter), never more than maxDelay; a Retry-After
// longer than maxRetryAfter is not honoured and the error is returned.
const (
	baseDelay     = 200 * time.Millisecond
	maxDelay      = 5 * time.Second
	maxRetryAfter = 60 * time.Second
)

// retryTransport retries idempotent requests that failed on the way: 429
// (honouring Retry-After), 5xx gateway/server errors and broken connections.
type retryTransport struct {
	inner    http.RoundTripper
	attempts int
	log      *slog.Logger
	sleep    func(ctx context.Context, d time.Duration) error
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !retryable(req) {
		return t.inner.RoundTrip(req)
	}
	for attempt := 1; ; attempt++ {
		if attempt > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
		resp, err := t.inner.RoundTrip(req)
		wait, again := shouldRetry(resp, err)
		if !again || attempt >= t.attempts || req.Context().Err() != nil {
			return resp, err
		}
		delay := backoff(attempt)
		if wait > 0 {
			if wait > maxRetryAfter {
				return resp, err
			}
			delay = wait
		}
		if resp != nil {
			// Drain a little so the connection can be reused, then drop it.
			_, _ = io.CopyN(io.Discard, resp.Body, 4096)
			resp.Body.Close()
		}
		t.log.Debug("retrying registry request", "method", req.Method, "url", redactURL(req.URL),
			"attempt", attempt, "delay", delay, "status", statusOf(resp), "error", errString(err))
		if err := t.wait(req.Context(), delay); err != nil {
			return nil, err
		}
	}
}

func (t *retryTransport) wait(ctx context.Context, d time.Duration) error {
	if t.sleep != nil {
		return t.sleep(ctx, d)
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// retryable: only requests that are safe to repeat. A PUT or DELETE is
// idempotent but can be repeated only if its body can be produced again.
func retryable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	case http.MethodPut, http.MethodDelete:
		return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	}
	return false
}

// shouldRetry decides from one attempt's outcome; wait > 0 is the delay the
// server asked for.
func shouldRetry(resp *http.Response, err error) (wait time.Duration, again bool) {
	if err != nil {
		return 0, transientNetError(err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return retryAfter(resp.Header.Get("Retry-After")), true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return 0, true
	}
	return 0, false
}

// transientNetError: a reset or cut connection or a network timeout; never
// a cancelled context, a TLS or DNS configuration problem. A transport
// timeout (no response headers in time) also matches DeadlineExceeded; it
// is retried, while the request's own deadline is checked by the caller.
func transientNetError(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	return false
}

// retryAfter parses delay-seconds or an HTTP date; 0 when absent or invalid.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		if d := time.Until(at); d > 0 {
			return d
		}
	}
	return 0
}

// backoff is exponential with full jitter in [d/2, d).
func backoff(attempt int) time.Duration {
	d := baseDelay << min(attempt-1, 10)
	d = min(d, maxDelay)
	half := d / 2
	return half + rand.N(half)
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
