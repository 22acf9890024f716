package realimages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/runctest"
)

// DebianMirror is the archive debootstrap downloads from.
const DebianMirror = "http://deb.debian.org/debian"

// debianRecipe is the version of how Debian trees are made here: change
// it with the recipe so that caches made the old way are not used.
const debianRecipe = 1

// RootFS is a root file system as one gzip tar layer.
type RootFS struct {
	Name  string   // e.g. debian-bookworm-arm64-minbase
	Arch  string   // the GOARCH its binaries are for
	Layer v1.Layer // the whole tree, owners, modes and hard links kept
	// HardLinks are the tar's hard-link entries, link name -> target.
	HardLinks map[string]string
	// BuildTime is how long making the tree took when it was not cached;
	// Built says whether this call made it.
	BuildTime string
	Built     bool
}

// DebianTree names a Debian root file system: suite (bookworm, bullseye,
// ...) for arch (GOARCH naming, which Debian shares for amd64 and arm64).
type DebianTree struct{ Suite, Arch string }

// Debian returns the root file system debootstrap --variant=minbase makes
// of suite for arch from DebianMirror. For a foreign arch it runs the
// first stage only (--foreign), then does the few steps of the second
// stage that a container needs (see finishForeign). Suites before
// bookworm get --no-merged-usr, as the official images of those suites
// have /bin and /lib as directories. The tree is rid of what Debian's
// container images leave out: the downloaded packages, the apt lists and
// the device nodes of /dev.
func Debian(t testing.TB, suite, arch string) *RootFS {
	t.Helper()
	return DebianTrees(t, DebianTree{suite, arch})[0]
}

// DebianTrees is Debian for several trees, made at the same time when
// not cached (debootstrap mostly waits for the archive).
func DebianTrees(t testing.TB, trees ...DebianTree) []*RootFS {
	t.Helper()
	runctest.Require(t, "debootstrap", "tar", "gzip")
	emulators := make([]string, len(trees))
	for i, tree := range trees {
		if tree.Arch != runtime.GOARCH {
			emulators[i] = Emulator(t, tree.Arch)
		}
	}
	dir := cacheDir(t)
	out := make([]*RootFS, len(trees))
	errs := make([]error, len(trees))
	var wg sync.WaitGroup
	for i, tree := range trees {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = debianTree(dir, tree, emulators[i])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for _, fs := range out {
		if fs.Built {
			t.Logf("made %s in %s (kept in %s)", fs.Name, fs.BuildTime, dir)
		}
	}
	return out
}

// BuildDebian is Debian for programs that are not tests (the benchmark
// harness): the same trees from the same cache, errors returned.
func BuildDebian(tree DebianTree) (*RootFS, error) {
	tools := []string{"debootstrap", "tar", "gzip"}
	emulator := ""
	if tree.Arch != runtime.GOARCH {
		var ok bool
		if emulator, ok = emulatorName(tree.Arch); !ok {
			return nil, fmt.Errorf("no emulator known for %s", tree.Arch)
		}
		tools = append(tools, emulator)
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s not found on PATH: run .ci/install-tools", tool)
		}
	}
	dir, err := treeCacheDir()
	if err != nil {
		return nil, err
	}
	return debianTree(dir, tree, emulator)
}

// debianTree is one tree of DebianTrees; emulator runs the tree's
// programs when its architecture is foreign.
func debianTree(dir string, tree DebianTree, emulator string) (*RootFS, error) {
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("debootstrap needs root to make the %s %s tree (CI runs as root)", tree.Suite, tree.Arch)
	}
	name := fmt.Sprintf("debian-%s-%s-minbase", tree.Suite, tree.Arch)
	e, built, err := cachedTree(dir, fmt.Sprintf("%s-r%d", name, debianRecipe), func(root string) error {
		args := []string{"--variant=minbase", "--arch=" + tree.Arch}
		if emulator != "" {
			args = append(args, "--foreign")
		}
		if tree.Suite == "bullseye" || tree.Suite == "buster" {
			args = append(args, "--no-merged-usr")
		}
		if err := debootstrapWithRetry(root, append(args, tree.Suite, root, DebianMirror)...); err != nil {
			return err
		}
		if emulator != "" {
			if err := finishForeign(root, emulator); err != nil {
				return err
			}
		}
		return trimTree(root)
	})
	if err != nil {
		return nil, err
	}
	layer, err := newFileLayer(dir, e)
	if err != nil {
		return nil, err
	}
	return &RootFS{Name: name, Arch: tree.Arch, Layer: layer, HardLinks: e.HardLinks, BuildTime: e.BuildTime, Built: built}, nil
}

