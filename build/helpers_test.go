package build

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/platform"
)

// testFixtures holds what is shared by every test of one test binary run:
// the fixture module, copied outside the repository so that no VCS stamp
// varies between builds, and binaries compiled once per platform.
type testFixtures struct {
	once      sync.Once
	moduleDir string
	err       error
	compiler  *cachingCompiler
}

// fixtures is written once under sync.Once and only read afterwards.
var fixtures = &testFixtures{compiler: &cachingCompiler{inner: GoCompiler{}, done: map[string]string{}}}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtures.moduleDir != "" {
		os.RemoveAll(filepath.Dir(fixtures.moduleDir))
	}
	os.RemoveAll(fixtures.compiler.dir)
	os.Exit(code)
}

// helloModule returns a private copy of testdata/hello with a kodata
// symlink added.
func helloModule(t *testing.T) string {
	t.Helper()
	fixtures.once.Do(func() {
		root, err := os.MkdirTemp("", "imgcheck-build-fixture-")
		if err != nil {
			fixtures.err = err
			return
		}
		dir := filepath.Join(root, "hello")
		if err := os.CopyFS(dir, os.DirFS("testdata/hello")); err != nil {
			fixtures.err = err
			return
		}
		fixtures.err = os.Symlink("greeting.txt", filepath.Join(dir, "kodata", "link.txt"))
		fixtures.moduleDir = dir
	})
	if fixtures.err != nil {
		t.Fatalf("preparing fixture module: %v", fixtures.err)
	}
	return fixtures.moduleDir
}

// cachingCompiler compiles each (package, platform, flags) once per test
// run and hands out copies: wrapping a Compiler adds behaviour.
type cachingCompiler struct {
	inner Compiler
	mu    sync.Mutex
	dir   string
	done  map[string]string
}

func (c *cachingCompiler) Compile(ctx context.Context, req CompileRequest) (string, error) {
	key := fmt.Sprint(req.Package.ImportPath, platform.String(&req.Platform), req.Env, req.Flags, req.Ldflags)
	c.mu.Lock()
	defer c.mu.Unlock()
	cached, ok := c.done[key]
	if !ok {
		if c.dir == "" {
			d, err := os.MkdirTemp("", "imgcheck-build-bincache-")
			if err != nil {
				return "", err
			}
			c.dir = d
		}
		out := filepath.Join(c.dir, fmt.Sprint(len(c.done)))
		if err := os.MkdirAll(out, 0o755); err != nil {
			return "", err
		}
		r := req
		r.OutDir = out
		p, err := c.inner.Compile(ctx, r)
		if err != nil {
			return "", err
		}
		c.done[key], cached = p, p
	}
	data, err := os.ReadFile(cached)
	if err != nil {
		return "", err
	}
	dst := filepath.Join(req.OutDir, req.Package.Name)
	return dst, os.WriteFile(dst, data, 0o755)
}

// requestLog records every request a test registry serves.
type requestLog struct {
	mu   sync.Mutex
	reqs []string
}

func (l *requestLog) add(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, r.Method+" "+r.URL.RequestURI())
}

func (l *requestLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = nil
}

func (l *requestLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.reqs...)
}

// blobUploads are the requests that start, continue or finish a blob upload.
func (l *requestLog) blobUploads() []string {
	var out []string
	for _, r := range l.all() {
		if strings.Contains(r, "/blobs/uploads") && !strings.HasPrefix(r, "GET ") && !strings.HasPrefix(r, "HEAD ") {
			out = append(out, r)
		}
	}
	return out
}

// startRegistry runs go-containerregistry's in-memory registry on
// 127.0.0.1 and returns its host:port.
func startRegistry(t *testing.T, opts ...registry.Option) (string, *requestLog) {
	t.Helper()
	reqs := &requestLog{}
	opts = append(opts, registry.Logger(log.New(io.Discard, "", 0)))
	h := registry.New(opts...)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqs.add(r)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), reqs
}

// fileFromImage reads one file out of an image's layers (top layer wins).
func fileFromImage(t *testing.T, img v1.Image, name string) (*tar.Header, []byte) {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	name = strings.TrimPrefix(path.Clean(name), "/")
	for i := len(layers) - 1; i >= 0; i-- {
		rc, err := layers[i].Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Trim(strings.TrimPrefix(h.Name, "./"), "/") == name {
				data, err := io.ReadAll(tr)
				rc.Close()
				if err != nil {
					t.Fatal(err)
				}
				return h, data
			}
		}
		rc.Close()
	}
	t.Fatalf("%s not found in image", name)
	return nil, nil
}

func jsonDecode(rc io.ReadCloser, v any) error {
	defer rc.Close()
	return json.NewDecoder(rc).Decode(v)
}
