package verify

import (
	"context"
	"fmt"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// TestImageRules covers the image-side rules not in the matrix.
func TestImageRules(t *testing.T) {
	reg := imagetest.Registry(t)
	amdBin := imagetest.GoBinary(t, "linux", "amd64", false)
	armBin := imagetest.GoBinary(t, "linux", "arm64", false)
	push := func(tag string, spec imagetest.ImageSpec) string {
		if spec.OS == "" {
			spec.OS, spec.Architecture = "linux", "amd64"
		}
		return reg.PushImage(t, tag, imagetest.Image(t, spec))
	}
	appLayer := imagetest.Layer(t, imagetest.File("app", 0o755, amdBin))
	zstdLayer := imagetest.LayerFromTar(t, imagetest.Tar(t, imagetest.File("etc/hello", 0o644, []byte("hi"))), types.OCILayerZStd)

	tests := []struct {
		name   string
		ref    string
		task   string // "" means image-only for linux/amd64
		strict bool
		want   string
	}{
		{"mixed gzip and zstd", push("mixed:1", imagetest.ImageSpec{Entrypoint: []string{"/app"}, Layers: []v1.Layer{appLayer, zstdLayer}}), "", false, "IC105"},
		{"not executable", push("mode:1", imagetest.ImageSpec{Entrypoint: []string{"/app"},
			Layers: []v1.Layer{imagetest.Layer(t, imagetest.File("app", 0o644, amdBin))}}), "", false, "IC203"},
		{"not an executable format", push("text:1", imagetest.ImageSpec{Entrypoint: []string{"/app"},
			Layers: []v1.Layer{imagetest.Layer(t, imagetest.File("app", 0o755, []byte("just some text\n")))}}), "", false, "IC210"},
		{"PE on linux", push("pe:1", imagetest.ImageSpec{Entrypoint: []string{"/app.exe"},
			Layers: []v1.Layer{imagetest.Layer(t, imagetest.File("app.exe", 0o755, imagetest.PEHeader(0x8664)))}}), "", false, "IC211"},
		{"script interpreter of another arch", push("script:1", imagetest.ImageSpec{Entrypoint: []string{"/run.sh"},
			Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("bin"), imagetest.File("bin/sh", 0o755, armBin),
				imagetest.File("run.sh", 0o755, []byte("#!/bin/sh\nexec /app\n")))}}), "", false, "IC207"},
		{"env script found in PATH", push("envscript:1", imagetest.ImageSpec{Entrypoint: []string{"/run"}, Env: []string{"PATH=/usr/local/bin:/usr/bin"},
			Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("usr"), imagetest.Dir("usr/bin"), imagetest.File("usr/bin/env", 0o755, amdBin),
				imagetest.Dir("usr/local"), imagetest.Dir("usr/local/bin"), imagetest.File("usr/local/bin/python3", 0o755, amdBin),
				imagetest.File("run", 0o755, []byte("#!/usr/bin/env python3\nprint(1)\n")))}}), "", false, ""},
		{"symlinked entrypoint", push("link:1", imagetest.ImageSpec{Entrypoint: []string{"server"}, Env: []string{"PATH=/bin"},
			Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("opt"), imagetest.File("opt/server", 0o755, amdBin), imagetest.Dir("bin"),
				imagetest.Symlink("bin/server", "../opt/server"))}}), "", false, ""},
		{"cgo reported in strict mode", reg.PushImage(t, "cgo:1", appImage(t, "amd64", true,
			imagetest.Layer(t, glibcBase(t, 0o755)...))), "", true, "IC209"},
		{"windows image of another build", reg.PushImage(t, "win:1", imagetest.Image(t, imagetest.ImageSpec{OS: "windows", Architecture: "amd64",
			OSVersion: "10.0.17763.1234", Entrypoint: []string{`C:\app.exe`}, Layers: []v1.Layer{imagetest.Layer(t, imagetest.File("Files/app.exe", 0o755, imagetest.PEHeader(0x8664)))}})),
			strings.Replace(strings.Replace(taskJSON("X86_64", "REF", ""), `"LINUX"`, `"WINDOWS_SERVER_2022_CORE"`, 1), `"cpu": "256",
  "memory": "512"`, `"cpu": "1024", "memory": "2048"`, 1), false, "IC106"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Subjects: []Subject{{Ref: tt.ref}}, Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}}
			if tt.task != "" {
				td := parseTask(t, strings.Replace(tt.task, "REF", tt.ref, 1))
				in = Input{TaskDef: td, Subjects: []Subject{{Container: "app", Ref: tt.ref}}}
			}
			r := Run(context.Background(), in, Options{FailOn: Error, Image: image.Options{Strict: tt.strict}})
			if len(r.Errors) > 0 {
				t.Fatalf("could not verify: %+v", r.Errors)
			}
			var ids []string
			for _, f := range r.Findings {
				if f.RuleID != "IC313" {
					ids = append(ids, f.RuleID)
				}
			}
			if got := strings.Join(ids, ","); got != tt.want {
				t.Errorf("rules %q, want %q\n%+v", got, tt.want, r.Findings)
			}
		})
	}
}

// A header that cannot be read whole, or is malformed, is never judged
// good: the run cannot verify.
func TestMalformedEntrypointFailsClosed(t *testing.T) {
	reg := imagetest.Registry(t)
	amdBin := imagetest.GoBinary(t, "linux", "amd64", false)
	for i, tt := range []struct {
		name     string
		content  []byte
		wantExit Verdict
		wantRule string
	}{
		{"ELF header only", amdBin[:64], VerdictCouldNotVerify, ""},
		{"#! without interpreter", []byte("#!   \nexit 0\n"), VerdictFindings, "IC206"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ref := reg.PushImage(t, fmt.Sprintf("bad:%d", i), imagetest.Image(t, imagetest.ImageSpec{
				OS: "linux", Architecture: "amd64", Entrypoint: []string{"/app"},
				Layers: []v1.Layer{imagetest.Layer(t, imagetest.File("app", 0o755, tt.content))}}))
			r := Run(context.Background(), Input{Subjects: []Subject{{Ref: ref}}, Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}},
				Options{FailOn: Error})
			if r.Verdict != tt.wantExit {
				t.Fatalf("verdict %s, want %s; findings %+v errors %+v", r.Verdict, tt.wantExit, r.Findings, r.Errors)
			}
			if tt.wantRule != "" && (len(r.Findings) == 0 || r.Findings[0].RuleID != tt.wantRule) {
				t.Errorf("findings %+v, want %s", r.Findings, tt.wantRule)
			}
		})
	}
}
