package image

import (
	"net/http"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// bigImage: a bottom layer of 60 MB of incompressible data and a top layer
// holding a 6 MB static arm64 Go binary (a real ELF, padded).
func bigImage(t *testing.T) (img v1.Image, bottom, top v1.Hash) {
	t.Helper()
	noise := make([]byte, 60<<20)
	imagetest.Random(noise, 1)
	bin := imagetest.Padded(imagetest.GoBinary(t, "linux", "arm64", false), 6<<20, 2)
	lower := imagetest.Layer(t, imagetest.File("data/noise.bin", 0o644, noise))
	upper := imagetest.Layer(t, imagetest.Dir("app"), imagetest.File("app/server", 0o755, bin))
	img = imagetest.Image(t, imagetest.ImageSpec{
		OS: "linux", Architecture: "arm64", Entrypoint: []string{"/app/server"},
		Layers: []v1.Layer{lower, upper},
	})
	return img, imagetest.Digest(t, lower), imagetest.Digest(t, upper)
}

// The big image takes seconds to build, so its tests share one.
func TestBigImage(t *testing.T) {
	img, bottom, top := bigImage(t)
	t.Run("ranged registry: at most 64 KiB", func(t *testing.T) { testIdentifyAtMost64KiB(t, img, bottom, top) })
	t.Run("registry without Range", func(t *testing.T) { testIdentifyWithoutRange(t, img, bottom) })
	t.Run("strict", func(t *testing.T) { testStrict(t, img, bottom) })
}

// THE byte budget: identifying the entrypoint of the big image costs at
// most 64 KiB of layer data from a registry that honours Range.
func testIdentifyAtMost64KiB(t *testing.T, img v1.Image, bottom, top v1.Hash) {
	reg := imagetest.Registry(t)
	ref := reg.PushIndex(t, "big:1", imagetest.Index(t, false, imagetest.Child{Image: img}))
	reg.ResetLog()

	src, p := openPlatform(t, ref, Options{}, "linux/arm64")
	f, err := p.ResolveCommand(t.Context(), p.Config.Entrypoint[0], p.Config.WorkingDir, p.Config.Getenv("PATH"))
	if err != nil || !f.Found || f.Layer != 1 {
		t.Fatalf("entrypoint: %+v, %v", f, err)
	}
	info, ri, err := p.Identify(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	if info.Machine != "EM_AARCH64" || !info.Static() || ri.Mode != ReadPrefix {
		t.Errorf("identified %s (%s)", info, ri.Mode)
	}

	const budget = 64 << 10
	st := src.Stats()
	if st.LayerBytes > budget || st.LayerBytes == 0 {
		t.Errorf("counting transport: %d layer bytes, want 1..%d", st.LayerBytes, budget)
	}
	if st.BytesDownloaded > budget+16<<10 {
		t.Errorf("counting transport: %d bytes downloaded in all", st.BytesDownloaded)
	}
	// The registry's own log agrees: the bottom layer was never fetched,
	// the top one only by ranges within the budget.
	if n, b := reg.BlobBytes(bottom); n != 0 || b != 0 {
		t.Errorf("bottom layer fetched: %d requests, %d bytes", n, b)
	}
	n, b := reg.BlobBytes(top)
	if n == 0 || b > budget {
		t.Errorf("top layer: %d requests, %d bytes; want at most %d bytes", n, b, budget)
	}
	for _, r := range reg.Requests() {
		if r.Method == http.MethodGet && strings.HasSuffix(r.Path, top.String()) && (r.Range == "" || r.Status != http.StatusPartialContent) {
			t.Errorf("top layer GET without a honoured Range: %+v", r)
		}
	}
	t.Logf("stats %+v; registry log %d requests", st, len(reg.Requests()))
}

// A registry that ignores Range still works, and the body is abandoned
// early instead of being read to the end.
func testIdentifyWithoutRange(t *testing.T, img v1.Image, bottom v1.Hash) {
	reg := imagetest.Registry(t)
	ref := reg.PushImage(t, "big:1", img)
	reg.IgnoreRange(true)
	src, p := openPlatform(t, ref, Options{}, "linux/arm64")
	f, err := p.Lookup(t.Context(), "/app/server")
	if err != nil || !f.Found {
		t.Fatalf("%+v %v", f, err)
	}
	info, _, err := p.Identify(t.Context(), f)
	if err != nil || info.GOARCH != "arm64" {
		t.Fatalf("%s %v", info, err)
	}
	src.Close() // ends the streamed body
	if st := src.Stats(); st.LayerBytes > 256<<10 {
		t.Errorf("read %d layer bytes from a streamed body; want it abandoned early", st.LayerBytes)
	}
	if n, _ := reg.BlobBytes(bottom); n != 0 {
		t.Errorf("bottom layer fetched %d times", n)
	}
}

// Strict mode reads the whole top layer, checks its digests, and reads Go
// build info.
func testStrict(t *testing.T, img v1.Image, bottom v1.Hash) {
	reg := imagetest.Registry(t)
	ref := reg.PushImage(t, "big:1", img)
	_, p := openPlatform(t, ref, Options{Strict: true}, "linux/arm64")
	f, err := p.Lookup(t.Context(), "/app/server")
	if err != nil {
		t.Fatal(err)
	}
	info, ri, err := p.Identify(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	if ri.Mode != ReadVerified || ri.GoBuild == nil || ri.GoBuild.GOARCH != "arm64" || info.GOARCH != "arm64" {
		t.Errorf("strict identify: %+v %+v", ri, ri.GoBuild)
	}
	if p.Layers[1].Uncompressed < 6<<20 {
		t.Errorf("uncompressed size of the verified layer unknown: %+v", p.Layers[1])
	}
	if n, _ := reg.BlobBytes(bottom); n != 0 {
		t.Errorf("strict mode fetched the bottom layer, which holds nothing asked for")
	}
}

// The budget holds whatever the top layer's compression.
func TestByteBudgetAcrossCompressions(t *testing.T) {
	bin := imagetest.Padded(imagetest.GoBinary(t, "linux", "arm64", false), 6<<20, 2)
	tarBytes := imagetest.Tar(t, imagetest.File("app/server", 0o755, bin))
	for _, mt := range []types.MediaType{types.OCILayer, types.OCILayerZStd, types.OCIUncompressedLayer} {
		t.Run(string(mt), func(t *testing.T) {
			upper := imagetest.LayerFromTar(t, tarBytes, mt)
			img := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "arm64", Layers: []v1.Layer{upper}})
			reg := imagetest.Registry(t)
			src, p := openPlatform(t, reg.PushImage(t, "z:1", img), Options{}, "linux/arm64")
			defer src.Close()
			f, _ := p.Lookup(t.Context(), "/app/server")
			info, _, err := p.Identify(t.Context(), f)
			if err != nil || info.GOARCH != "arm64" {
				t.Fatalf("%s %v", info, err)
			}
			if lb := src.Stats().LayerBytes; lb == 0 || lb > 64<<10 {
				t.Errorf("%d layer bytes, want 1..%d", lb, 64<<10)
			}
		})
	}
}
