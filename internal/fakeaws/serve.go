package fakeaws

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"
)

// ServeLocal starts serving handler on a free port of 127.0.0.1 (never
// another interface). Close the server when done.
func ServeLocal(handler http.Handler) (*httptest.Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on 127.0.0.1: %w", err)
	}
	s := &httptest.Server{Listener: l, Config: &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}}
	s.Start()
	return s, nil
}

// unreachableEndpoint is a loopback address nothing listens on (port 1,
// tcpmux, is never served on a test machine).
const unreachableEndpoint = "http://127.0.0.1:1"

// SetStaticEnv gives the AWS SDK's default chain, for the rest of the
// test, region and static credentials, and no shared configuration,
// profile or IMDS, so that no AWS configuration of the machine leaks in.
// Every service's endpoint is unreachableEndpoint, so that a call to a
// service no fake serves fails at once on the loopback interface instead
// of reaching AWS; each fake sets its own service's endpoint
// (AWS_ENDPOINT_URL_<SERVICE> wins over AWS_ENDPOINT_URL), so that several
// can serve one test.
func SetStaticEnv(t testing.TB, region, accessKeyID, secretAccessKey string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_ENDPOINT_URL", unreachableEndpoint)
	t.Setenv("AWS_REGION", region)
	t.Setenv("AWS_ACCESS_KEY_ID", accessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CA_BUNDLE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}
