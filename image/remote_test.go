package image

import (
	"bytes"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/registry"
)

// middleRegistry serves an in-memory registry through wrap, which can
// corrupt, cut or refuse responses, and returns the host.
func middleRegistry(t *testing.T, wrap func(inner http.Handler) http.Handler) string {
	t.Helper()
	inner := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(wrap(inner))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// serveCutShort answers r as inner does, but with only the first 1/part
// of the body before it drops the connection.
func serveCutShort(w http.ResponseWriter, r *http.Request, inner http.Handler, part int) {
	rec := httptest.NewRecorder()
	inner.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes()[:rec.Body.Len()/part])
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		conn.Close()
	}
}

func push(t *testing.T, ref string, img v1.Image, opts ...remote.Option) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img, opts...); err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
}

type staticKeychain struct{ auth authn.Authenticator }

func (k staticKeychain) Resolve(authn.Resource) (authn.Authenticator, error) { return k.auth, nil }

type failingKeychain struct{}

func (failingKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	return nil, errors.New("sso session expired")
}

func TestCredentialFailureIsUnauthorized(t *testing.T) {
	reg := imagetest.Registry(t)
	_, err := Open(t.Context(), reg.Host+"/x:1", Options{Registry: registry.Options{Keychain: failingKeychain{}}})
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "sso session expired") {
		t.Errorf("err = %v, want ErrUnauthorized with the cause", err)
	}
}

func TestUnauthorizedIsTyped(t *testing.T) {
	host := middleRegistry(t, func(inner http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != "ci" || p != "s3cret" {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			inner.ServeHTTP(w, r)
		})
	})
	creds := &authn.Basic{Username: "ci", Password: "s3cret"}
	img := binImage(t, "linux", "amd64", "", "", []byte("x"))
	push(t, host+"/private:1", img, remote.WithAuth(creds))

	_, err := Open(t.Context(), host+"/private:1", Options{Registry: registry.Options{Keychain: staticKeychain{authn.Anonymous}}})
	if !errors.Is(err, ErrUnauthorized) {
		t.Errorf("anonymous: %v, want ErrUnauthorized", err)
	}
	if err != nil && strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error leaks the password: %v", err)
	}
	src, err := Open(t.Context(), host+"/private:1", Options{Registry: registry.Options{Keychain: staticKeychain{creds}}})
	if err != nil {
		t.Fatalf("with credentials: %v", err)
	}
	if _, err := src.Select(t.Context(), mustPlatform(t, "linux/amd64")); err != nil {
		t.Errorf("select with credentials: %v", err)
	}
}

func TestTamperedManifestIsRejected(t *testing.T) {
	host := middleRegistry(t, func(inner http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/manifests/") {
				inner.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			inner.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			body := bytes.Replace(rec.Body.Bytes(), []byte(`"amd64"`), []byte(`"arm64"`), 1)
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			w.Write(body)
		})
	})
	img := binImage(t, "linux", "amd64", "", "", []byte("x"))
	idx := imagetest.Index(t, false, imagetest.Child{Image: img})
	r, _ := name.ParseReference(host + "/tampered:1")
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{host + "/tampered:1", host + "/tampered@" + imagetest.Digest(t, idx).String()} {
		_, err := Open(t.Context(), ref, Options{})
		if !errors.Is(err, ErrDigestMismatch) {
			t.Errorf("Open(%s) = %v, want ErrDigestMismatch", ref, err)
		}
	}
}

func TestCutRangeBodyIsRefetched(t *testing.T) {
	var armed atomic.Bool
	var ranges, unavailable atomic.Int32
	host := middleRegistry(t, func(inner http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !armed.Load() {
				inner.ServeHTTP(w, r)
				return
			}
			if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/manifests/") && unavailable.Add(1) == 1 {
				w.WriteHeader(http.StatusServiceUnavailable) // retried by the transport
				return
			}
			if r.Header.Get("Range") != "" && ranges.Add(1) == 1 {
				serveCutShort(w, r, inner, 2) // the body ends early: retried by the blob reader
				return
			}
			inner.ServeHTTP(w, r)
		})
	})
	img := binImage(t, "linux", "arm64", "", "", imagetest.Padded(imagetest.GoBinary(t, "linux", "arm64", false), 4<<20, 3))
	push(t, host+"/cut:1", img)
	armed.Store(true)
	_, p := openPlatform(t, host+"/cut:1", Options{Registry: registry.Options{Retries: 3}}, "linux/arm64")
	f, _ := p.Lookup(t.Context(), "/app/server")
	info, _, err := p.Identify(t.Context(), f)
	if err != nil || info.GOARCH != "arm64" {
		t.Fatalf("after a cut body: %s %v", info, err)
	}
	if ranges.Load() < 2 || unavailable.Load() < 2 {
		t.Errorf("faults not exercised: %d ranged GETs, %d manifest GETs", ranges.Load(), unavailable.Load())
	}
}

func TestSharedCacheFetchesBlobsOnce(t *testing.T) {
	img := binImage(t, "linux", "arm64", "", "", imagetest.GoBinary(t, "linux", "arm64", false))
	reg := imagetest.Registry(t)
	ref := reg.PushImage(t, "shared:1", img)
	cache := NewCache()
	var layerBytes []int64
	for range 2 {
		src, p := openPlatform(t, ref, Options{Cache: cache}, "linux/arm64")
		f, _ := p.Lookup(t.Context(), "/app/server")
		if _, _, err := p.Identify(t.Context(), f); err != nil {
			t.Fatal(err)
		}
		layerBytes = append(layerBytes, src.Stats().LayerBytes)
	}
	if layerBytes[0] == 0 || layerBytes[1] != 0 {
		t.Errorf("layer bytes per source = %v, want the second to reuse the cache", layerBytes)
	}
}

func TestOCIArchiveAndLayoutRefs(t *testing.T) {
	amd := binImage(t, "linux", "amd64", "", "", imagetest.GoBinary(t, "linux", "amd64", false))
	idx := imagetest.Index(t, false, imagetest.Child{Image: amd})
	dir := imagetest.WriteLayoutIndex(t, filepath.Join(t.TempDir(), "layout"), "v2", idx)
	archive := imagetest.WriteOCIArchive(t, filepath.Join(t.TempDir(), "oci.tar"), idx)
	for _, ref := range []string{"oci:" + dir, "oci:" + dir + ":v2", "oci:" + dir + "@" + imagetest.Digest(t, idx).String(), "tarball:" + archive} {
		src, p := openPlatform(t, ref, Options{}, "linux/amd64")
		f, err := p.Lookup(t.Context(), "/app/server")
		if err != nil || !f.Found {
			t.Fatalf("%s: %+v %v", ref, f, err)
		}
		if d, _ := src.Digest(t.Context()); d != imagetest.Digest(t, idx) {
			t.Errorf("%s: digest %s", ref, d)
		}
	}
	if _, err := Open(t.Context(), "oci:"+dir+":nope", Options{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown tag: %v", err)
	}
}
