package image

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/image/binfmt"
	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// koStyleLayerEntries is the top layer ko writes: directories, then the
// binary as the first regular file, padded to a realistic service size.
func koStyleLayerEntries(tb testing.TB) []imagetest.Entry {
	tb.Helper()
	bin := imagetest.GoBinary(tb, "linux", "arm64", false)
	return []imagetest.Entry{
		imagetest.Dir("ko-app"),
		imagetest.File("ko-app/server", 0o755, imagetest.Padded(bin, 8<<20, 1)),
		imagetest.Dir("var/run/ko"),
		imagetest.File("var/run/ko/greeting.txt", 0o644, []byte("hello\n")),
	}
}

// BenchmarkTarWalkFirstFile measures what a prefix read costs on the hot
// path: gunzip a layer, walk its tar headers to the first regular file and
// read that file's first 64 bytes. The cost must not depend on the size of
// the file or of the entries after it.
func BenchmarkTarWalkFirstFile(b *testing.B) {
	tarBytes := imagetest.Tar(b, koStyleLayerEntries(b)...)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(tarBytes); err != nil {
		b.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	blob := gz.Bytes()
	lim := Limits{}.withDefaults()
	head := make([]byte, 64)
	b.ReportAllocs()
	var name string
	for b.Loop() {
		r := bytes.NewReader(blob)
		pos := func() int64 { return int64(len(blob) - r.Len()) }
		rc, _, err := decompress(r, pos, lim)
		if err != nil {
			b.Fatal(err)
		}
		w := newTarWalker(rc, lim)
		for {
			e, err := w.next()
			if err != nil {
				b.Fatalf("no regular file before %v", err)
			}
			if e.Type == TypeRegular {
				name = e.Name
				break
			}
		}
		if _, err := io.ReadFull(readerFunc(w.read), head); err != nil {
			b.Fatal(err)
		}
		rc.Close()
	}
	if name != "/ko-app/server" || !bytes.HasPrefix(head, []byte("\x7fELF")) {
		b.Fatalf("first file %s starts %q, want /ko-app/server and an ELF header", name, head[:4])
	}
}

// BenchmarkResolveAndIdentify is the whole per-image path of verify on an
// in-memory image: select the platform, resolve the entrypoint through the
// layers and identify the binary from its first bytes.
func BenchmarkResolveAndIdentify(b *testing.B) {
	base := imagetest.Layer(b,
		imagetest.Dir("etc"),
		imagetest.File("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/sbin/nologin\n")),
	)
	img := imagetest.Image(b, imagetest.ImageSpec{
		OS: "linux", Architecture: "arm64", Entrypoint: []string{"/ko-app/server"},
		Layers: []v1.Layer{base, imagetest.Layer(b, koStyleLayerEntries(b)...)},
	})
	ctx := context.Background()
	want := v1.Platform{OS: "linux", Architecture: "arm64"}
	b.ReportAllocs()
	var info binfmt.Info
	for b.Loop() {
		src, err := FromImage("bench", img, Options{})
		if err != nil {
			b.Fatal(err)
		}
		p, err := src.Select(ctx, want)
		if err != nil {
			b.Fatal(err)
		}
		f, err := p.ResolveCommand(ctx, p.Config.Entrypoint[0], p.Config.WorkingDir, p.Config.Getenv("PATH"))
		if err != nil {
			b.Fatal(err)
		}
		if info, _, err = p.Identify(ctx, f); err != nil {
			b.Fatal(err)
		}
		src.Close()
	}
	if info.GOARCH != "arm64" {
		b.Fatalf("identified %s, want an arm64 binary", info)
	}
}
