package build

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// TestImageLabelsAnnotationsUserLdflags checks ko's --image-label,
// --image-annotation, --image-user and --ldflags through the Builder.
func TestImageLabelsAnnotationsUserLdflags(t *testing.T) {
	b := newTestBuilder(helloModule(t), fixtures.compiler)
	b.Platforms = []string{"linux/" + runtime.GOARCH}
	b.Labels = map[string]string{"team": "payments", "org.opencontainers.image.title": "hello"}
	b.Annotations = map[string]string{"com.example/owner": "payments", AnnotationSource: "https://example.com/override"}
	b.User = "1000:1000"
	b.Ldflags = []string{"-s -w", "-X main.version=from-flag"}
	art, err := b.Build(testContext(t), ".")
	if err != nil {
		t.Fatal(err)
	}
	img := art.Images[0].Image
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Config.User != "1000:1000" {
		t.Errorf("user = %q, want 1000:1000", cfg.Config.User)
	}
	for k, v := range b.Labels {
		if cfg.Config.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, cfg.Config.Labels[k], v)
		}
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	im, err := art.Index.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for where, ann := range map[string]map[string]string{"manifest": m.Annotations, "index": im.Annotations} {
		for k, v := range b.Annotations {
			if ann[k] != v {
				t.Errorf("%s annotation %s = %q, want %q", where, k, ann[k], v)
			}
		}
		if ann[AnnotationCreated] == "" {
			t.Errorf("%s lost imgcheck's own annotations: %v", where, ann)
		}
	}
	// The binary carries the ldflags of the flag, not of any .ko.yaml.
	_, data := fileFromImage(t, img, "ko-app/hello")
	bin := filepath.Join(t.TempDir(), "hello")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("running the built binary: %v", err)
	}
	if want := "hello from-flag "; string(out) != want {
		t.Errorf("binary printed %q, want %q", out, want)
	}
}
