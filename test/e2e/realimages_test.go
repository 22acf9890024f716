package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/internal/realimages"
	"github.com/imgcheck/imgcheck/internal/runctest"
)

// realImage is an image made from a real third-party tree and the
// processes to start in it; unpacking a Debian tree takes seconds, so
// each image is unpacked once for all its runs.
type realImage struct {
	name  string
	image v1.Image
	runs  []realRun
}

// realRun is one process and what runc must do with it.
type realRun struct {
	name     string
	args     []string
	emulate  bool   // start it through qemu-aarch64-static (arm64 on this amd64 host)
	starts   bool   // exit 0, or fail
	output   string // runc's and the process's output must contain this
	notInOut string // and must not contain this
}

// TestRealImages proves that the real-image fixtures are what they claim:
// runc (through qemu-user for arm64) starts or refuses each process for
// the reason the fixture exists. Each image takes the prediction test's
// path: a real registry, skopeo, umoci, runc.
func TestRealImages(t *testing.T) {
	runctest.Require(t, "runc", "umoci", "skopeo", "docker-registry", "debootstrap", "gcc", "aarch64-linux-gnu-gcc")
	if runctest.BinfmtRegistered() {
		t.Fatal("binfmt_misc has qemu handlers registered: an arm64 binary would run without the emulator, so this machine cannot show that the fixture needs it")
	}
	start := time.Now()
	trees := realimages.DebianTrees(t, realimages.DebianTree{Suite: "bookworm", Arch: "amd64"},
		realimages.DebianTree{Suite: "bookworm", Arch: "arm64"}, realimages.DebianTree{Suite: "bullseye", Arch: "amd64"})
	bookworm, bookwormArm, bullseye := trees[0], trees[1], trees[2]
	busybox := realimages.Busybox(t)
	t.Logf("root file systems ready in %s (cold builds: bookworm amd64 %s, bookworm arm64 %s, bullseye amd64 %s)",
		time.Since(start).Round(time.Millisecond), bookworm.BuildTime, bookwormArm.BuildTime, bullseye.BuildTime)
	checkHardLink(t, bookworm, "usr/bin/perl5.36.0", "usr/bin/perl")
	checkHardLink(t, bullseye, "bin/uncompress", "bin/gunzip")
	checkHardLink(t, busybox, "bin/sh", "bin/busybox")
	checkHardLink(t, busybox, "bin/wget", "bin/busybox")

	images := append(realAmd64Images(t, bookworm, bullseye, busybox), realArm64Images(t, bookwormArm)...)
	reg := startAuthRegistry(t)
	for i, img := range images {
		t.Run(img.name, func(t *testing.T) {
			ref := reg.push(t, fmt.Sprintf("realimages/image%d:v1", i), img.image)
			b := unpackFromRegistry(t, ref)
			for j, r := range img.runs {
				t.Run(r.name, func(t *testing.T) {
					b.SetArgs(r.args...)
					if r.emulate {
						b.UseEmulator(t, realimages.Emulator(t, "arm64"))
					}
					res := b.Run(t, fmt.Sprintf("imgcheck-real-%d-%d-%d", os.Getpid(), i, j), time.Minute)
					checkRun(t, r, res)
				})
			}
		})
	}
}

func realAmd64Images(t *testing.T, bookworm, bullseye, busybox *realimages.RootFS) []realImage {
	app := realimages.Config{Arch: "amd64", Entrypoint: []string{realimages.AppPath}}
	ssl := realimages.SSLProgram(t, "amd64")
	cgo := imagetest.GoBinary(t, "linux", "amd64", true)
	shTrue := realRun{name: "sh -c true", args: []string{"/bin/sh", "-c", "true"}, starts: true}
	return []realImage{
		{name: "bookworm amd64 with libssl3", image: realimages.Image(t, app, bookworm.Layer, realimages.HostPackage(t, "libssl3:amd64"),
			realimages.AppLayer(t, ssl, 0o755, imagetest.File("app/cgo", 0o755, cgo))),
			runs: []realRun{
				shTrue,
				{name: "libssl program", args: []string{realimages.AppPath}, starts: true, output: realimages.SSLProgramGreeting + " OpenSSL 3"},
				{name: "cgo binary", args: []string{"/app/cgo"}, starts: true, output: "hello from imagetest"},
			}},
		{name: "bookworm amd64 without libssl3", image: realimages.Image(t, app, bookworm.Layer, realimages.AppLayer(t, ssl, 0o755)),
			runs: []realRun{{name: "libssl program", args: []string{realimages.AppPath},
				output: "error while loading shared libraries: libssl.so.3: cannot open shared object file"}}},
		{name: "bullseye amd64 (glibc 2.31)", image: realimages.Image(t, app, bullseye.Layer, realimages.AppLayer(t, cgo, 0o755)),
			runs: []realRun{
				shTrue,
				{name: "cgo binary built on glibc 2.36", args: []string{realimages.AppPath},
					output: "version `GLIBC_2.34' not found (required by /app/server)"},
			}},
		{name: "busybox", image: realimages.Image(t, realimages.Config{Arch: "amd64", Entrypoint: []string{"/bin/sh"}}, busybox.Layer),
			runs: []realRun{
				shTrue,
				{name: "wget through its hard link", args: []string{"/bin/wget", "--help"}, starts: true, output: "Usage: wget"},
			}},
	}
}

