package main

import (
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/internal/imagetest"
)

var updateInspectGolden = flag.Bool("update-inspect", false, "rewrite testdata/inspect golden files")

// sampleIndex is shaped like the sample-server image imgcheck build makes:
// a base layer with passwd files, an app layer with a static Go binary at
// /ko-app/server, for linux/amd64 and linux/arm64, with attestations.
func sampleIndex(t *testing.T) v1.ImageIndex {
	t.Helper()
	base := imagetest.Layer(t,
		imagetest.Dir("etc"),
		imagetest.File("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")),
		imagetest.File("etc/group", 0o644, []byte("root:x:0:\nnonroot:x:65532:\n")),
		imagetest.Dir("tmp"),
	)
	var children []imagetest.Child
	for _, arch := range []string{"amd64", "arm64"} {
		app := imagetest.Layer(t, imagetest.Dir("ko-app"),
			imagetest.File("ko-app/server", 0o755, imagetest.GoBinary(t, "linux", arch, false)))
		img := imagetest.Image(t, imagetest.ImageSpec{
			OS: "linux", Architecture: arch, Entrypoint: []string{"/ko-app/server"},
			Env:  []string{"PATH=/usr/local/bin:/usr/bin:/bin", "KO_DATA_PATH=/var/run/ko"},
			User: "65532", ExposedPorts: []string{"8080/tcp"},
			Layers: []v1.Layer{base, app},
		})
		children = append(children, imagetest.Child{Image: img})
	}
	for _, c := range children[:2] {
		children = append(children, imagetest.AttestationChild(t, imagetest.Digest(t, c.Image)))
	}
	return imagetest.Index(t, false, children...)
}

func TestInspectGolden(t *testing.T) {
	reg := imagetest.Registry(t)
	ref := reg.PushIndex(t, "sample-server:v1", sampleIndex(t))
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			code, out, errOut := runCLI(t, "inspect", ref, "--format", format)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(errOut, "reading "+ref) {
				t.Errorf("no progress on stderr: %q", errOut)
			}
			got := strings.ReplaceAll(out, reg.Host, "REGISTRY")
			golden := filepath.Join("testdata", "inspect", "sample."+format)
			if *updateInspectGolden {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update-inspect to create)", err)
			}
			if got != string(want) {
				t.Errorf("inspect --format %s differs from %s (run with -update-inspect):\n%s", format, golden, got)
			}
		})
	}
}

func TestInspectStatsByteBudget(t *testing.T) {
	noise := make([]byte, 60<<20)
	imagetest.Random(noise, 7)
	bin := imagetest.Padded(imagetest.GoBinary(t, "linux", "arm64", false), 6<<20, 8)
	bottom := imagetest.Layer(t, imagetest.File("data/noise", 0o644, noise))
	top := imagetest.Layer(t, imagetest.File("app/server", 0o755, bin))
	img := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "arm64", Entrypoint: []string{"/app/server"}, Layers: []v1.Layer{bottom, top}})
	reg := imagetest.Registry(t)
	ref := reg.PushIndex(t, "big:1", imagetest.Index(t, false, imagetest.Child{Image: img}))
	reg.ResetLog()

	code, out, errOut := runCLI(t, "inspect", ref, "--platform", "linux/arm64", "--stats", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep image.Inspection
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	const budget = 64 << 10
	if rep.Stats == nil || rep.Stats.LayerBytes == 0 || rep.Stats.LayerBytes > budget {
		t.Fatalf("stats %+v: want 1..%d layer bytes", rep.Stats, budget)
	}
	if len(rep.Images) != 1 || rep.Images[0].Executable == nil || !strings.Contains(rep.Images[0].Executable.Binary, "aarch64") {
		t.Errorf("report: %+v", rep.Images)
	}
	if n, b := reg.BlobBytes(imagetest.Digest(t, bottom)); n != 0 || b != 0 {
		t.Errorf("bottom layer fetched: %d requests %d bytes", n, b)
	}
	var topBytes int64
	for _, r := range reg.Requests() {
		if r.Method == http.MethodGet && strings.HasSuffix(r.Path, imagetest.Digest(t, top).String()) {
			if r.Range == "" || r.Status != http.StatusPartialContent {
				t.Errorf("top layer GET without a honoured Range: %+v", r)
			}
			topBytes += r.Bytes
		}
	}
	if topBytes == 0 || topBytes > budget {
		t.Errorf("registry log: %d bytes of the top layer, want 1..%d", topBytes, budget)
	}
	code, out, _ = runCLI(t, "inspect", ref, "--platform", "linux/arm64", "--stats")
	if code != 0 || !strings.Contains(out, "stats: ") || !strings.Contains(out, "layer bytes") {
		t.Errorf("text stats: exit %d\n%s", code, out)
	}
}

