package build

import (
	"bytes"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/build/koconfig"
	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/image/filecap"
	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// TestLinuxCapabilitiesOnTheBinary: linux_capabilities becomes the
// binary's security.capability PAX record in the kernel's format, which
// the image package reads back; a rebuild gives the same digest.
func TestLinuxCapabilitiesOnTheBinary(t *testing.T) {
	ctx := testContext(t)
	cfg, err := koconfig.Parse(".ko.yaml", []byte("builds:\n- main: example.com/hello\n  linux_capabilities: net_bind_service=ep\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{1, 0, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0} // setcap cap_net_bind_service=ep
	var digests []v1.Hash
	for range 2 {
		b := newTestBuilder(helloModule(t), fixtures.compiler)
		b.Config = cfg
		art, err := b.Build(ctx, ".")
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, art.Digest)
		for _, pi := range art.Images {
			if got := binaryXattr(t, pi.Image, "ko-app/hello"); !bytes.Equal(got, want) {
				t.Errorf("%s: security.capability %x, want %x", pi.Platform.Architecture, got, want)
			}
		}
		src, err := image.FromIndex("built", art.Index, image.Options{})
		if err != nil {
			t.Fatal(err)
		}
		p, err := src.Select(ctx, v1.Platform{OS: "linux", Architecture: "arm64"})
		if err != nil {
			t.Fatal(err)
		}
		f, err := p.Lookup(ctx, AppDir+"/hello")
		if err != nil || f.Capabilities == nil || f.Capabilities.String() != "cap_net_bind_service=ep" {
			t.Fatalf("image reads %+v (%v)", f.Capabilities, err)
		}
	}
	if digests[0] != digests[1] {
		t.Errorf("rebuild changed the digest: %s, %s", digests[0], digests[1])
	}

	// Without the key the binary has no attribute.
	b := newTestBuilder(helloModule(t), fixtures.compiler)
	b.Platforms = []string{"linux/amd64"}
	art, err := b.Build(ctx, ".")
	if err != nil {
		t.Fatal(err)
	}
	if got := binaryXattr(t, art.Images[0].Image, "ko-app/hello"); got != nil {
		t.Errorf("binary without linux_capabilities has security.capability %x", got)
	}
}

// binaryXattr returns the security.capability record of name in the
// image's last layer, nil when it has none.
func binaryXattr(t *testing.T, img v1.Image, name string) []byte {
	t.Helper()
	h, _ := imagetest.TopLayerEntry(t, img, name)
	v, ok := h.PAXRecords[filecap.PAXRecord]
	if !ok {
		return nil
	}
	return []byte(v)
}
