package image

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// tarball:FILE@sha256:... (what imgcheck build prints) selects by digest.
func TestOCIArchiveByDigest(t *testing.T) {
	img := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64",
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.File("hello", 0o644, []byte("hi")))}})
	idx := imagetest.Index(t, false, imagetest.Child{Image: img})
	file := imagetest.WriteOCIArchive(t, filepath.Join(t.TempDir(), "app.tar"), idx)
	want := imagetest.Digest(t, idx)
	ctx := context.Background()

	src, err := Open(ctx, "tarball:"+file+"@"+want.String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := src.Digest(ctx); got != want {
		t.Errorf("digest %s, want %s", got, want)
	}
	_, err = Open(ctx, "tarball:"+file+"@sha256:"+strings.Repeat("0", 64), Options{})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown digest: %v, want ErrNotFound", err)
	}
}

func TestSoleImage(t *testing.T) {
	img := v1.Descriptor{MediaType: "application/vnd.oci.image.index.v1+json"}
	sbom := v1.Descriptor{MediaType: "application/vnd.oci.image.manifest.v1+json", ArtifactType: "application/spdx+json"}
	for _, tt := range []struct {
		in   []v1.Descriptor
		want int
	}{
		{[]v1.Descriptor{img, sbom, sbom}, 0},
		{[]v1.Descriptor{sbom, img}, 1},
		{[]v1.Descriptor{img, img, sbom}, -1},
		{[]v1.Descriptor{sbom}, -1},
		{nil, -1},
	} {
		if got := soleImage(tt.in); got != tt.want {
			t.Errorf("soleImage(%d entries) = %d, want %d", len(tt.in), got, tt.want)
		}
	}
}
