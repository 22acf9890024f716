package build

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/build/koconfig"
	"github.com/imgcheck/imgcheck/platform"
)

func TestParsePlatforms(t *testing.T) {
	tests := []struct {
		in      []string
		want    []string
		wantErr string
	}{
		{in: nil, want: []string{"linux/amd64", "linux/arm64"}},
		{in: []string{"linux/arm64,linux/amd64"}, want: []string{"linux/arm64", "linux/amd64"}},
		{in: []string{"linux/arm64", "linux/arm64"}, want: []string{"linux/arm64"}},
		{in: []string{"linux/arm/v7", "linux/amd64/v3"}, want: []string{"linux/arm/v7", "linux/amd64/v3"}},
		{in: []string{"all"}, want: allBuiltinPlatforms},
		{in: []string{"windows/amd64"}, wantErr: "only linux"},
		{in: []string{"linux"}, wantErr: "os/arch"},
		{in: []string{"linux/arm/v9"}, wantErr: "variant"},
		{in: []string{"linux/amd64/v9"}, wantErr: "variant"},
	}
	for _, tt := range tests {
		got, err := ParsePlatforms(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParsePlatforms(%v) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		var keys []string
		for _, p := range got {
			keys = append(keys, platform.String(&p))
		}
		if err != nil || !slices.Equal(keys, tt.want) {
			t.Errorf("ParsePlatforms(%v) = %v, %v; want %v", tt.in, keys, err, tt.want)
		}
	}
}

func TestGoEnv(t *testing.T) {
	tests := map[string][]string{
		"linux/amd64":      {"GOOS=linux", "GOARCH=amd64"},
		"linux/amd64/v3":   {"GOOS=linux", "GOARCH=amd64", "GOAMD64=v3"},
		"linux/arm/v6":     {"GOOS=linux", "GOARCH=arm", "GOARM=6"},
		"linux/arm64/v8":   {"GOOS=linux", "GOARCH=arm64"},
		"linux/arm64/v8.2": {"GOOS=linux", "GOARCH=arm64", "GOARM64=v8.2"},
	}
	for spec, want := range tests {
		p, err := v1.ParsePlatform(spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := goEnv(*p); !slices.Equal(got, want) {
			t.Errorf("goEnv(%s) = %v, want %v", spec, got, want)
		}
	}
}

func TestReproducibleLayer(t *testing.T) {
	files := []layerFile{
		{Path: "/b/file", Mode: 0o644, Data: []byte("b")},
		{Path: "/a/bin", Mode: 0o755, Data: []byte("a")},
		{Path: "/tmp", Dir: true, Mode: 0o777 | os.ModeSticky},
	}
	mtime := time.Unix(1700000000, 0)
	l1, err := newReproducibleLayer(files, mtime)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(files)
	l2, err := newReproducibleLayer(files, mtime)
	if err != nil {
		t.Fatal(err)
	}
	if l1.digest != l2.digest || l1.diffID != l2.diffID {
		t.Errorf("same files in another order gave another layer: %s vs %s", l1.digest, l2.digest)
	}
	zr, err := gzip.NewReader(bytes.NewReader(l1.compressed))
	if err != nil {
		t.Fatal(err)
	}
	if !zr.ModTime.IsZero() || zr.Name != "" {
		t.Errorf("gzip header has mtime %v name %q", zr.ModTime, zr.Name)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if !h.ModTime.Equal(mtime) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" {
			t.Errorf("%s: mtime %v uid %d gid %d uname %q", h.Name, h.ModTime, h.Uid, h.Gid, h.Uname)
		}
		if h.Name == "tmp/" && h.Mode != 0o1777 {
			t.Errorf("tmp mode %o, want 1777", h.Mode)
		}
	}
	if want := []string{"a/", "a/bin", "b/", "b/file", "tmp/"}; !slices.Equal(names, want) {
		t.Errorf("entries %v, want sorted %v with parents", names, want)
	}
}

func TestStaticBase(t *testing.T) {
	layer, err := newReproducibleLayer(staticBaseFiles(), time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	src := builtinSource{static: true, layer: layer}
	var digests []v1.Hash
	for _, p := range []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}} {
		base, err := src.For(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		if base.config.Architecture != p.Architecture || base.config.Config.User != "65532" {
			t.Errorf("%s: config %+v", platform.String(&p), base.config)
		}
		digests = append(digests, base.descs[0].Digest)
	}
	if digests[0] != digests[1] {
		t.Errorf("static base layer differs between platforms")
	}
	img, err := assembleImage(imageSpec{base: staticBase(layer, v1.Platform{OS: "linux", Architecture: "amd64"}), binaryName: "x", created: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	_, passwd := fileFromImage(t, img, "/etc/passwd")
	if !strings.Contains(string(passwd), "nonroot:x:65532:65532:") || !strings.HasPrefix(string(passwd), "root:x:0:0:") {
		t.Errorf("passwd:\n%s", passwd)
	}
	_, group := fileFromImage(t, img, "/etc/group")
	if !strings.Contains(string(group), "nonroot:x:65532:") {
		t.Errorf("group:\n%s", group)
	}
	h, _ := fileFromImage(t, img, "/tmp")
	if h.Typeflag != tar.TypeDir || h.Mode != 0o1777 {
		t.Errorf("/tmp: type %c mode %o", h.Typeflag, h.Mode)
	}
	h, _ = fileFromImage(t, img, "/home/nonroot")
	if h.Uid != nonrootUID {
		t.Errorf("/home/nonroot owned by %d", h.Uid)
	}
	_, bundle := fileFromImage(t, img, caBundlePath)
	n := 0
	for rest := bundle; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			t.Fatalf("CA bundle certificate %d: %v", n, err)
		}
	}
	if n < 100 {
		t.Errorf("CA bundle holds %d certificates, want the NSS set (> 100)", n)
	}
}

func TestCheckBinary(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "script")
	if err := os.WriteFile(text, []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	hostGo, err := os.Executable() // the test binary: ELF for the host
	if err != nil {
		t.Fatal(err)
	}
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	tests := []struct {
		name, path, arch, wantRule string
	}{
		{name: "not ELF", path: text, arch: "amd64", wantRule: "binary-format"},
		{name: "wrong machine", path: hostGo, arch: other, wantRule: "binary-arch"},
		{name: "unknown arch", path: hostGo, arch: "mips64x", wantRule: "binary-arch"},
	}
	if _, err := os.Stat("/bin/sh"); err == nil {
		// A distribution shell is dynamically linked.
		tests = append(tests, struct{ name, path, arch, wantRule string }{"dynamic", "/bin/sh", runtime.GOARCH, "binary-static"})
	}
	for _, tt := range tests {
		problems, err := CheckBinary(tt.path, v1.Platform{OS: "linux", Architecture: tt.arch})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(problems) != 1 || problems[0].Rule != tt.wantRule {
			t.Errorf("%s: problems %+v, want rule %s", tt.name, problems, tt.wantRule)
		}
	}
	if _, err := CheckBinary(filepath.Join(dir, "missing"), v1.Platform{OS: "linux", Architecture: "amd64"}); err == nil {
		t.Error("missing file: no error")
	}
}

func TestKodataSymlinks(t *testing.T) {
	root := t.TempDir()
	pkg := filepath.Join(root, "cmd")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(pkg, "kodata", "sub"), 0o755))
	must(os.WriteFile(filepath.Join(root, "shared.txt"), []byte("shared"), 0o644))
	must(os.WriteFile(filepath.Join(pkg, "kodata", "sub", "run.sh"), []byte("x"), 0o700))
	must(os.Symlink("../../shared.txt", filepath.Join(pkg, "kodata", "shared.txt")))
	must(os.Symlink("sub", filepath.Join(pkg, "kodata", "linkdir")))
	files, err := kodataFiles(pkg, root)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.Path] = f.Mode.String() + " " + string(f.Data)
	}
	want := map[string]string{
		"/var/run/ko":                "-rwxr-xr-x ",
		"/var/run/ko/linkdir":        "-rwxr-xr-x ",
		"/var/run/ko/linkdir/run.sh": "-rwxr-xr-x x",
		"/var/run/ko/shared.txt":     "-rw-r--r-- shared",
		"/var/run/ko/sub":            "-rwxr-xr-x ",
		"/var/run/ko/sub/run.sh":     "-rwxr-xr-x x",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	outside := t.TempDir()
	must(os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o600))
	must(os.Symlink(filepath.Join(outside, "secret"), filepath.Join(pkg, "kodata", "secret")))
	if _, err := kodataFiles(pkg, root); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("link outside the tree: err = %v", err)
	}
	must(os.Remove(filepath.Join(pkg, "kodata", "secret")))
	// Two links back up would branch exponentially if followed blindly.
	must(os.Symlink("..", filepath.Join(pkg, "kodata", "sub", "loop")))
	must(os.Symlink("..", filepath.Join(pkg, "kodata", "sub", "loop2")))
	done := make(chan error, 1)
	go func() { _, err := kodataFiles(pkg, root); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "symlink loop") {
			t.Errorf("symlink loop: err = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("symlink loop: walk did not stop")
	}
}

