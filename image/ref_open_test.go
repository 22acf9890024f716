package image

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// twoImageLayout writes a layout with an arm64 image named "app:v1" (as
// skopeo and imgcheck build name entries) and an amd64 one named "v1" (as
// regctl does), and returns the directory and both digests.
func twoImageLayout(t *testing.T) (dir string, arm, amd v1.Hash) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "out")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []struct{ arch, name string }{{"arm64", "app:v1"}, {"amd64", "v1"}} {
		img := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: e.arch})
		if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{annotationRefName: e.name})); err != nil {
			t.Fatal(err)
		}
		if e.arch == "arm64" {
			arm = imagetest.Digest(t, img)
		} else {
			amd = imagetest.Digest(t, img)
		}
	}
	return dir, arm, amd
}

// Every spelling of a layout or OCI archive reference opens the manifest it
// names, and a name or digest that is not there is ErrNotFound.
func TestOpenNamedRefs(t *testing.T) {
	dir, arm, amd := twoImageLayout(t)
	archive := imagetest.TarLayout(t, dir, filepath.Join(t.TempDir(), "app.tar"))
	tests := []struct {
		ref     string
		want    v1.Hash
		wantErr error
		errText string
	}{
		{ref: "oci:" + dir + ":app:v1", want: arm},
		{ref: "oci:" + dir + ":v1", want: amd},
		{ref: "ocidir://" + dir + ":v1", want: amd},
		{ref: "oci:" + dir + "@" + amd.String(), want: amd},
		{ref: "oci:" + dir + ":app:v1@" + arm.String(), want: arm},
		{ref: "oci-archive:" + archive + ":app:v1", want: arm},
		{ref: "oci-archive:" + archive + ":v1", want: amd},
		{ref: "oci-archive:" + archive + "@" + arm.String(), want: arm},
		// The name and the digest must agree.
		{ref: "oci:" + dir + ":app:v1@" + amd.String(), wantErr: ErrNotFound, errText: "is " + arm.String()},
		{ref: "oci:" + dir + ":latest", wantErr: ErrNotFound, errText: `"app:v1", "v1"`},
		{ref: "oci-archive:" + archive + ":latest", wantErr: ErrNotFound, errText: `"app:v1", "v1"`},
		{ref: "ocidir://" + dir + "x:v1", wantErr: ErrNotFound},
		{ref: "oci-archive:" + archive + "x", wantErr: ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.ref, dir), func(t *testing.T) {
			src, err := Open(t.Context(), tt.ref, Options{})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("err = %v, want %v mentioning %q", err, tt.wantErr, tt.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			if got, _ := src.Digest(t.Context()); got != tt.want {
				t.Errorf("digest %s, want %s", got, tt.want)
			}
		})
	}
}

// oci-archive: reads a docker save archive too, as long as it names no
// manifest: such an archive has no names to pick from.
func TestOCIArchiveOfDockerSave(t *testing.T) {
	img := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64"})
	file := imagetest.WriteDockerTarball(t, t.TempDir(), img)
	src, err := Open(t.Context(), "oci-archive:"+file, Options{})
	if err != nil {
		t.Fatal(err)
	}
	src.Close()
	if _, err := Open(t.Context(), "oci-archive:"+file+":v1", Options{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("err = %v, want ErrMalformed for a name in a docker save archive", err)
	}
}
