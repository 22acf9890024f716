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

// realImageCase is an image made from a real third-party tree and what
// runc must do with it.
type realImageCase struct {
	name     string
	image    v1.Image
	emulate  bool   // start the entrypoint through qemu (arm64 on this amd64 host)
	starts   bool   // exit 0, or fail
	output   string // runc's and the process's output must contain this
	notInOut string // and must not contain this
}

// TestRealImages proves the real-image fixtures are what they claim: runc
// (through qemu-user for arm64) starts or refuses each one for the
// reason the fixture exists for. Each image goes through the same path as
// the prediction test: a real registry, skopeo, umoci, runc.
func TestRealImages(t *testing.T) {
	runctest.Require(t, "runc", "umoci", "skopeo", "docker-registry", "debootstrap", "gcc", "aarch64-linux-gnu-gcc")
	if runctest.BinfmtRegistered() {
		t.Fatal("binfmt_misc has qemu handlers registered: an arm64 binary would run without the emulator, so this machine cannot show that the fixture needs it")
	}
	start := time.Now()
	bookworm := realimages.Debian(t, "bookworm", "amd64")
	bookwormArm := realimages.Debian(t, "bookworm", "arm64")
	bullseye := realimages.Debian(t, "bullseye", "amd64")
	busybox := realimages.Busybox(t)
	t.Logf("root file systems ready in %s (cold builds: bookworm amd64 %s, bookworm arm64 %s, bullseye amd64 %s)",
		time.Since(start).Round(time.Millisecond), bookworm.BuildTime, bookwormArm.BuildTime, bullseye.BuildTime)
	checkHardLinks(t, bookworm, "usr/bin/perl5.36.0", "usr/bin/perl")
	checkHardLinks(t, busybox, "bin/sh", "bin/busybox")
	checkHardLinks(t, busybox, "bin/wget", "bin/busybox")

	cases := append(realAmd64Cases(t, bookworm, bullseye, busybox), realArm64Cases(t, bookwormArm)...)
	reg := startAuthRegistry(t)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ref := reg.push(t, fmt.Sprintf("realimages/case%d:v1", i), c.image)
			res := runRealImage(t, ref, i, c.emulate)
			if (res.ExitCode == 0) != c.starts {
				t.Errorf("exit %d, want starts=%v; output:\n%s", res.ExitCode, c.starts, res.Output)
			}
			if !strings.Contains(res.Output, c.output) {
				t.Errorf("output lacks %q:\n%s", c.output, res.Output)
			}
			if c.notInOut != "" && strings.Contains(res.Output, c.notInOut) {
				t.Errorf("output has %q:\n%s", c.notInOut, res.Output)
			}
		})
	}
}

func realAmd64Cases(t *testing.T, bookworm, bullseye, busybox *realimages.RootFS) []realImageCase {
	shTrue := realimages.Config{Arch: "amd64", Entrypoint: []string{"/bin/sh", "-c", "true"}}
	app := realimages.Config{Arch: "amd64", Entrypoint: []string{realimages.AppPath}}
	ssl := realimages.AppLayer(t, realimages.SSLProgram(t, "amd64"), 0o755)
	libssl := realimages.HostPackage(t, "libssl3:amd64")
	cgo := realimages.AppLayer(t, imagetest.GoBinary(t, "linux", "amd64", true), 0o755)
	return []realImageCase{
		{name: "bookworm amd64 sh -c true", image: realimages.Image(t, shTrue, bookworm.Layer), starts: true},
		{name: "bullseye amd64 sh -c true", image: realimages.Image(t, shTrue, bullseye.Layer), starts: true},
		{name: "busybox sh through its hard link", image: realimages.Image(t, shTrue, busybox.Layer), starts: true},
		{name: "busybox wget through its hard link", starts: true, output: "Usage: wget",
			image: realimages.Image(t, realimages.Config{Arch: "amd64", Entrypoint: []string{"/bin/sh", "-c", "wget --help 2>&1; exit 0"}}, busybox.Layer)},
		{name: "libssl program on bookworm with libssl3", starts: true, output: realimages.SSLProgramGreeting + " OpenSSL 3",
			image: realimages.Image(t, app, bookworm.Layer, libssl, ssl)},
		{name: "libssl program on bookworm without libssl3", starts: false,
			output: "error while loading shared libraries: libssl.so.3: cannot open shared object file",
			image:  realimages.Image(t, app, bookworm.Layer, ssl)},
		{name: "cgo binary on bookworm", starts: true, output: "hello from imagetest",
			image: realimages.Image(t, app, bookworm.Layer, cgo)},
		{name: "cgo binary built on glibc 2.36 on bullseye's glibc 2.31", starts: false,
			output: "version `GLIBC_2.34' not found (required by /app/server)",
			image:  realimages.Image(t, app, bullseye.Layer, cgo)},
	}
}

