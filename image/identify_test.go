package image

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

func TestIdentifyBinaries(t *testing.T) {
	entries := []imagetest.Entry{
		imagetest.File("bin/amd64-static", 0o755, imagetest.GoBinary(t, "linux", "amd64", false)),
		imagetest.File("bin/arm64-static", 0o755, imagetest.GoBinary(t, "linux", "arm64", false)),
		imagetest.File("bin/cgo", 0o755, imagetest.GoBinary(t, runtime.GOOS, runtime.GOARCH, true)),
		imagetest.File("bin/arm64-pie", 0o755, imagetest.GoPIEBinary(t, "linux", "arm64")),
		imagetest.File("bin/arm64-cgo", 0o755, imagetest.GoBinary(t, "linux", "arm64", true)),
		imagetest.File("bin/run.sh", 0o755, []byte("#!/bin/sh -e\nexec /bin/amd64-static\n")),
		imagetest.File("bin/app.exe", 0o755, imagetest.PEHeader(0xaa64)),
		imagetest.File("bin/empty", 0o755, nil),
	}
	tests := []struct {
		path, kind, goarch, interp, script, peMachine string
		static                                        bool
	}{
		{path: "/bin/amd64-static", kind: "elf", goarch: "amd64", static: true},
		{path: "/bin/arm64-static", kind: "elf", goarch: "arm64", static: true},
		{path: "/bin/cgo", kind: "elf", goarch: runtime.GOARCH, interp: "/lib64/ld-linux-x86-64.so.2"},
		{path: "/bin/arm64-pie", kind: "elf", goarch: "arm64", interp: "/lib/ld-linux-aarch64.so.1"},
		{path: "/bin/arm64-cgo", kind: "elf", goarch: "arm64", interp: "/lib/ld-linux-aarch64.so.1"},
		{path: "/bin/run.sh", kind: "script", script: "/bin/sh"},
		{path: "/bin/app.exe", kind: "pe", goarch: "arm64", peMachine: "ARM64"},
		{path: "/bin/empty", kind: "unknown"},
	}
	for _, comp := range []types.MediaType{types.OCILayer, types.OCILayerZStd, types.OCIUncompressedLayer} {
		t.Run(string(comp), func(t *testing.T) {
			layer := imagetest.LayerFromTar(t, imagetest.Tar(t, entries...), comp)
			img := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Layers: []v1.Layer{layer}})
			reg := imagetest.Registry(t)
			_, p := openPlatform(t, reg.PushImage(t, "ids:1", img), Options{}, "linux/amd64")
			if got := p.Layers[0].Compression; got != compressionOf(comp) {
				t.Errorf("compression %s, want from %s", got, comp)
			}
			for _, tt := range tests {
				f, err := p.Lookup(t.Context(), tt.path)
				if err != nil || !f.Found {
					t.Fatalf("%s: %+v %v", tt.path, f, err)
				}
				info, ri, err := p.Identify(t.Context(), f)
				if err != nil {
					t.Fatalf("%s: %v", tt.path, err)
				}
				if string(info.Kind) != tt.kind || info.GOARCH != tt.goarch || info.Interpreter != tt.interp ||
					info.ScriptInterpreter != tt.script || info.PEMachine != tt.peMachine {
					t.Errorf("%s: got %s (%+v)", tt.path, info, info)
				}
				if tt.kind == "elf" && info.Static() != tt.static {
					t.Errorf("%s: static=%v, want %v", tt.path, info.Static(), tt.static)
				}
				if ri.Mode != ReadPrefix || ri.BytesRead > identifyMaxRead {
					t.Errorf("%s: read info %+v", tt.path, ri)
				}
			}
		})
	}
}

