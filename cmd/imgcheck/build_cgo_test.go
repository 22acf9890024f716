package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/internal/realimages"
)

// cgoMain calls C, so that go build links it against the C library with
// the dynamic loader as its interpreter.
const cgoMain = `package main

// static int twice(int x) { return 2 * x; }
import "C"

import "fmt"

func main() { fmt.Println("cgo", int(C.twice(21))) }
`

// cgoModule writes a cgo main package with a .ko.yaml whose build env is
// env, and makes it the working directory.
func cgoModule(t *testing.T, env ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cgoapp")
	koYAML := "builds:\n- id: cgoapp\n  main: .\n  env:\n"
	for _, e := range env {
		koYAML += "  - " + e + "\n"
	}
	for name, body := range map[string]string{"go.mod": "module example.com/cgoapp\n\ngo 1.26\n", "main.go": cgoMain, ".ko.yaml": koYAML} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	t.Setenv("KO_CONFIG_PATH", "")
	t.Setenv("KO_DOCKER_REPO", "")
	return dir
}

// needTools fails (never skips) when a tool .ci/install-tools installs is
// missing.
func needTools(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Fatalf("%s is required for this test (run .ci/install-tools): %v", n, err)
		}
	}
}

// debianLayouts holds the Debian bookworm base layouts, written once per
// test binary: they are tens of megabytes.
var debianLayouts struct {
	once sync.Once
	dir  string // the layout: a directory made by os.MkdirTemp, removed by TestBuildCgo
}

// debianBase returns an OCI layout reference to a linux/amd64 + linux/arm64
// index of Debian bookworm (debootstrap minbase trees: glibc and its
// loader, as in Debian's images).
func debianBase(t *testing.T) string {
	t.Helper()
	debianLayouts.once.Do(func() {
		trees := realimages.DebianTrees(t, realimages.DebianTree{Suite: "bookworm", Arch: "amd64"}, realimages.DebianTree{Suite: "bookworm", Arch: "arm64"})
		var children []imagetest.Child
		for _, tree := range trees {
			children = append(children, imagetest.Child{Image: realimages.Image(t, realimages.Config{Arch: tree.Arch}, tree.Layer)})
		}
		dir, err := os.MkdirTemp("", "imgcheck-debian-base-")
		if err != nil {
			t.Fatal(err)
		}
		debianLayouts.dir = imagetest.WriteLayoutIndex(t, dir, "bookworm", imagetest.Index(t, false, children...))
	})
	if debianLayouts.dir == "" {
		t.Fatal("the Debian base layout could not be made (see the first test that asked for it)")
	}
	return "oci:" + debianLayouts.dir + ":bookworm"
}

// noLoaderBase is an arm64 base with files but no dynamic loader.
func noLoaderBase(t *testing.T) string {
	t.Helper()
	layer := imagetest.Layer(t, imagetest.Dir("etc"), imagetest.File("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\n")))
	img := realimages.Image(t, realimages.Config{Arch: "arm64"}, layer)
	return "oci:" + imagetest.WriteLayoutImage(t, filepath.Join(t.TempDir(), "noloader"), "", img)
}

// otherArch is a Go architecture that is not the host's, with its C
// cross compiler from .ci/install-tools.
func otherArch() (arch, cc string) {
	if runtime.GOARCH == "arm64" {
		return "amd64", "x86_64-linux-gnu-gcc"
	}
	return "arm64", "aarch64-linux-gnu-gcc"
}

