package verify

import (
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// The run user's checks and the loader cost a static binary on a ko-style
// image nothing: verifying it reads what identifying its entrypoint reads
// (the top layer's first bytes), never the base layer that holds
// /etc/passwd, whatever the user (root by default, USER 65532 as
// distroless and the benchmarks have it, numeric uid:gid, a task user).
func TestStaticKoImageCostsNoMoreBytes(t *testing.T) {
	reg := imagetest.Registry(t)
	bin := imagetest.Padded(imagetest.GoBinary(t, "linux", "amd64", false), 4<<20, 7)
	noise := make([]byte, 256<<10)
	imagetest.Random(noise, 8)
	base := imagetest.Layer(t, append(usersEntries(),
		imagetest.Dir("etc/ssl"), imagetest.File("etc/ssl/cert.pem", 0o644, noise), imagetest.Dir("tmp"))...)
	app := imagetest.Layer(t, imagetest.Dir("ko-app"), imagetest.File("ko-app/app", 0o755, bin))
	bottom, top := imagetest.Digest(t, base), imagetest.Digest(t, app)
	push := func(tag, user string) string {
		return reg.PushImage(t, tag, imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64",
			Entrypoint: []string{"/ko-app/app"}, Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin"}, User: user,
			Layers: []v1.Layer{base, app}}))
	}

	// What identifying the entrypoint costs on its own.
	baseRef := push("ko:identify", "65532")
	reg.ResetLog()
	src, err := image.Open(t.Context(), baseRef, image.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := src.Select(t.Context(), v1.Platform{OS: "linux", Architecture: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := p.ResolveCommand(t.Context(), "/ko-app/app", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Identify(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	wantReqs, wantBytes := reg.BlobBytes(top)
	src.Close()
	if wantReqs == 0 {
		t.Fatal("identifying the entrypoint fetched nothing: the test measures nothing")
	}

	var gets []int
	for _, tc := range []struct{ name, imageUser, taskUser string }{
		{"root by default", "", ""},
		{"image USER 65532", "65532", ""},
		{"image USER 65532:65532", "65532:65532", ""},
		{"task user 65532 over root", "", "65532"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := push("ko:"+strings.NewReplacer(" ", "-", ":", "-").Replace(tc.name), tc.imageUser)
			extra := ""
			if tc.taskUser != "" {
				extra = `, "user": "` + tc.taskUser + `"`
			}
			reg.ResetLog()
			r := Run(context.Background(), Input{TaskDef: parseTask(t, taskJSON("X86_64", ref, extra)),
				Subjects: []Subject{{Container: "app", Ref: ref}}}, Options{FailOn: Error})
			if r.Verdict != VerdictPass {
				t.Fatalf("verdict %s: %s %+v", r.Verdict, describeFindings(r), r.Errors)
			}
			if n, b := reg.BlobBytes(bottom); n != 0 || b != 0 {
				t.Errorf("the base layer (with /etc/passwd) was fetched: %d requests, %d bytes", n, b)
			}
			if n, b := reg.BlobBytes(top); n != wantReqs || b != wantBytes {
				t.Errorf("top layer: %d requests, %d bytes; identifying the entrypoint alone costs %d, %d", n, b, wantReqs, wantBytes)
			}
			n := 0
			for _, req := range reg.Requests() {
				if req.Method == "GET" {
					n++
				}
			}
			gets = append(gets, n)
		})
	}
	for _, n := range gets[1:] {
		if n != gets[0] {
			t.Errorf("GETs per user %v: a user other than root by default costs requests", gets)
		}
	}
}
