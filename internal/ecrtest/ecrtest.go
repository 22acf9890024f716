// Package ecrtest stands up the whole ECR path for tests: a TLS front for a
// local registry that answers to an ECR host name (mapped by a custom
// dialer, since ECR names cannot resolve here) and demands the password
// that the local ECR API endpoint (fakeecr) hands out through the real
// aws-sdk-go-v2. Only the API endpoint and the name resolution are
// simulated; the keychain, the SDK, the token and the registry are real.
package ecrtest

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/imgcheck/imgcheck/internal/fakeecr"
	"github.com/imgcheck/imgcheck/registry"
	"github.com/imgcheck/imgcheck/registry/ecr"
)

// Host is the ECR registry host name the tests use.
const Host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"

// Password is what the fake ECR API hands out and the front demands.
const Password = "ecr-test-password-never-printed"

// Env is a running ECR path.
type Env struct {
	Host      string // the ECR host name to put in references
	API       *fakeecr.Server
	Transport *http.Transport // dials Host to the local TLS front and trusts it
	// Unauthorized counts requests the front refused for bad credentials.
	Unauthorized *atomic.Int64
}

// Start maps Host to a TLS front that forwards authenticated requests to
// backend (host:port of a plain-HTTP registry on 127.0.0.1), and points the
// AWS SDK at a fake ECR API through AWS_ENDPOINT_URL_ECR.
func Start(t testing.TB, backend string) *Env {
	t.Helper()
	return StartWith(t, backend, Options{})
}

// Options vary the ECR path.
type Options struct {
	// Password is what the ECR API hands out (default Password).
	Password string
	// BackendChecksAuth forwards the Authorization header untouched and
	// lets the backend registry judge it (a distribution registry whose
	// htpasswd holds AWS:Password), instead of checking it in the front.
	BackendChecksAuth bool
}

// StartWith is Start with options.
func StartWith(t testing.TB, backend string, opts Options) *Env {
	t.Helper()
	password := opts.Password
	if password == "" {
		password = Password
	}
	api := fakeecr.Start(t, fakeecr.Options{Password: password})
	api.SetEnv(t, "us-east-1")
	env := &Env{Host: Host, API: api, Unauthorized: &atomic.Int64{}}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: backend})
	front := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if opts.BackendChecksAuth {
			proxy.ServeHTTP(w, r)
			return
		}
		user, pass, ok := r.BasicAuth()
		if !ok || user != "AWS" || pass != password {
			env.Unauthorized.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="ecr"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`))
			return
		}
		r.Header.Del("Authorization")
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	tr := front.Client().Transport.(*http.Transport).Clone()
	addr := front.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	// httptest's certificate is for example.com and 127.0.0.1.
	tr.TLSClientConfig = &tls.Config{RootCAs: tr.TLSClientConfig.RootCAs, ServerName: "example.com"}
	env.Transport = tr
	return env
}

// RegistryOptions are registry options that reach Host through the ECR
// keychain (and nothing else: no docker config fallback).
func (e *Env) RegistryOptions() registry.Options {
	return registry.Options{
		Transport: e.Transport,
		Keychain:  authn.NewMultiKeychain(ecr.NewKeychain(ecr.KeychainOptions{})),
	}
}
