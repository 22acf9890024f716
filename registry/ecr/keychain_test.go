package ecr

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/imgcheck/imgcheck/internal/fakeecr"
)

const (
	testECRHost  = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
	testPassword = "s3cr3t-ecr-password-do-not-print"
)

func resource(t *testing.T, host string) authn.Resource {
	t.Helper()
	reg, err := name.NewRegistry(host)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestKeychainRealSDK(t *testing.T) {
	api := fakeecr.Start(t, fakeecr.Options{Password: testPassword})
	api.SetEnv(t, "eu-west-1") // the host's region must win over AWS_REGION
	var logs bytes.Buffer
	kc := NewKeychain(KeychainOptions{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx := context.Background()

	auth, err := kc.ResolveContext(ctx, resource(t, "ghcr.io"))
	if err != nil || auth != authn.Anonymous {
		t.Fatalf("non-ECR host: got %v, %v; want Anonymous", auth, err)
	}
	if n := api.Calls("GetAuthorizationToken"); n != 0 {
		t.Fatalf("non-ECR host called AWS %d times", n)
	}

	for _, host := range []string{testECRHost, "210987654321.dkr.ecr.us-east-1.amazonaws.com"} {
		auth, err = kc.ResolveContext(ctx, resource(t, host))
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		cfg, err := auth.Authorization()
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Username != "AWS" || cfg.Password != testPassword {
			t.Fatalf("%s: got user %q and a password of length %d", host, cfg.Username, len(cfg.Password))
		}
	}
	if n := api.Calls("GetAuthorizationToken"); n != 1 {
		t.Errorf("GetAuthorizationToken called %d times, want 1 (cached per region)", n)
	}
	if strings.Contains(logs.String(), testPassword) {
		t.Errorf("password leaked into logs: %s", logs.String())
	}
}

func TestKeychainRefreshesBeforeExpiry(t *testing.T) {
	now := time.Now()
	src := &clockTokenSource{now: func() time.Time { return now }, ttl: time.Hour}
	kc := NewKeychain(KeychainOptions{Tokens: src, Now: func() time.Time { return now }})
	ctx := context.Background()
	for i, step := range []struct {
		advance   time.Duration
		wantCalls int
	}{
		{0, 1},
		{30 * time.Minute, 1}, // 30 minutes left: still cached
		{20 * time.Minute, 2}, // 10 minutes left: inside the refresh margin
		{time.Minute, 2},      // the new token is fresh
		{2 * time.Hour, 3},    // expired
	} {
		now = now.Add(step.advance)
		if _, err := kc.ResolveContext(ctx, resource(t, testECRHost)); err != nil {
			t.Fatal(err)
		}
		if src.calls != step.wantCalls {
			t.Errorf("step %d: %d calls, want %d", i, src.calls, step.wantCalls)
		}
	}
}

// clockTokenSource issues tokens that expire ttl after its clock's now.
type clockTokenSource struct {
	now   func() time.Time
	ttl   time.Duration
	calls int
}

func (c *clockTokenSource) Token(context.Context, string) (Token, error) {
	c.calls++
	return Token{Username: "AWS", Password: "p", ExpiresAt: c.now().Add(c.ttl)}, nil
}

func TestKeychainErrorsAreNotAnonymous(t *testing.T) {
	api := fakeecr.Start(t, fakeecr.Options{Password: testPassword})
	api.SetEnv(t, "us-east-1")
	api.FailWith(&fakeecr.APIError{Status: 400, Type: "ExpiredTokenException", Message: "The security token included in the request is expired"})
	ctx := context.Background()

	_, err := NewKeychain(KeychainOptions{}).ResolveContext(ctx, resource(t, testECRHost))
	if err == nil {
		t.Fatal("want an error, got credentials")
	}
	for _, want := range []string{"ExpiredTokenException", testECRHost, "aws sts get-caller-identity"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}

	// Through a multi-keychain the error must stop resolution, not fall through.
	multi := authn.NewMultiKeychain(NewKeychain(KeychainOptions{}), authn.DefaultKeychain)
	if _, err := authn.Resolve(ctx, multi, resource(t, testECRHost)); err == nil {
		t.Fatal("multi-keychain fell through to anonymous on an AWS error")
	}

	// Explicit credentials a user stored for the host are still honoured.
	stored := staticKeychain{host: testECRHost, auth: &authn.Basic{Username: "AWS", Password: "from-docker-login"}}
	auth, err := NewKeychain(KeychainOptions{Fallback: stored}).ResolveContext(ctx, resource(t, testECRHost))
	if err != nil {
		t.Fatalf("with stored credentials: %v", err)
	}
	if cfg, _ := auth.Authorization(); cfg.Password != "from-docker-login" {
		t.Errorf("fallback credentials not used")
	}
}

// TestECRPushPullThroughKeychain runs the whole ECR path: the ECR host name
// (mapped to a local TLS registry that demands the token's password), the
// keychain, the real SDK and the local ECR API endpoint.
func TestPushPullThroughKeychain(t *testing.T) {
	api := fakeecr.Start(t, fakeecr.Options{Password: testPassword})
	api.SetEnv(t, "us-east-1")
	reg := httptest.NewTLSServer(basicAuth("AWS", testPassword, ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))))
	t.Cleanup(reg.Close)
	tr := reg.Client().Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, reg.Listener.Addr().String())
	}
	tr.TLSClientConfig = &tls.Config{RootCAs: tr.TLSClientConfig.RootCAs, ServerName: "example.com"}

	ref, err := name.ParseReference(testECRHost + "/app:v1")
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	kc := authn.NewMultiKeychain(NewKeychain(KeychainOptions{}), authn.DefaultKeychain)
	opts := []remote.Option{remote.WithTransport(tr), remote.WithAuthFromKeychain(kc)}
	if err := remote.Write(ref, img, opts...); err != nil {
		t.Fatalf("push through ECR keychain: %v", err)
	}
	got, err := remote.Image(ref, opts...)
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	want, _ := img.Digest()
	if d, _ := got.Digest(); d != want {
		t.Errorf("digest %s, want %s", d, want)
	}
	// Without credentials the registry refuses: the test registry really checks.
	if _, err := remote.Image(ref, remote.WithTransport(tr)); err == nil {
		t.Error("anonymous pull succeeded; the test registry does not check auth")
	}
}

type staticKeychain struct {
	host string
	auth authn.Authenticator
}

func (s staticKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if r.RegistryStr() == s.host {
		return s.auth, nil
	}
	return authn.Anonymous, nil
}

func basicAuth(user, pass string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED"}]}`, http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
