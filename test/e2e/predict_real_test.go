package e2e

import (
	"archive/tar"
	"os"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/internal/realimages"
)

// nonroot is the uid distroless and many hardened images run as; no
// passwd entry names it in busybox's tree, which runtimes allow.
const nonroot = "65532"

// realFixtures are the real trees and programs the cases are made of.
type realFixtures struct {
	busybox, bookworm, bookwormArm, bullseye *realimages.RootFS
	static, cgo                              []byte // Go binaries for amd64, cgo built on bookworm
	ssl, sslArm                              []byte // the libssl C program for amd64 and arm64
	// bookwormApp is bookworm, libssl3 and the libssl program at
	// AppPath with the cgo binary at /app/cgo: the layers of several
	// images, unpacked once.
	bookwormApp []v1.Layer
}

// realPredictionImages are the cases of issue 12 on real third-party file
// trees: hard links (busybox, Debian's perl), the run user's permissions
// (busybox), the dynamic loader (Debian bookworm and bullseye), arm64
// through qemu (Debian bookworm arm64), and ECS on EC2 whose architecture
// comes from a placement constraint.
func realPredictionImages(t *testing.T) []predictionImage {
	trees := realimages.DebianTrees(t, realimages.DebianTree{Suite: "bookworm", Arch: "amd64"},
		realimages.DebianTree{Suite: "bookworm", Arch: "arm64"}, realimages.DebianTree{Suite: "bullseye", Arch: "amd64"})
	f := realFixtures{bookworm: trees[0], bookwormArm: trees[1], bullseye: trees[2], busybox: realimages.Busybox(t),
		static: imagetest.GoBinary(t, "linux", "amd64", false), cgo: imagetest.GoBinary(t, "linux", "amd64", true),
		ssl: realimages.SSLProgram(t, "amd64"), sslArm: realimages.SSLProgram(t, "arm64")}
	f.bookwormApp = []v1.Layer{f.bookworm.Layer, realimages.HostPackage(t, "libssl3:amd64"),
		realimages.AppLayer(t, f.ssl, 0o755, imagetest.File("app/cgo", 0o755, f.cgo))}
	return append(append(hardLinkAndUserImages(t, f), loaderImages(t, f)...), arm64AndEC2Images(t, f)...)
}

// hardLinkAndUserImages are busybox-static images: its applets are hard
// links, and its /etc/passwd knows root and nobody only.
func hardLinkAndUserImages(t *testing.T, f realFixtures) []predictionImage {
	const tree = "busybox-static"
	shell := realimages.Image(t, realimages.Config{Arch: "amd64", Entrypoint: []string{"/bin/sh"},
		Cmd: []string{"-c", "echo started by the hard-linked sh"}}, f.busybox.Layer)
	asNonroot := func(app v1.Layer) v1.Image {
		return realimages.Image(t, realimages.Config{Arch: "amd64", Entrypoint: []string{realimages.AppPath}, User: nonroot}, f.busybox.Layer, app)
	}
	privateDir := imagetest.Layer(t, imagetest.Entry{Name: "app", Typeflag: tar.TypeDir, Mode: 0o700},
		imagetest.File("app/server", 0o755, f.static))
	return []predictionImage{
		{tree: tree, image: shell, cases: []predictionCase{
			{name: "busybox: entrypoint /bin/sh is a hard link", task: taskSpec{}},
			{name: "busybox: CMD-SHELL health check through the hard-linked sh", task: taskSpec{
				healthCheck: []string{"CMD-SHELL", "wget --help 2>&1 | grep -q Usage"}}},
		}},
		{tree: tree, image: asNonroot(realimages.AppLayer(t, f.static, 0o755)), cases: []predictionCase{
			{name: "USER 65532, entrypoint 0755", task: taskSpec{}},
			{name: "USER 65532, task user not in /etc/passwd", task: taskSpec{user: "appuser"}},
		}},
		{tree: tree, image: asNonroot(realimages.AppLayer(t, f.static, 0o700)), cases: []predictionCase{
			{name: "USER 65532, entrypoint 0700 owned by root", task: taskSpec{}},
			{name: "USER 65532, entrypoint 0700, task user root", task: taskSpec{user: "root"}},
		}},
		{tree: tree, image: asNonroot(privateDir), cases: []predictionCase{
			{name: "USER 65532, entrypoint in a directory 0700 owned by root", task: taskSpec{}},
		}},
		{tree: tree, image: asNonroot(realimages.AppLayer(t, []byte("#!/bin/sh\necho started\n"), 0o711)), cases: []predictionCase{
			{name: "USER 65532, #! script 0711 (executable, not readable)", task: taskSpec{}},
		}},
	}
}

