package runctest

import (
	"os/exec"
	"path"
	"testing"
)

// emulatorMount is where UseEmulator mounts the emulator in the container.
const emulatorMount = "/.runctest-emulator"

// UseEmulator makes the bundle's process start through a static user-mode
// emulator such as qemu-aarch64-static (a host path or a name on PATH),
// for running a foreign image on a machine without binfmt_misc handlers:
// the emulator is bind-mounted read-only into the container and becomes
// the process, with the original argv ("-0" keeps argv[0]) and "-L /" so
// that the image's own dynamic loader and libraries are used. The
// executable must be an absolute path (qemu does not search PATH). Only the
// first program is emulated: a program it executes runs natively, so a
// shell that starts another foreign binary fails with "Exec format error".
// Call it after each SetArgs: it rewrites the current arguments.
func (b *Bundle) UseEmulator(t testing.TB, emulator string) {
	t.Helper()
	host, err := exec.LookPath(emulator)
	if err != nil {
		t.Fatalf("emulator %s not found: run .ci/install-tools (it installs qemu-user-static)", emulator)
	}
	args := b.Args()
	if len(args) == 0 || !path.IsAbs(args[0]) {
		t.Fatalf("UseEmulator: the process must start with an absolute path, got %q", args)
	}
	b.mountEmulator(t, host)
	b.SetArgs(append([]string{emulatorMount, "-L", "/", "-0", args[0], args[0]}, args[1:]...)...)
}

// mountEmulator adds the emulator's bind mount once: a bundle run several
// times (SetArgs, then UseEmulator again) keeps one.
func (b *Bundle) mountEmulator(t testing.TB, host string) {
	t.Helper()
	mounts, _ := b.spec["mounts"].([]any)
	for _, m := range mounts {
		if mm, ok := m.(map[string]any); ok && mm["destination"] == emulatorMount {
			if mm["source"] != host {
				t.Fatalf("UseEmulator: the bundle already mounts %v, not %s", mm["source"], host)
			}
			return
		}
	}
	b.spec["mounts"] = append(mounts, map[string]any{
		"destination": emulatorMount, "type": "bind", "source": host,
		"options": []any{"bind", "ro"},
	})
}
