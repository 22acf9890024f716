package runctest

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const helloSrc = `package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "wait" {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		fmt.Println("waiting")
		<-c
		fmt.Println("got SIGTERM")
		os.Exit(0)
	}
	fmt.Println("hello from", os.Args[0])
	os.Exit(3)
}
`

func buildHelloImage(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(helloSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "hello")
	cmd := exec.Command("go", "build", "-o", bin, "main.go")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "app/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.WriteHeader(&tar.Header{Name: "app/hello", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(data))})
	tw.Write(data)
	tw.Close()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil }, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON), layer)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	cfg.Config = v1.Config{Entrypoint: []string{"/app/hello"}, Env: []string{"PATH=/app"}}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	lp, err := layout.Write(filepath.Join(t.TempDir(), "layout"), empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "hello"})); err != nil {
		t.Fatal(err)
	}
	return string(lp)
}

func TestRunExitStatusAndSignal(t *testing.T) {
	Require(t, "runc", "umoci")
	layoutDir := buildHelloImage(t)

	b := Unpack(t, layoutDir, "hello")
	if got := b.Args(); len(got) != 1 || got[0] != "/app/hello" {
		t.Fatalf("args from image config: %v", got)
	}
	res := b.Run(t, fmt.Sprintf("rt-exit-%d", os.Getpid()), 30*time.Second)
	if res.ExitCode != 3 || !strings.Contains(res.Output, "hello from /app/hello") {
		t.Fatalf("exit %d, output %q; want exit 3 and the greeting", res.ExitCode, res.Output)
	}

	b.SetArgs("/app/hello", "wait")
	c := b.Start(t, fmt.Sprintf("rt-wait-%d", os.Getpid()))
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(c.Output(), "waiting") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	res, err := c.Wait(10 * time.Second)
	if err != nil || res.ExitCode != 0 || !strings.Contains(res.Output, "got SIGTERM") {
		t.Fatalf("after SIGTERM: exit %d, err %v, output %q", res.ExitCode, err, res.Output)
	}

	// A missing entrypoint fails the way the runtime reports it.
	b.SetArgs("/app/missing")
	res = b.Run(t, fmt.Sprintf("rt-missing-%d", os.Getpid()), 30*time.Second)
	if res.ExitCode == 0 || !strings.Contains(res.Output, "no such file or directory") {
		t.Fatalf("missing entrypoint: exit %d, output %q", res.ExitCode, res.Output)
	}
}