func TestInspectCases(t *testing.T) {
	pie := imagetest.GoPIEBinary(t, "linux", "arm64")
	withInterp := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "arm64", Entrypoint: []string{"server"},
		Layers: []v1.Layer{imagetest.Layer(t,
			imagetest.File("lib/ld-linux-aarch64.so.1", 0o755, []byte("\x7fELF")),
			imagetest.File("usr/bin/server", 0o755, pie))}})
	noInterp := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "arm64", Entrypoint: []string{"/server"},
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.File("server", 0o755, pie))}})
	script := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Cmd: []string{"/run.sh"},
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.File("run.sh", 0o755, []byte("#!/bin/bash\n")))}})
	removed := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Entrypoint: []string{"/app"},
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.File("app", 0o755, []byte("x"))), imagetest.Layer(t, imagetest.Whiteout("app"))}})
	windows := imagetest.WindowsImage(t, "10.0.20348.2340", 0x8664)
	nothing := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64"})
	liar := imagetest.Index(t, false, imagetest.Child{Image: script, Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}})

	dir := t.TempDir()
	tests := []struct {
		name string
		ref  string
		args []string
		code int
		want []string
	}{
		{name: "interpreter present", ref: "oci:" + imagetest.WriteLayoutImage(t, filepath.Join(dir, "a"), "", withInterp),
			want: []string{"executable   /usr/bin/server", "interpreter /lib/ld-linux-aarch64.so.1", "interpreter  /lib/ld-linux-aarch64.so.1 (present in image, layer 0)"}},
		{name: "interpreter missing", ref: "oci:" + imagetest.WriteLayoutImage(t, filepath.Join(dir, "b"), "", noInterp),
			want: []string{"MISSING from image (no such file)"}},
		{name: "script with missing interpreter", ref: "oci:" + imagetest.WriteLayoutImage(t, filepath.Join(dir, "c"), "", script),
			want: []string{"script, #!/bin/bash", "/bin/bash MISSING"}},
		{name: "whiteout", ref: "oci:" + imagetest.WriteLayoutImage(t, filepath.Join(dir, "d"), "", removed),
			want: []string{"/app NOT FOUND: whited out", "layer 1"}},
		{name: "windows PE", ref: "oci:" + imagetest.WriteLayoutImage(t, filepath.Join(dir, "e"), "", windows),
			want: []string{"os.version=10.0.20348.2340", "PE32+"}},
		{name: "nothing to run", ref: "oci:" + imagetest.WriteLayoutImage(t, filepath.Join(dir, "f"), "", nothing),
			want: []string{"executable   none"}},
		{name: "descriptor disagrees", ref: "oci:" + imagetest.WriteLayoutIndex(t, filepath.Join(dir, "g"), "", liar),
			want: []string{"descriptor   linux/arm64 (DISAGREES"}},
		{name: "no such platform", ref: "oci:" + filepath.Join(dir, "g"), args: []string{"--platform", "linux/s390x"}, code: 2},
		{name: "bad format", ref: "oci:" + filepath.Join(dir, "g"), args: []string{"--format", "xml"}, code: 2},
		{name: "missing layout", ref: "oci:" + filepath.Join(dir, "none"), code: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"inspect", tt.ref}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestInspectStrict(t *testing.T) {
	dir := imagetest.WriteLayoutIndex(t, filepath.Join(t.TempDir(), "s"), "", sampleIndex(t))
	code, out, errOut := runCLI(t, "inspect", "oci:"+dir, "--platform", "linux/arm64", "--strict")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, w := range []string{"[verified, ", "go           go1.", "linux/arm64 cgo=false", "uncompressed, verified)"} {
		if !strings.Contains(out, w) {
			t.Errorf("strict output lacks %q:\n%s", w, out)
		}
	}
}