func TestBuildCgo(t *testing.T) {
	needTools(t, "gcc", "aarch64-linux-gnu-gcc")
	t.Cleanup(func() {
		// Only the directory MkdirTemp made, never its parent.
		if d := debianLayouts.dir; d != "" && strings.HasPrefix(filepath.Base(d), "imgcheck-debian-base-") {
			os.RemoveAll(d)
		}
	})
	tests := []struct {
		name     string
		env      []string
		args     []string
		base     func(*testing.T) string
		wantCode int
		wantErr  []string
	}{
		{name: "ko's CC for linux/arm64 on Debian", env: []string{"CGO_ENABLED=1", "CC=aarch64-linux-gnu-gcc"},
			args: []string{"--platform", "linux/arm64"}, base: debianBase},
		{name: "CC_FOR per platform, amd64 and arm64 on Debian", env: []string{"CGO_ENABLED=1", "CC_FOR_linux_arm64=aarch64-linux-gnu-gcc", "CC_FOR_linux_amd64=gcc"},
			args: []string{"--platform", "linux/amd64,linux/arm64"}, base: debianBase},
		{name: "built-in static base refuses", env: []string{"CGO_ENABLED=1", "CC=aarch64-linux-gnu-gcc"},
			args: []string{"--platform", "linux/arm64"}, base: func(*testing.T) string { return "static" },
			wantCode: exitFindings, wantErr: []string{"built-in static base has no dynamic loader", "CGO_ENABLED=0", "nothing was published"}},
		{name: "scratch refuses", env: []string{"CGO_ENABLED=1", "CC=aarch64-linux-gnu-gcc"},
			args: []string{"--platform", "linux/arm64"}, base: func(*testing.T) string { return "scratch" },
			wantCode: exitFindings, wantErr: []string{"scratch base is empty"}},
		{name: "base without the loader refuses with verify's message", env: []string{"CGO_ENABLED=1", "CC=aarch64-linux-gnu-gcc"},
			args: []string{"--platform", "linux/arm64"}, base: noLoaderBase,
			wantCode: exitFindings, wantErr: []string{"/lib/ld-linux-aarch64.so.1 is not in the image", "nothing was published"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := cgoModule(t, tt.env...)
			base := tt.base(t)
			args := append([]string{"build", "--base", base, "--oci-layout", "layout"}, tt.args...)
			code, out, errOut := runCLI(t, args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d:\n%s", code, tt.wantCode, errOut)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
			if tt.wantCode != 0 {
				if out != "" {
					t.Errorf("a refused build printed %q", out)
				}
				if _, err := os.Stat(filepath.Join(dir, "layout")); !os.IsNotExist(err) {
					t.Errorf("a refused build wrote its layout: %v", err)
				}
				return
			}
			t.Log(errOut)
			if !strings.Contains(errOut, "dynamically linked (interpreter /lib/ld-linux-") || !strings.Contains(errOut, "image checks passed") {
				t.Errorf("stderr does not show the dynamic binary and the passed checks:\n%s", errOut)
			}
			checkCgoImages(t, dir, strings.TrimSpace(out))
		})
	}
}

// checkCgoImages checks each platform's /ko-app/cgoapp is a dynamically
// linked ELF for its machine.
func checkCgoImages(t *testing.T, dir, ref string) {
	t.Helper()
	if !strings.HasPrefix(ref, "oci:layout@") {
		t.Fatalf("build printed %q, want oci:layout@DIGEST", ref)
	}
	idx := builtLayoutIndex(t, dir, ref)
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	machines := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}
	for _, d := range im.Manifests {
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		_, binary := imagetest.TopLayerEntry(t, img, "ko-app/cgoapp")
		bin := filepath.Join(t.TempDir(), "cgoapp")
		if err := os.WriteFile(bin, binary, 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		libs, _ := f.ImportedLibraries()
		f.Close()
		if f.Machine != machines[d.Platform.Architecture] || len(libs) == 0 {
			t.Errorf("%s: machine %v, libraries %v; want a dynamically linked %v binary", d.Platform.Architecture, f.Machine, libs, machines[d.Platform.Architecture])
		}
	}
}

// TestBuildCgoCrossWithoutCompilerHint: cgo for another architecture with
// the host's C compiler fails, and the error says which setting is missing.
func TestBuildCgoCrossWithoutCompilerHint(t *testing.T) {
	needTools(t, "gcc")
	arch, cc := otherArch()
	cgoModule(t, "CGO_ENABLED=1")
	code, _, errOut := runCLI(t, "build", "--platform", "linux/"+arch, "--base", "scratch", "-q")
	if code != exitError || !strings.Contains(errOut, "CC_FOR_linux_"+arch+"="+cc) {
		t.Fatalf("exit %d, want 2 with a CC_FOR_linux_%s hint:\n%s", code, arch, errOut)
	}
}
