package image

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// walkAll walks a layer stream the way a scan does and checks the
// invariants every entry must keep.
func walkAll(t *testing.T, data []byte) {
	// A few bytes of gzip or zstd may inflate to the whole bound on every
	// execution: keep it small (the limits themselves have their own tests).
	lim := Limits{MaxTarEntries: 1000, MaxLayerBytes: 4 << 20}.withDefaults()
	r := bytes.NewReader(data)
	dec, _, err := decompress(r, func() int64 { return int64(len(data)) - int64(r.Len()) }, lim)
	if err != nil {
		return
	}
	defer dec.Close()
	w := newTarWalker(dec, lim)
	for i := 0; ; i++ {
		e, err := w.next()
		if err != nil {
			if err != io.EOF && !isClassified(err) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if i > lim.MaxTarEntries {
			t.Fatalf("walked past the entry limit")
		}
		if !strings.HasPrefix(e.Name, "/") || strings.Contains(e.Name, "/../") || strings.HasSuffix(e.Name, "/..") ||
			(e.Name != "/" && strings.HasSuffix(e.Name, "/")) || strings.Contains(e.Name, "//") {
			t.Fatalf("entry name %q escapes or is not clean", e.Name)
		}
		if e.Type == TypeHardlink && !strings.HasPrefix(e.Link, "/") {
			t.Fatalf("hard link target %q not absolute", e.Link)
		}
		var buf [512]byte
		if _, err := w.read(buf[:]); err != nil && err != io.EOF && !isClassified(err) {
			t.Fatalf("unclassified read error: %v", err)
		}
	}
}

func FuzzTarWalk(f *testing.F) {
	seed := imagetest.Tar(f,
		imagetest.Dir("bin"), imagetest.File("bin/sh", 0o755, []byte("#!/bin/sh\n")),
		imagetest.Symlink("sh", "bin/sh"), imagetest.Hardlink("bin/hard", "bin/sh"),
		imagetest.Whiteout("etc/x"), imagetest.Opaque("opt"),
		imagetest.File("../../etc/passwd", 0o644, []byte("root")),
	)
	f.Add(seed)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(seed)
	zw.Close()
	f.Add(gz.Bytes())
	f.Add([]byte{})
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0})
	f.Fuzz(walkAll)
}

