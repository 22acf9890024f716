package image

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// A file deep in a layer costs one 64 KiB range and then one streamed
// request for the rest, not a round trip per growing range; a stream cut
// short is resumed where it stopped.
func TestDeepFileStreamsTheRest(t *testing.T) {
	var ranged, cuts atomic.Int32
	var cut atomic.Bool
	host := middleRegistry(t, func(inner http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rg := r.Header.Get("Range")
			if rg != "" && strings.Contains(r.URL.Path, "/blobs/") {
				ranged.Add(1)
			}
			// Cut the first open-ended (streamed) range once, mid-body.
			if cut.Load() && strings.HasPrefix(rg, "bytes=65536-") && cuts.Add(1) == 1 {
				serveCutShort(w, r, inner, 3)
				return
			}
			inner.ServeHTTP(w, r)
		})
	})
	bin := imagetest.GoBinary(t, "linux", "arm64", false)
	filler := make([]byte, 3<<20)
	imagetest.Random(filler, 7) // incompressible: the binary starts ~3 MiB into the blob
	img := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "arm64", Entrypoint: []string{"/app/server"},
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("app"), imagetest.File("app/aaa-filler", 0o644, filler),
			imagetest.File("app/server", 0o755, bin))}})
	push(t, host+"/deep:1", img)

	for _, withCut := range []bool{false, true} {
		ranged.Store(0)
		cut.Store(withCut)
		_, p := openPlatform(t, host+"/deep:1", Options{}, "linux/arm64")
		f, err := p.Lookup(t.Context(), "/app/server")
		if err != nil || !f.Found {
			t.Fatalf("lookup: %+v %v", f, err)
		}
		info, _, err := p.Identify(t.Context(), f)
		if err != nil || info.GOARCH != "arm64" {
			t.Fatalf("cut=%v: %s %v", withCut, info, err)
		}
		want := int32(2) // 64 KiB, then the rest streamed
		if withCut {
			want = 3 // and the resumed stream
		}
		if got := ranged.Load(); got != want {
			t.Errorf("cut=%v: %d ranged blob GETs, want %d", withCut, got, want)
		}
	}
	if cuts.Load() == 0 {
		t.Error("the stream was never cut: the test does not exercise resumption")
	}
}
