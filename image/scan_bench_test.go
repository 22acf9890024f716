package image

import (
	"fmt"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// BenchmarkScanUnderUpperLayer times the case where a 20 MB upper layer
// must be read whole before the binary below it (benchmark c in BENCHMARKS.md).
func BenchmarkScanUnderUpperLayer(b *testing.B) {
	bin := imagetest.GoBinary(b, "linux", "arm64", false)
	filler := make([]byte, 20<<20)
	imagetest.Random(filler, 3)
	img := imagetest.Image(b, imagetest.ImageSpec{OS: "linux", Architecture: "arm64", Entrypoint: []string{"/app/server"},
		Layers: []v1.Layer{imagetest.Layer(b, imagetest.Dir("app"), imagetest.File("app/server", 0o755, bin)),
			imagetest.Layer(b, imagetest.Dir("data"), imagetest.File("data/blob", 0o644, filler))}})
	reg := imagetest.Registry(b)
	ref := reg.PushImage(b, "scan:1", img)
	b.ResetTimer()
	for range b.N {
		src, err := Open(b.Context(), ref, Options{})
		if err != nil {
			b.Fatal(err)
		}
		p, err := src.Select(b.Context(), v1.Platform{OS: "linux", Architecture: "arm64"})
		if err != nil {
			b.Fatal(err)
		}
		f, _ := p.Lookup(b.Context(), "/app/server")
		if _, _, err := p.Identify(b.Context(), f); err != nil {
			b.Fatal(err)
		}
		src.Close()
	}
}

// BenchmarkScanManySmallFiles reads a layer shaped like a distribution's
// base layer to its end: thousands of data files, none of them kept, so
// what a pass spends per entry shows (B/op and allocs/op).
func BenchmarkScanManySmallFiles(b *testing.B) {
	var entries []imagetest.Entry
	data := make([]byte, 6<<10)
	imagetest.Random(data, 5)
	for i := range 5000 {
		entries = append(entries, imagetest.File(fmt.Sprintf("usr/share/doc/pkg%03d/file%04d.txt", i%300, i), 0o644, data[:2<<10+i%(4<<10)]))
	}
	img := imagetest.Image(b, imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Layers: []v1.Layer{imagetest.Layer(b, entries...)}})
	for b.Loop() {
		src, err := FromImage("many", img, Options{})
		if err != nil {
			b.Fatal(err)
		}
		p, err := src.Select(b.Context(), v1.Platform{OS: "linux", Architecture: "amd64"})
		if err != nil {
			b.Fatal(err)
		}
		if f, err := p.Lookup(b.Context(), "/missing"); err != nil || f.Found {
			b.Fatal(f, err)
		}
		src.Close()
	}
}
