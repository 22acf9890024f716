package registry

import (
	"context"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// logTransport logs each request at debug level. It never logs header
// values of credentials nor URL query strings (which can carry signed
// tokens on blob redirects).
type logTransport struct {
	inner http.RoundTripper
	log   *slog.Logger
}

func (t *logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.log.Enabled(req.Context(), slog.LevelDebug) {
		return t.inner.RoundTrip(req)
	}
	resp, err := t.inner.RoundTrip(req)
	attrs := []any{"method", req.Method, "url", redactURL(req.URL), "headers", RedactHeaders(req.Header)}
	if err != nil {
		t.log.DebugContext(context.WithoutCancel(req.Context()), "registry request failed", append(attrs, "error", err.Error())...)
		return nil, err
	}
	t.log.DebugContext(req.Context(), "registry request", append(attrs, "status", resp.StatusCode,
		"content_length", resp.ContentLength, "content_range", resp.Header.Get("Content-Range"))...)
	return resp, nil
}

// sensitiveHeaders hold credentials or tokens.
var sensitiveHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Amz-Security-Token"}

// RedactHeaders renders headers for a log with credential values replaced
// by "REDACTED".
func RedactHeaders(h http.Header) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(h)) {
		v := strings.Join(h[k], ",")
		for _, s := range sensitiveHeaders {
			if strings.EqualFold(k, s) {
				v = "REDACTED"
			}
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k + ": " + v)
	}
	return b.String()
}

// redactURL drops the query string and any user info.
func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		c.RawQuery = "REDACTED"
	}
	return c.String()
}
