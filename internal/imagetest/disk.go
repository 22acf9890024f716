package imagetest

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"os"
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
	return writeLayout(t, dir, tag, func(p layout.Path, opts ...layout.Option) error { return p.AppendIndex(idx, opts...) })
}

// WriteLayoutImage writes img as the one manifest of a new OCI layout.
func WriteLayoutImage(t testing.TB, dir, tag string, img v1.Image) string {
	t.Helper()
	return writeLayout(t, dir, tag, func(p layout.Path, opts ...layout.Option) error { return p.AppendImage(img, opts...) })
}

// writeLayout makes a new OCI layout in dir and has add append its one
// manifest, with the tag annotation when tag is not empty.
func writeLayout(t testing.TB, dir, tag string, add func(layout.Path, ...layout.Option) error) string {
	t.Helper()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	var opts []layout.Option
	if tag != "" {
		opts = append(opts, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": tag}))
	}
	if err := add(p, opts...); err != nil {
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

// WriteOCIArchive writes idx as an OCI archive (an OCI layout inside a
// tar, as "tarball:FILE" reads it) and returns file.
func WriteOCIArchive(t testing.TB, file string, idx v1.ImageIndex) string {
	t.Helper()
	dir := WriteLayoutIndex(t, filepath.Join(t.TempDir(), "layout"), "", idx)
	return TarLayout(t, dir, file)
}

// TarLayout packs the OCI layout in dir into file as an OCI archive and
// returns file.
func TarLayout(t testing.TB, dir, file string) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg, ModTime: Epoch}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = tw.Write(b)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = os.WriteFile(file, buf.Bytes(), 0o644)
	}
	if err != nil {
		t.Fatalf("writing OCI archive %s: %v", file, err)
	}
	return file
}

// WindowsImage is a windows/amd64 image with the given os.version whose
// entrypoint C:\app.exe is a PE header for machine (see PEHeader), stored
// under Files/ as Windows layers do.
func WindowsImage(t testing.TB, osVersion string, machine uint16) v1.Image {
	t.Helper()
	arch := map[uint16]string{0x8664: "amd64", 0xaa64: "arm64", 0x14c: "386"}[machine]
	return Image(t, ImageSpec{
		OS: "windows", Architecture: arch, OSVersion: osVersion, Entrypoint: []string{`C:\app.exe`},
		Layers: []v1.Layer{Layer(t, Dir("Files"), File("Files/app.exe", 0o755, PEHeader(machine)))},
	})
}