// loaderImages run a C program linked against libssl and a cgo Go binary
// (both built on bookworm, glibc 2.36) on Debian trees that have or lack
// what their loader needs.
func loaderImages(t *testing.T, f realFixtures) []predictionImage {
	const bookworm, bullseye = "Debian bookworm amd64", "Debian bullseye amd64"
	withLibssl := func(entrypoint ...string) v1.Image {
		return realimages.Image(t, realimages.Config{Arch: "amd64", Entrypoint: entrypoint}, f.bookwormApp...)
	}
	app := realimages.Config{Arch: "amd64", Entrypoint: []string{realimages.AppPath}}
	return []predictionImage{
		{tree: bookworm, image: withLibssl(realimages.AppPath), cases: []predictionCase{
			{name: "bookworm with libssl3: libssl program", task: taskSpec{}},
		}},
		{tree: bookworm, image: realimages.Image(t, app, f.bookworm.Layer, realimages.AppLayer(t, f.ssl, 0o755)), cases: []predictionCase{
			{name: "bookworm without libssl3: libssl program", task: taskSpec{}},
		}},
		{tree: bookworm, image: realimages.Image(t, realimages.Config{Arch: "amd64", Entrypoint: []string{realimages.AppPath}, User: nonroot},
			append(f.bookwormApp, unreadableLibssl(t))...), cases: []predictionCase{
			{name: "bookworm, USER 65532: libssl.so.3 mode 0600", task: taskSpec{}},
		}},
		{tree: bookworm, image: withLibssl("/app/cgo"), cases: []predictionCase{
			{name: "bookworm: cgo binary", task: taskSpec{}},
		}},
		{tree: bookworm, image: withLibssl("/usr/bin/perl5.36.0", "-e", "print qq(started\\n)"), cases: []predictionCase{
			{name: "bookworm: entrypoint perl5.36.0, a hard link to perl", task: taskSpec{}},
		}},
		{tree: bullseye, image: realimages.Image(t, app, f.bullseye.Layer, realimages.AppLayer(t, f.cgo, 0o755)), cases: []predictionCase{
			{name: "bullseye (glibc 2.31): cgo binary built on glibc 2.36", task: taskSpec{}},
		}},
	}
}

// unreadableLibssl is a layer that makes bookworm's libssl.so.3 readable
// by root only.
func unreadableLibssl(t *testing.T) v1.Layer {
	const lib = "/usr/lib/x86_64-linux-gnu/libssl.so.3"
	b, err := os.ReadFile(lib) // the host's libssl3, the file the libssl3 layer has
	if err != nil {
		t.Fatalf("reading %s (libssl3; run .ci/install-tools): %v", lib, err)
	}
	return imagetest.Layer(t, imagetest.File(strings.TrimPrefix(lib, "/"), 0o600, b))
}

// arm64AndEC2Images run the libssl program of each architecture on ARM64
// Fargate tasks and on EC2 tasks placed by a cpu-architecture constraint.
func arm64AndEC2Images(t *testing.T, f realFixtures) []predictionImage {
	const tree = "Debian bookworm arm64"
	armApp := realimages.Config{Arch: "arm64", Entrypoint: []string{realimages.AppPath}}
	onArm := taskSpec{ec2: true, placedOn: "arm64"}
	return []predictionImage{
		{tree: tree, image: realimages.Image(t, armApp, f.bookwormArm.Layer, realimages.HostPackage(t, "libssl3:arm64"),
			realimages.AppLayer(t, f.sslArm, 0o755)), cases: []predictionCase{
			{name: "bookworm arm64 with libssl3: libssl program", task: taskSpec{arch: "ARM64"}},
			{name: "EC2 on arm64, arm64 image", task: onArm},
		}},
		{tree: tree, image: realimages.Image(t, armApp, f.bookwormArm.Layer, realimages.AppLayer(t, f.sslArm, 0o755)),
			cases: []predictionCase{
				{name: "bookworm arm64 without libssl3: libssl program", task: taskSpec{arch: "ARM64"}},
			}},
		{tree: "Debian bookworm amd64", image: realimages.Image(t, realimages.Config{Arch: "amd64", Entrypoint: []string{realimages.AppPath}},
			f.bookwormApp...), cases: []predictionCase{
			{name: "EC2 on arm64, amd64-only image", task: onArm},
			{name: "EC2 on x86_64, amd64 image", task: taskSpec{ec2: true, placedOn: "x86_64"}},
		}},
	}
}
