package build

import (
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// writeBaseLayout writes a two-platform base index into a new OCI layout,
// tagged "bookworm", and returns the directory and the index.
func writeBaseLayout(t *testing.T) (string, v1.ImageIndex) {
	t.Helper()
	var adds []mutate.IndexAddendum
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := random.Image(256, 1)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cfg.OS, cfg.Architecture = "linux", arch
		cfg.Config.Labels = map[string]string{"base": arch}
		if img, err = mutate.ConfigFile(img, cfg); err != nil {
			t.Fatal(err)
		}
		img = mutate.MediaType(mutate.ConfigMediaType(img, types.OCIConfigJSON), types.OCIManifestSchema1)
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), adds...)
	dir := filepath.Join(t.TempDir(), "base")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendIndex(idx, layout.WithAnnotations(map[string]string{AnnotationRefName: "bookworm"})); err != nil {
		t.Fatal(err)
	}
	return dir, idx
}

func TestBaseFromOCILayout(t *testing.T) {
	dir, base := writeBaseLayout(t)
	for _, ref := range []string{"oci:" + dir, "oci:" + dir + ":bookworm"} {
		b := newTestBuilder(helloModule(t), fixtures.compiler)
		b.Base = ref
		art, err := b.Build(testContext(t), ".")
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		for _, pi := range art.Images {
			baseImg, err := indexImage(base, pi.Platform, "base")
			if err != nil {
				t.Fatal(err)
			}
			want, _ := baseImg.Layers()
			got, _ := pi.Image.Layers()
			wantDigest, _ := want[0].Digest()
			gotDigest, _ := got[0].Digest()
			if gotDigest != wantDigest {
				t.Errorf("%s %s: first layer %s, want the base's %s", ref, pi.Platform.Architecture, gotDigest, wantDigest)
			}
			cfg, _ := pi.Image.ConfigFile()
			if cfg.Config.Labels["base"] != pi.Platform.Architecture {
				t.Errorf("%s %s: config from the wrong base platform: %v", ref, pi.Platform.Architecture, cfg.Config.Labels)
			}
			m, _ := pi.Image.Manifest()
			if _, ok := m.Annotations[AnnotationBaseName]; ok {
				t.Errorf("a layout base has no registry name, got base.name %q", m.Annotations[AnnotationBaseName])
			}
		}
	}
	for ref, wantErr := range map[string]string{
		"oci:" + dir + ":missing":              "no entry with that tag",
		"oci:" + filepath.Join(dir, "nothing"): "reading the OCI layout",
		"tarball:app.tar":                      "archive references cannot be a base",
	} {
		b := newTestBuilder(helloModule(t), fixtures.compiler)
		b.Base = ref
		if _, err := b.Build(testContext(t), "."); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s: err = %v, want %q", ref, err, wantErr)
		}
	}
}
