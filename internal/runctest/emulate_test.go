package runctest

import (
	"os/exec"
	"slices"
	"testing"
)

func TestUseEmulatorRewritesArgsAndMountsOnce(t *testing.T) {
	emulator, err := exec.LookPath("true") // any executable stands in for qemu here
	if err != nil {
		t.Fatal(err)
	}
	b := &Bundle{spec: map[string]any{"mounts": []any{map[string]any{"destination": "/proc"}}}}
	for _, args := range [][]string{{"/bin/sh", "-c", "echo ok"}, {"/app/server"}} {
		b.SetArgs(args...)
		b.UseEmulator(t, "true")
		want := append([]string{emulatorMount, "-L", "/", "-0", args[0], args[0]}, args[1:]...)
		if got := b.Args(); !slices.Equal(got, want) {
			t.Errorf("args %q, want %q", got, want)
		}
	}
	mounts, _ := b.spec["mounts"].([]any)
	if len(mounts) != 2 {
		t.Fatalf("mounts %v, want /proc and one emulator mount", mounts)
	}
	m := mounts[1].(map[string]any)
	if m["destination"] != emulatorMount || m["source"] != emulator || !slices.Equal(m["options"].([]any), []any{"bind", "ro"}) {
		t.Errorf("emulator mount %v", m)
	}
}