func realArm64Cases(t *testing.T, bookwormArm *realimages.RootFS) []realImageCase {
	echo := realimages.Config{Arch: "arm64", Entrypoint: []string{"/bin/sh", "-c", "echo ok from arm64 sh"}}
	app := realimages.Config{Arch: "arm64", Entrypoint: []string{realimages.AppPath}}
	ssl := realimages.AppLayer(t, realimages.SSLProgram(t, "arm64"), 0o755)
	libssl := realimages.HostPackage(t, "libssl3:arm64")
	cgo := realimages.AppLayer(t, imagetest.GoBinary(t, "linux", "arm64", true), 0o755)
	return []realImageCase{
		{name: "bookworm arm64 sh without an emulator", starts: false, output: "exec format error",
			image: realimages.Image(t, echo, bookwormArm.Layer)},
		{name: "bookworm arm64 sh through qemu", emulate: true, starts: true, output: "ok from arm64 sh",
			image: realimages.Image(t, echo, bookwormArm.Layer)},
		{name: "arm64 libssl program through qemu with libssl3:arm64", emulate: true, starts: true,
			output: realimages.SSLProgramGreeting + " OpenSSL 3",
			image:  realimages.Image(t, app, bookwormArm.Layer, libssl, ssl)},
		{name: "arm64 libssl program through qemu without libssl3", emulate: true, starts: false,
			output: "error while loading shared libraries: libssl.so.3: cannot open shared object file",
			image:  realimages.Image(t, app, bookwormArm.Layer, ssl)},
		{name: "arm64 cgo binary through qemu", emulate: true, starts: true, output: "hello from imagetest",
			image: realimages.Image(t, app, bookwormArm.Layer, cgo)},
		{name: "arm64 ld.so.cache made by the tree's ldconfig", emulate: true, starts: true,
			output: "libc.so.6 (libc6,AArch64) => /lib/aarch64-linux-gnu/libc.so.6", notInOut: "x86-64",
			image: realimages.Image(t, realimages.Config{Arch: "arm64", Entrypoint: []string{"/sbin/ldconfig", "-p"}}, bookwormArm.Layer)},
	}
}

// runRealImage copies the image out of the registry with skopeo, unpacks
// it with umoci and runs it with runc, through qemu-aarch64-static when
// emulate is set.
func runRealImage(t *testing.T, ref string, i int, emulate bool) runctest.Result {
	t.Helper()
	layout := filepath.Join(t.TempDir(), "layout")
	runctest.Command(t, 2*time.Minute, "skopeo", "copy", "--src-tls-verify=false",
		"--src-creds", "e2e:e2e-registry-password", "docker://"+ref, "oci:"+layout+":img")
	b := runctest.Unpack(t, layout, "img")
	if emulate {
		b.UseEmulator(t, realimages.Emulator(t, "arm64"))
	}
	return b.Run(t, fmt.Sprintf("imgcheck-real-%d-%d", os.Getpid(), i), time.Minute)
}

// checkHardLinks fails unless the tree's layer has name as a tar hard
// link to target.
func checkHardLinks(t *testing.T, fs *realimages.RootFS, name, target string) {
	t.Helper()
	if got, ok := fs.HardLinks[name]; !ok || got != target {
		t.Errorf("%s: %s is not a hard link to %s (hard links: %d, %s -> %q)", fs.Name, name, target, len(fs.HardLinks), name, got)
	}
}
