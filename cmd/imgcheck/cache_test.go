package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// The commands use the layer cache by default: the tests keep theirs in a
// directory of their own, never the user's.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "imgcheck-cmd-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("IMGCHECK_CACHE", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// inspect --stats says how each layer was read: streamed, then from the
// cache, streamed again with --no-cache; a cache that cannot be opened is
// logged and the command goes on.
func TestInspectStatsLayerReads(t *testing.T) {
	t.Setenv("IMGCHECK_CACHE", t.TempDir())
	reg := imagetest.Registry(t)
	static := imagetest.GoBinary(t, "linux", "arm64", false)
	// A bare entrypoint searched in PATH: the misses read both layers to the end.
	img := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "arm64", Entrypoint: []string{"server"},
		Env: []string{"PATH=/usr/local/bin:/app"},
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("etc"), imagetest.File("etc/passwd", 0o644, []byte("root:x:0:0::/:/bin/sh\n"))),
			imagetest.Layer(t, imagetest.Dir("app"), imagetest.File("app/server", 0o755, static))}})
	ref := reg.PushImage(t, "cached:1", img)
	reads := func(args ...string) string {
		t.Helper()
		code, out, errOut := runCLI(t, append([]string{"inspect", ref, "--stats", "--format", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var rep image.Inspection
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range rep.Stats.Layers {
			got = append(got, l.Read)
		}
		return strings.Join(got, " ")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "streamed streamed"},
		{nil, "cache cache"},
		{[]string{"--no-cache"}, "streamed streamed"},
	} {
		if got := reads(tc.args...); got != tc.want {
			t.Errorf("inspect %v: layers %s, want %s", tc.args, got, tc.want)
		}
	}
	code, out, _ := runCLI(t, "inspect", ref, "--stats")
	if code != 0 || !strings.Contains(out, ": cache, 0 pass(es)") {
		t.Errorf("text stats: exit %d\n%s", code, out)
	}

	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("IMGCHECK_CACHE", filepath.Join(file, "cache"))
	code, _, errOut := runCLI(t, "inspect", ref)
	if code != 0 || !strings.Contains(errOut, "layer cache unavailable") {
		t.Errorf("unusable cache directory: exit %d, stderr %q", code, errOut)
	}
}
