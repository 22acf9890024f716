package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// epoch dates every entry and config so the images are the same on every
// run and every machine.
var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// tarEntry is one file or directory of a test layer.
type tarEntry struct {
	name    string
	dir     bool
	mode    int64
	content []byte
}

func dirEntry(name string) tarEntry { return tarEntry{name: name, dir: true, mode: 0o755} }

func fileEntry(name string, mode int64, content []byte) tarEntry {
	return tarEntry{name: name, mode: mode, content: content}
}

// gzipLayer makes a gzip-compressed layer from entries, compressed once
// (a 60 MB random layer must not be recompressed at every read). level is
// a compress/gzip level: gzip.DefaultCompression, as ko uses, for real
// content; gzip.BestSpeed for random bytes, which do not compress anyway.
func gzipLayer(level int, entries ...tarEntry) (v1.Layer, error) {
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, ModTime: epoch, Format: tar.FormatPAX, Typeflag: tar.TypeReg, Size: int64(len(e.content))}
		if e.dir {
			h.Typeflag, h.Size, h.Name = tar.TypeDir, 0, e.name+"/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("writing tar header %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.content); err != nil {
			return nil, fmt.Errorf("writing tar entry %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, level)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	blob := gz.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(blob)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// randomBytes returns n deterministic, incompressible bytes.
func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	var key [32]byte
	key[0] = byte(seed)
	key[1] = byte(seed >> 8)
	_, _ = rand.NewChaCha8(key).Read(b)
	return b
}

// staticBaseLayer is a distroless-static-like base: users, groups, CA
// certificates (the host's, when it has them) and /tmp.
func staticBaseLayer() (v1.Layer, error) {
	entries := []tarEntry{
		dirEntry("etc"),
		fileEntry("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")),
		fileEntry("etc/group", 0o644, []byte("root:x:0:\nnonroot:x:65532:\n")),
		fileEntry("etc/nsswitch.conf", 0o644, []byte("hosts: files dns\n")),
		dirEntry("etc/ssl"),
		dirEntry("etc/ssl/certs"),
		dirEntry("home"),
		dirEntry("home/nonroot"),
		dirEntry("tmp"),
	}
	if certs, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt"); err == nil {
		entries = append(entries, fileEntry("etc/ssl/certs/ca-certificates.crt", 0o644, certs))
	}
	return gzipLayer(gzip.DefaultCompression, entries...)
}

// appLayer is ko's top layer: /ko-app/<name> and, when extra is set, a small
// file after it that makes the layer (and image) distinct.
func appLayer(name string, bin []byte, extra string) (v1.Layer, error) {
	entries := []tarEntry{dirEntry("ko-app"), fileEntry("ko-app/"+name, 0o755, bin)}
	if extra != "" {
		entries = append(entries, fileEntry("ko-app/VERSION", 0o644, []byte(extra+"\n")))
	}
	return gzipLayer(gzip.DefaultCompression, entries...)
}

// platformImage assembles an OCI image for linux/arch from layers.
func platformImage(arch string, entrypoint []string, layers ...v1.Layer) (v1.Image, error) {
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err := mutate.AppendLayers(img, layers...)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Created = v1.Time{Time: epoch}
	cf.Config.Entrypoint = entrypoint
	cf.Config.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"}
	cf.Config.User = "65532"
	return mutate.ConfigFile(img, cf)
}

// multiArch puts one image per platform into an OCI index.
func multiArch(images map[string]v1.Image) v1.ImageIndex {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, arch := range []string{"amd64", "arm64"} {
		img, ok := images[arch]
		if !ok {
			continue
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}},
		})
	}
	return idx
}