func TestNestedModuleWithBuildDir(t *testing.T) {
	root := t.TempDir()
	nested := filepath.Join(root, "tools", "nested")
	if err := os.CopyFS(nested, os.DirFS("testdata/hello")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/root\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := koconfig.Parse(".ko.yaml", []byte("builds:\n- id: nested\n  dir: ./tools/nested\n  main: .\n  ldflags: [-X main.version=nested]\n"))
	if err != nil {
		t.Fatal(err)
	}
	b := newTestBuilder(root, fixtures.compiler)
	b.Config = cfg
	b.Platforms = []string{"linux/amd64"}
	art, err := b.Build(testContext(t), "./tools/nested")
	if err != nil {
		t.Fatal(err)
	}
	if art.Package.ImportPath != "example.com/hello" || art.Package.Dir != nested {
		t.Errorf("package %+v", art.Package)
	}
}

func TestPackageOutsideWorkDir(t *testing.T) {
	b := newTestBuilder(t.TempDir(), fixtures.compiler) // no go.mod here
	b.Platforms = []string{"linux/amd64"}
	abs, err := filepath.Abs(helloModule(t))
	if err != nil {
		t.Fatal(err)
	}
	art, err := b.Build(testContext(t), abs)
	if err != nil {
		t.Fatal(err)
	}
	if art.Package.Name != "hello" {
		t.Errorf("package %+v", art.Package)
	}
}

func TestCompileErrorIsReported(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"go.mod": "module example.com/broken\n\ngo 1.26\n", "main.go": "package main\n\nfunc main() { undefinedCall() }\n"}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var logged []string
	b := newTestBuilder(dir, GoCompiler{})
	b.Progress = ProgressFunc(func(e Event) { // called from both platforms' goroutines
		mu.Lock()
		defer mu.Unlock()
		if e.Stage == StageCompileLog {
			logged = append(logged, e.Line)
		}
	})
	_, err := b.Build(testContext(t), ".")
	var pe *ProblemsError
	if err == nil || errors.As(err, &pe) || !strings.Contains(err.Error(), "undefined: undefinedCall") {
		t.Fatalf("err = %v, want the compiler's message", err)
	}
	if !slices.ContainsFunc(logged, func(l string) bool { return strings.Contains(l, "undefinedCall") }) {
		t.Errorf("compile output was not streamed: %q", logged)
	}
}

func TestSourceDateEpoch(t *testing.T) {
	def := time.Unix(0, 0)
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{in: "", want: 0},
		{in: "1700000000", want: 1700000000},
		{in: "-1", wantErr: true},
		{in: "1.5", wantErr: true},
		{in: "soon", wantErr: true},
		{in: "99999999999999999999", wantErr: true},
	}
	for _, tt := range tests {
		got, err := sourceDateEpoch(tt.in, def)
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), "SOURCE_DATE_EPOCH") {
				t.Errorf("%q: err = %v", tt.in, err)
			}
			continue
		}
		if err != nil || got.Unix() != tt.want || got.Location() != time.UTC {
			t.Errorf("%q: %v, %v", tt.in, got, err)
		}
	}
}