func realArm64Images(t *testing.T, bookwormArm *realimages.RootFS) []realImage {
	app := realimages.Config{Arch: "arm64", Entrypoint: []string{realimages.AppPath}}
	ssl := realimages.SSLProgram(t, "arm64")
	cgo := imagetest.GoBinary(t, "linux", "arm64", true)
	echo := []string{"/bin/sh", "-c", "echo ok from arm64 sh"}
	return []realImage{
		{name: "bookworm arm64 with libssl3", image: realimages.Image(t, app, bookwormArm.Layer, realimages.HostPackage(t, "libssl3:arm64"),
			realimages.AppLayer(t, ssl, 0o755, imagetest.File("app/cgo", 0o755, cgo))),
			runs: []realRun{
				{name: "sh without an emulator", args: echo, output: "exec format error"},
				{name: "sh through qemu", args: echo, emulate: true, starts: true, output: "ok from arm64 sh"},
				{name: "libssl program through qemu", args: []string{realimages.AppPath}, emulate: true, starts: true,
					output: realimages.SSLProgramGreeting + " OpenSSL 3"},
				{name: "cgo binary through qemu", args: []string{"/app/cgo"}, emulate: true, starts: true, output: "hello from imagetest"},
				{name: "ld.so.cache made by the tree's ldconfig", args: []string{"/sbin/ldconfig", "-p"}, emulate: true, starts: true,
					output: "libc.so.6 (libc6,AArch64) => /lib/aarch64-linux-gnu/libc.so.6", notInOut: "x86-64"},
			}},
		{name: "bookworm arm64 without libssl3", image: realimages.Image(t, app, bookwormArm.Layer, realimages.AppLayer(t, ssl, 0o755)),
			runs: []realRun{{name: "libssl program through qemu", args: []string{realimages.AppPath}, emulate: true,
				output: "error while loading shared libraries: libssl.so.3: cannot open shared object file"}}},
	}
}

// unpackFromRegistry copies the image out of the registry with skopeo and
// unpacks it with umoci into a runc bundle.
func unpackFromRegistry(t *testing.T, ref string) *runctest.Bundle {
	t.Helper()
	layout := filepath.Join(t.TempDir(), "layout")
	runctest.Command(t, 2*time.Minute, "skopeo", "copy", "--src-tls-verify=false",
		"--src-creds", "e2e:e2e-registry-password", "docker://"+ref, "oci:"+layout+":img")
	return runctest.UnpackRaw(t, layout, "img")
}

func checkRun(t *testing.T, r realRun, res runctest.Result) {
	t.Helper()
	if (res.ExitCode == 0) != r.starts {
		t.Errorf("exit %d, want starts=%v; output:\n%s", res.ExitCode, r.starts, res.Output)
	}
	if !strings.Contains(res.Output, r.output) {
		t.Errorf("output lacks %q:\n%s", r.output, res.Output)
	}
	if r.notInOut != "" && strings.Contains(res.Output, r.notInOut) {
		t.Errorf("output has %q:\n%s", r.notInOut, res.Output)
	}
}

// checkHardLink fails unless the tree's layer has name as a tar hard link
// to target.
func checkHardLink(t *testing.T, fs *realimages.RootFS, name, target string) {
	t.Helper()
	if got, ok := fs.HardLinks[name]; !ok || got != target {
		t.Errorf("%s: %s is not a hard link to %s (it has %d hard links; %s -> %q)", fs.Name, name, target, len(fs.HardLinks), name, got)
	}
}