func TestDigestChecks(t *testing.T) {
	img := binImage(t, "linux", "amd64", "", "", imagetest.GoBinary(t, "linux", "amd64", false))
	cfgDigest := must(t, img.ConfigName)
	layers := must(t, img.Layers)
	layerDigest := must(t, layers[0].Digest)

	t.Run("corrupted config in layout", func(t *testing.T) {
		dir := imagetest.WriteLayoutImage(t, filepath.Join(t.TempDir(), "l"), "", img)
		blob := filepath.Join(dir, "blobs", "sha256", cfgDigest.Hex)
		corrupt(t, blob)
		src, err := Open(t.Context(), "oci:"+dir, Options{})
		if err == nil {
			_, err = src.Select(t.Context(), mustPlatform(t, "linux/amd64"))
		}
		var dm *DigestMismatchError
		if !errors.Is(err, ErrDigestMismatch) || !errors.As(err, &dm) || dm.Want != cfgDigest {
			t.Errorf("err = %v, want a config digest mismatch", err)
		}
	})
	t.Run("corrupted layer found in strict mode only", func(t *testing.T) {
		dir := imagetest.WriteLayoutImage(t, filepath.Join(t.TempDir(), "l"), "", img)
		blob := filepath.Join(dir, "blobs", "sha256", layerDigest.Hex)
		b, err := os.ReadFile(blob)
		if err != nil {
			t.Fatal(err)
		}
		// Flip a byte near the end: the gzip CRC or the digest catches it.
		b[len(b)-3] ^= 0xff
		if err := os.WriteFile(blob, b, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, strict := range []bool{false, true} {
			_, p := openPlatform(t, "oci:"+dir, Options{Strict: strict}, "linux/amd64")
			f, err := p.Lookup(t.Context(), "/app/server")
			if err != nil {
				t.Fatal(err)
			}
			_, ri, err := p.Identify(t.Context(), f)
			if !strict && (err != nil || ri.Mode != ReadPrefix) {
				t.Errorf("prefix read: %+v %v", ri, err)
			}
			if strict && err == nil {
				t.Errorf("strict mode did not notice the corrupted layer")
			}
		}
	})
	t.Run("tag fetched manifest is hashed", func(t *testing.T) {
		reg := imagetest.Registry(t)
		ref := reg.PushImage(t, "d:1", img)
		src, err := Open(t.Context(), ref, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := src.Digest(t.Context()); d != must(t, img.Digest) {
			t.Errorf("digest %s, want %s", d, must(t, img.Digest))
		}
		wrong := ref[:len(ref)-len(":1")] + "@sha256:" + layerDigest.Hex
		if _, err := Open(t.Context(), wrong, Options{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown digest: %v, want ErrNotFound", err)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	reg := imagetest.Registry(t)
	tests := []struct {
		ref  string
		want error
	}{
		{ref: reg.Host + "/nothing:here", want: ErrNotFound},
		{ref: "oci:" + t.TempDir(), want: ErrNotFound},
		{ref: "tarball:/nonexistent.tar", want: ErrNotFound},
		{ref: "UPPER/case", want: ErrMalformed},
		{ref: "127.0.0.1:1/closed:port", want: ErrNetwork},
	}
	for _, tt := range tests {
		_, err := Open(t.Context(), tt.ref, Options{})
		if !errors.Is(err, tt.want) {
			t.Errorf("Open(%s) = %v, want %v", tt.ref, err, tt.want)
		}
	}
}

func must[T any](t *testing.T, f func() (T, error)) T {
	t.Helper()
	v, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func corrupt(t *testing.T, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x01
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// ReadFile and the user files never return fewer bytes than the file has:
// past MaxFileBytes they fail with ErrLimit instead of a truncated
// /etc/passwd that could resolve a user differently.
func TestReadFileShortReadIsLimit(t *testing.T) {
	passwd := []byte("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")
	img := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64",
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.File("etc/passwd", 0o644, passwd))}})
	src, err := FromImage("short", img, Options{Limits: Limits{MaxFileBytes: 16}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := src.Select(t.Context(), v1.Platform{OS: "linux", Architecture: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	if data, _, err := p.ReadFile(t.Context(), "/etc/passwd", 4096); !errors.Is(err, ErrLimit) {
		t.Errorf("ReadFile = %q, %v; want ErrLimit", data, err)
	}
	if c, err := p.ResolveUser(t.Context(), "app"); !errors.Is(err, ErrLimit) {
		t.Errorf("ResolveUser(app) = %+v, %v; want ErrLimit", c, err)
	}
}