func FuzzParseDocument(f *testing.F) {
	f.Add([]byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":1,"platform":{"os":"linux","architecture":"arm64"}}]}`))
	f.Add([]byte(`{"schemaVersion":2,"config":{"digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":2},"layers":[]}`))
	f.Add([]byte(`{"schemaVersion":1,"fsLayers":[]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, mt := range []types.MediaType{"", types.OCIImageIndex, types.DockerManifestSchema2} {
			d, err := parseDocument(raw, mt)
			if err != nil {
				if !isClassified(err) {
					t.Fatalf("unclassified error: %v", err)
				}
				continue
			}
			if (d.Index == nil) == (d.Manifest == nil) {
				t.Fatalf("document is neither or both: %+v", d)
			}
			if d.Digest != digestOf(raw) {
				t.Fatalf("digest not of the bytes")
			}
			if d.Index != nil {
				for _, m := range d.Index.Manifests {
					_ = kindOf(m)
				}
			}
		}
	})
}

func TestParseDocumentMalformed(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want error
	}{
		{"not json", `{`, ErrMalformed},
		{"schema 1", `{"schemaVersion":1,"name":"x","fsLayers":[{"blobSum":"sha256:00"}]}`, ErrSchema1},
		{"schema 1 by fsLayers", `{"schemaVersion":2,"fsLayers":[{}]}`, ErrSchema1},
		{"schema 3", `{"schemaVersion":3,"manifests":[]}`, ErrMalformed},
		{"neither", `{"schemaVersion":2}`, ErrMalformed},
		{"negative size", `{"schemaVersion":2,"manifests":[{"digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":-1}]}`, ErrMalformed},
		{"missing digest", `{"schemaVersion":2,"config":{"size":1},"layers":[]}`, ErrMalformed},
		{"bad digest", `{"schemaVersion":2,"config":{"digest":"md5:zz","size":1},"layers":[]}`, ErrMalformed},
	}
	for _, tt := range tests {
		if _, err := parseDocument([]byte(tt.raw), ""); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestTarWalkLimits(t *testing.T) {
	var entries []imagetest.Entry
	for range 20 {
		entries = append(entries, imagetest.File("f", 0o644, nil))
	}
	entries = append(entries, imagetest.File(strings.Repeat("n/", 40)+"x", 0o644, nil))
	data := imagetest.Tar(t, entries...)
	w := newTarWalker(bytes.NewReader(data), Limits{MaxTarEntries: 10}.withDefaults())
	var err error
	for err == nil {
		_, err = w.next()
	}
	if !errors.Is(err, ErrLimit) {
		t.Errorf("entry limit: %v", err)
	}
	w = newTarWalker(bytes.NewReader(data), Limits{MaxNameBytes: 50}.withDefaults())
	for err = nil; err == nil; {
		_, err = w.next()
	}
	if !errors.Is(err, ErrLimit) {
		t.Errorf("name limit: %v", err)
	}
	// A gzip bomb: 64 MiB of zeros compress to ~64 KiB, a ratio over 1000.
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zw.Write(imagetest.Tar(t, imagetest.File("zeros", 0o644, make([]byte, 64<<20))))
	zw.Close()
	r := bytes.NewReader(bomb.Bytes())
	dec, _, err := decompress(r, func() int64 { return int64(bomb.Len() - r.Len()) }, Limits{MaxRatio: 100}.withDefaults())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, dec); !errors.Is(err, ErrLimit) {
		t.Errorf("ratio limit: %v", err)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"architecture":"arm64","os":"linux","variant":"v8","config":{"Entrypoint":["/app"],"Env":["PATH=/bin"],"ExposedPorts":{"80/tcp":{}}},"rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}`))
	f.Add([]byte(`{"os.version":"10.0.20348.1","os":"windows"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		cf, err := parseConfig(raw)
		if err != nil {
			if !isClassified(err) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		_ = cf.Platform()
	})
}

// fuzzImage is an image of one uncompressed layer served from memory. It
// is made without building and serializing a v1.Image, which cost most of
// each execution (manifests and configs have fuzz targets of their own).
func fuzzImage(tarBytes []byte, lim Limits) *Image {
	src := newSource("fuzz", nil, Options{Limits: lim})
	st := &blobState{digest: digestOf(tarBytes), size: int64(len(tarBytes)), maxKeep: src.opts.Limits.MaxCachedBlobBytes}
	open := readerFetcher{open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(tarBytes)), nil }}
	return &Image{
		src:    src,
		Layers: []Layer{{Digest: st.digest, Size: st.size, MediaType: types.OCIUncompressedLayer, Compression: CompressionNone}},
		scans:  []*layerScan{newLayerScan(st, open, v1.Hash{}, src.opts.Limits)},
	}
}

// FuzzLookup resolves a path in a layer made of arbitrary tar bytes:
// whatever the entries (loops, escapes, whiteouts), a lookup ends, stays
// inside the root and never panics.
func FuzzLookup(f *testing.F) {
	seed := imagetest.Tar(f,
		imagetest.Symlink("a", "b"), imagetest.Symlink("b", "../a"),
		imagetest.Symlink("bin", "usr/bin"), imagetest.File("usr/bin/sh", 0o755, []byte("#!/bin/sh\n")),
		imagetest.Hardlink("h", "usr/bin/sh"), imagetest.Whiteout("x"), imagetest.Opaque("usr"),
	)
	f.Add(seed, "/bin/sh")
	f.Add(seed, "a/../../h")
	links := imagetest.Tar(f,
		imagetest.File("usr/lib/x", 0o755, []byte("#!/bin/sh\n")), imagetest.Symlink("lib", "usr/lib"),
		imagetest.Hardlink("h1", "lib/x"), imagetest.Hardlink("h2", "h1"), imagetest.Symlink("s", "h2"),
		imagetest.Hardlink("h3", "s"), imagetest.Hardlink("h4", "usr"), imagetest.Hardlink("h5", "later"),
		imagetest.File("later", 0o644, nil), imagetest.Whiteout("usr/lib/x"), imagetest.Hardlink("h6", "usr/lib/x"),
	)
	for _, p := range []string{"/h2", "/h3", "/h4", "/h5", "/h6", "/h3/x"} {
		f.Add(links, p)
	}
	f.Fuzz(func(t *testing.T, tarBytes []byte, p string) {
		pl := fuzzImage(tarBytes, Limits{MaxTarEntries: 2000, MaxLayerBytes: 4 << 20})
		fl, err := pl.Lookup(t.Context(), p)
		if err != nil {
			if !isClassified(err) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if fl.Found && !strings.HasPrefix(fl.Resolved, "/") {
			t.Fatalf("resolved %q outside the root", fl.Resolved)
		}
		if len(fl.Chain) > MaxSymlinks+1 {
			t.Fatalf("followed %d symlinks", len(fl.Chain))
		}
		if fl.Found && fl.Type == TypeHardlink {
			t.Fatalf("a hard link must read as its target: %+v", fl)
		}
		if fl.Found && fl.Type == TypeRegular {
			if _, _, err := pl.Identify(t.Context(), fl); err != nil && !isClassified(err) {
				t.Fatalf("unclassified identify error: %v", err)
			}
		}
	})
}
