package image

import (
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// filesystemImage is a two-layer linux/arm64 image with every kind of
// entry a lookup must handle.
func filesystemImage(t *testing.T) v1.Image {
	t.Helper()
	arm := imagetest.GoBinary(t, "linux", "arm64", false)
	lower := imagetest.Layer(t,
		imagetest.Dir("bin"),
		imagetest.File("bin/sh", 0o755, []byte("#!/bin/busybox\n")),
		imagetest.Hardlink("bin/hard", "bin/sh"),
		imagetest.File("lib/ld-musl-aarch64.so.1", 0o755, arm[:4096]),
		imagetest.File("usr/bin/tool", 0o755, arm),
		imagetest.File("app/old", 0o755, arm),
		imagetest.File("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")),
		imagetest.File("opt/data/a", 0o644, []byte("a")),
		imagetest.Symlink("loop1", "/loop2"),
		imagetest.Symlink("loop2", "loop1"),
		imagetest.Symlink("dangling", "/nowhere/at/all"),
		imagetest.Symlink("usr/local/bin/relink", "../../../bin/sh"),
		imagetest.Symlink("abs", "/usr/bin/tool"),
		imagetest.Symlink("chain1", "/chain2"),
		imagetest.Symlink("chain2", "usr/bin/tool"),
		imagetest.Symlink("escape", "../../../../usr/bin/tool"),
		imagetest.File("scripts/run.sh", 0o755, []byte("#!/bin/sh -e\necho hi\n")),
		imagetest.File("scripts/py.sh", 0o755, []byte("#!/usr/bin/python3\nprint(1)\n")),
		imagetest.File("notdir", 0o644, []byte("x")),
		imagetest.File("data/noexec", 0o644, []byte("\x7fELF")),
	)
	upper := imagetest.Layer(t,
		imagetest.Whiteout("app/old"),
		imagetest.Opaque("opt/data"),
		imagetest.File("opt/data/b", 0o600, []byte("bb")),
		imagetest.File("app/new", 0o755, imagetest.GoBinary(t, "linux", "amd64", false)),
	)
	return imagetest.Image(t, imagetest.ImageSpec{
		OS: "linux", Architecture: "arm64", Entrypoint: []string{"tool"},
		Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin"}, WorkingDir: "/usr/bin",
		Layers: []v1.Layer{lower, upper},
	})
}
