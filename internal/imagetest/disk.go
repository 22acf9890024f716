package imagetest

import (
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// WriteLayoutIndex writes idx as the one manifest of a new OCI layout in
// dir (tagged with tag when not empty) and returns dir.
func WriteLayoutIndex(t testing.TB, dir, tag string, idx v1.ImageIndex) string {
	t.Helper()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	var opts []layout.Option
	if tag != "" {
		opts = append(opts, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": tag}))
	}
	if err := p.AppendIndex(idx, opts...); err != nil {
		t.Fatalf("writing layout %s: %v", dir, err)
	}
	return dir
}

// WriteLayoutImage writes img as the one manifest of a new OCI layout.
func WriteLayoutImage(t testing.TB, dir, tag string, img v1.Image) string {
	t.Helper()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	var opts []layout.Option
	if tag != "" {
		opts = append(opts, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": tag}))
	}
	if err := p.AppendImage(img, opts...); err != nil {
		t.Fatalf("writing layout %s: %v", dir, err)
	}
	return dir
}

// WriteDockerTarball writes img as a docker save archive in dir and
// returns its path.
func WriteDockerTarball(t testing.TB, dir string, img v1.Image) string {
	t.Helper()
	file := filepath.Join(dir, "image.tar")
	tag, err := name.NewTag("example.invalid/test:latest")
	if err != nil {
		t.Fatal(err)
	}
	if err := tarball.WriteToFile(file, tag, img); err != nil {
		t.Fatalf("writing %s: %v", file, err)
	}
	return file
}
