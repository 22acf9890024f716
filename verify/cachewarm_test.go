package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// The layer cache never changes a verdict: a matrix of images, each
// verified without the cache, then cold and warm on one cache directory
// (which later cases find holding the bases of earlier ones), gives the
// same report every time, and the warm run reads the layers the cold run
// read to the end from the cache.
func TestLayerCacheNeverChangesAReport(t *testing.T) {
	static := imagetest.GoBinary(t, "linux", "amd64", false)
	cgo := imagetest.GoBinary(t, "linux", "amd64", true)
	v2, v1dir := t.TempDir(), t.TempDir()
	libFoo, libFooV1 := fooLib(t, "gcc", v2, fooVersions2), fooLib(t, "gcc", v1dir, fooVersions1)
	app := fooApp(t, "gcc", v2)
	lib := func(name string, mode int64, content []byte) []imagetest.Entry {
		return []imagetest.Entry{imagetest.Dir("usr"), imagetest.Dir("usr/lib"), imagetest.Dir("usr/" + multiarch),
			imagetest.File("usr/"+multiarch+"/"+name, mode, content)}
	}
	shell := []imagetest.Entry{imagetest.Dir("bin"), imagetest.File("bin/sh", 0o755, static)}
	base := joinEntries(usersEntries(), glibcBase(t, 0o755), shell)
	nonroot := imagetest.ImageSpec{User: "65532"}
	const shellCheck = `, "healthCheck": {"command": ["CMD-SHELL", "exit 0"]}`
	cases := []struct {
		name       string
		base, top  []imagetest.Entry
		spec       imagetest.ImageSpec
		arch       string // of the task; the images are amd64
		extra      string
		want       Verdict // "": whatever it is, the same every time
		entrypoint string
	}{
		{name: "static binary over a distroless-like base", base: usersEntries(), top: appEntries(static, 0o755), spec: nonroot, want: VerdictPass},
		{name: "cgo binary on a glibc base, nonroot, CMD-SHELL health check", base: base, top: appEntries(cgo, 0o755), spec: nonroot, extra: shellCheck, want: VerdictPass},
		{name: "a library in a lower layer", base: joinEntries(base, lib("libfoo.so", 0o644, libFoo)), top: appEntries(app, 0o755), want: VerdictPass},
		{name: "a library the image lacks", base: base, top: appEntries(app, 0o755), want: VerdictFindings},
		{name: "a symbol version the library lacks", base: joinEntries(base, lib("libfoo.so", 0o644, libFooV1)), top: appEntries(app, 0o755), want: VerdictFindings},
		{name: "a library the user may not read", base: joinEntries(base, lib("libfoo.so", 0o600, libFoo)), top: appEntries(app, 0o755), spec: nonroot, want: VerdictFindings},
		{name: "CMD-SHELL without a shell", base: joinEntries(usersEntries(), glibcBase(t, 0o755)), top: appEntries(cgo, 0o755), extra: shellCheck, want: VerdictFindings},
		{name: "a script entrypoint", base: base, top: appEntries([]byte("#!/bin/sh\nexec /bin/true\n"), 0o755), want: VerdictPass},
		{name: "the entrypoint whited out", base: joinEntries(base, appEntries(cgo, 0o755)), top: []imagetest.Entry{imagetest.Whiteout("app/server")}, want: VerdictFindings},
		{name: "a hard-linked entrypoint", base: base, top: []imagetest.Entry{imagetest.Dir("app"), imagetest.File("app/real", 0o755, cgo),
			imagetest.Hardlink("app/server", "app/real")}, spec: nonroot, want: VerdictPass},
		{name: "an amd64 image on an ARM64 task", base: base, top: appEntries(cgo, 0o755), arch: "ARM64", want: VerdictFindings},
		{name: "file capabilities in the cached base", base: joinEntries(base, []imagetest.Entry{imagetest.Dir("app"),
			capsEntry(imagetest.File("app/server", 0o755, cgo), capsText(t, "sys_admin=ep"))}),
			top: []imagetest.Entry{imagetest.Dir("srv"), imagetest.File("srv/data", 0o644, []byte("data"))}, spec: nonroot},
	}
	reg := imagetest.Registry(t)
	dir := t.TempDir()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := tc.spec
			spec.OS, spec.Architecture = "linux", "amd64"
			spec.Layers = []v1.Layer{imagetest.Layer(t, tc.base...), imagetest.Layer(t, tc.top...)}
			spec.Entrypoint = []string{"/app/server"}
			ref := reg.PushImage(t, fmt.Sprintf("cachewarm:%d", i), imagetest.Image(t, spec))
			arch := tc.arch
			if arch == "" {
				arch = "X86_64"
			}
			in := Input{TaskDef: parseTask(t, taskJSON(arch, ref, tc.extra)), Subjects: []Subject{{Container: "app", Ref: ref}}}
			want, _ := reportWithCache(t, in, "")
			if tc.want != "" && want.Verdict != tc.want {
				t.Fatalf("verdict %s, want %s\n%s\n%+v", want.Verdict, tc.want, describeFindings(want), want.Errors)
			}
			cold, coldReads := reportWithCache(t, in, dir)
			warm, warmReads := reportWithCache(t, in, dir)
			for _, run := range []struct {
				name string
				r    *Report
			}{{"cold", cold}, {"warm", warm}} {
				if got, w := reportJSON(t, run.r), reportJSON(t, want); got != w {
					t.Errorf("%s report differs from the one without a cache:\n%s\nwant\n%s", run.name, got, w)
				}
			}
			for d, r := range coldReads {
				if r == image.LayerStreamed && warmReads[d] != image.LayerFromCache {
					t.Errorf("layer %s streamed cold, then %s warm", d, warmReads[d])
				}
			}
		})
	}
}

// reportWithCache verifies in with a layer index in dir ("": none) and
// returns the report and how each layer was read.
func reportWithCache(t *testing.T, in Input, dir string) (*Report, map[v1.Hash]string) {
	t.Helper()
	opts := Options{FailOn: Error, Image: image.Options{Cache: image.NewCache()}}
	if dir != "" {
		li, err := image.OpenLayerIndex(dir, image.LayerIndexOptions{})
		if err != nil {
			t.Fatal(err)
		}
		opts.Image.LayerIndex = li
	}
	r := Run(context.Background(), in, opts)
	reads := map[v1.Hash]string{}
	for _, l := range opts.Image.Cache.Layers() {
		reads[l.Digest] = l.Read
	}
	return r, reads
}

func reportJSON(t *testing.T, r *Report) string {
	t.Helper()
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// verify -v says how each layer was read.
func TestVerboseRunLogsLayerReads(t *testing.T) {
	reg := imagetest.Registry(t)
	static := imagetest.GoBinary(t, "linux", "amd64", false)
	ref := reg.PushImage(t, "logged:1", imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Entrypoint: []string{"/app/server"},
		Layers: []v1.Layer{imagetest.Layer(t, usersEntries()...), imagetest.Layer(t, appEntries(static, 0o755)...)}}))
	var log bytes.Buffer
	in := Input{TaskDef: parseTask(t, taskJSON("X86_64", ref, "")), Subjects: []Subject{{Container: "app", Ref: ref}}}
	Run(context.Background(), in, Options{FailOn: Error, Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	for _, want := range []string{"read=skipped", "read=partial"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log does not say %q:\n%s", want, log.String())
		}
	}
}