// debootstrapWithRetry runs debootstrap once more into an emptied root
// when it fails: ninety downloads are enough for one to break now and then.
func debootstrapWithRetry(root string, args ...string) error {
	err := debootstrap(root, args...)
	if err == nil {
		return nil
	}
	if merr := mountedUnder(root); merr != nil {
		return errors.Join(err, merr) // never delete through a mount
	}
	entries, rerr := os.ReadDir(root)
	for _, e := range entries {
		if rerr == nil {
			rerr = os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
	if rerr != nil {
		return errors.Join(err, rerr)
	}
	if err2 := debootstrap(root, args...); err2 != nil {
		return fmt.Errorf("twice: %w; then %w", err, err2)
	}
	return nil
}

func debootstrap(root string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "debootstrap", args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		log, _ := os.ReadFile(filepath.Join(root, "debootstrap", "debootstrap.log"))
		return fmt.Errorf("debootstrap %s: %w\n%s\n%s", strings.Join(args, " "), err, tail(out.String()), tail(string(log)))
	}
	if err := mountedUnder(root); err != nil {
		return fmt.Errorf("after debootstrap: %w", err)
	}
	return nil
}

// finishForeign does what a container image needs of debootstrap's second
// stage, which cannot run here (it executes the target's programs, and
// this machine has no binfmt_misc handler): /proc becomes a directory
// (the first stage leaves a symlink to the host's /proc, on which runc
// refuses to mount proc); /etc/passwd and /etc/group come from
// base-passwd's master files, as its configuration does; ldconfig of the
// tree, run through the emulator, writes /etc/ld.so.cache as libc-bin's
// trigger does; /debootstrap (the second stage's scripts) goes. Packages
// stay unconfigured: /var/lib/dpkg/status is empty.
func finishForeign(root, emulator string) error {
	proc := filepath.Join(root, "proc")
	if fi, err := os.Lstat(proc); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if err := os.Remove(proc); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(proc, 0o555); err != nil {
		return err
	}
	for _, name := range []string{"passwd", "group"} {
		dst := filepath.Join(root, "etc", name)
		if _, err := os.Lstat(dst); err == nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, "usr", "share", "base-passwd", name+".master"))
		if err != nil {
			return fmt.Errorf("the first stage left no %s: %w", dst, err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
	}
	ldconfig := filepath.Join(root, "usr", "sbin", "ldconfig")
	if out, err := exec.Command(emulator, ldconfig, "-r", root).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s -r %s: %w\n%s", emulator, ldconfig, root, err, out)
	}
	return os.RemoveAll(filepath.Join(root, "debootstrap"))
}

// trimTree removes what Debian's container images do not ship.
func trimTree(root string) error {
	for _, pattern := range []string{"var/cache/apt/archives/*.deb", "var/lib/apt/lists/*", "dev/*"} {
		matches, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			return err
		}
		for _, m := range matches {
			if filepath.Base(m) == "partial" || filepath.Base(m) == "lock" {
				continue
			}
			if err := os.RemoveAll(m); err != nil {
				return err
			}
		}
	}
	return nil
}

// emulatorName is the static qemu user-mode emulator of a GOARCH.
func emulatorName(arch string) (string, bool) {
	name, ok := map[string]string{"arm64": "qemu-aarch64-static", "arm": "qemu-arm-static",
		"ppc64le": "qemu-ppc64le-static", "s390x": "qemu-s390x-static", "riscv64": "qemu-riscv64-static"}[arch]
	return name, ok
}

// Emulator is the static qemu user-mode emulator that runs arch's
// programs here (for runctest.Bundle.UseEmulator); the test fails when it
// is not installed.
func Emulator(t testing.TB, arch string) string {
	t.Helper()
	name, ok := emulatorName(arch)
	if !ok {
		t.Fatalf("no emulator known for %s", arch)
	}
	runctest.Require(t, name)
	return name
}

func tail(s string) string {
	if len(s) > 4000 {
		return "..." + s[len(s)-4000:]
	}
	return s
}
