package verify

import (
	"archive/tar"
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// TestHardLinkedExecutables: busybox-style images (applets hard-linked to
// one binary, the link headers without mode or owner) start under runc, so
// the entrypoint, the shell of a CMD-SHELL health check, a #! interpreter
// and an ELF interpreter that are hard links must all pass.
func TestHardLinkedExecutables(t *testing.T) {
	reg := imagetest.Registry(t)
	amdBin := imagetest.GoBinary(t, "linux", "amd64", false)
	link := func(name, target string) imagetest.Entry {
		return imagetest.Entry{Name: name, Typeflag: tar.TypeLink, Linkname: target}
	}
	layer := imagetest.Layer(t,
		imagetest.Dir("bin"),
		imagetest.File("bin/busybox", 0o755, amdBin),
		link("bin/sh", "bin/busybox"),
		link("bin/server", "/bin/sh"),
		imagetest.File("bin/run.sh", 0o755, []byte("#!/bin/sh\nexec /bin/server\n")),
		link("bin/run", "bin/run.sh"),
	)
	cgoBin := imagetest.GoBinary(t, "linux", "amd64", true)
	loader := imagetest.Layer(t, // the ELF interpreter a hard link, as in Debian's libc6
		imagetest.Dir("lib"), imagetest.File("lib/ld-2.36.so", 0o755, hostFile(t, "/lib64/ld-linux-x86-64.so.2")),
		imagetest.Dir(multiarch), imagetest.File(multiarch+"/libc.so.6", 0o755, hostFile(t, "/lib/x86_64-linux-gnu/libc.so.6")),
		imagetest.Dir("usr"), imagetest.Dir("usr/lib"), imagetest.Dir("usr/"+multiarch), // Debian's layout: the loader searches it
		imagetest.Dir("lib64"), link("lib64/ld-linux-x86-64.so.2", "lib/ld-2.36.so"),
		imagetest.Dir("app"), imagetest.File("app/cgo", 0o755, cgoBin))
	push := func(tag string, entrypoint string) string {
		return reg.PushImage(t, tag, imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64",
			Entrypoint: []string{entrypoint}, Env: []string{"PATH=/bin"}, Layers: []v1.Layer{layer, loader}}))
	}
	const shellCheck = `, "healthCheck": {"command": ["CMD-SHELL", "wget -q -O- http://localhost/ || exit 1"]}`
	const binCheck = `, "healthCheck": {"command": ["CMD", "server", "-healthcheck"]}`
	tests := []struct{ name, ref, extra string }{
		{"hard-linked entrypoint and shell", push("busybox:1", "/bin/server"), shellCheck},
		{"entrypoint found in PATH", push("busybox:2", "server"), binCheck},
		{"ELF interpreter a hard link", push("busybox:4", "/app/cgo"), shellCheck},
		{"script run through a hard link, its interpreter a hard link", push("busybox:3", "/bin/run"), shellCheck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := parseTask(t, taskJSON("X86_64", tt.ref, tt.extra))
			r := Run(context.Background(), Input{TaskDef: td, Subjects: []Subject{{Container: "app", Ref: tt.ref}}}, Options{FailOn: Error})
			if len(r.Errors) > 0 {
				t.Fatalf("could not verify: %+v", r.Errors)
			}
			var ids []string
			for _, f := range r.Findings {
				if f.RuleID != "IC313" {
					ids = append(ids, f.RuleID+": "+f.Message+" ("+f.Evidence+")")
				}
			}
			if len(ids) > 0 || r.Verdict != VerdictPass {
				t.Errorf("verdict %s, findings:\n%s", r.Verdict, strings.Join(ids, "\n"))
			}
		})
	}
}
