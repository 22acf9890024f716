package imagetest

import (
	"archive/tar"
	"bytes"
	"io"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/compression"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Epoch is the modification time of every entry and the creation time of
// every config, so digests do not depend on the clock.
var Epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Entry is one tar entry of a test layer. Build entries with File, Dir,
// Symlink, Hardlink, Whiteout and Opaque.
type Entry struct {
	Name     string
	Typeflag byte
	Mode     int64
	Content  []byte
	Linkname string
	UID, GID int
	// PAX are extra PAX records, such as SCHILY.xattr.* attributes.
	PAX map[string]string
}

// File is a regular file.
func File(name string, mode int64, content []byte) Entry {
	return Entry{Name: name, Typeflag: tar.TypeReg, Mode: mode, Content: content}
}

// Dir is a directory with mode 0755.
func Dir(name string) Entry { return Entry{Name: name, Typeflag: tar.TypeDir, Mode: 0o755} }

// Symlink is a symbolic link to target (absolute or relative).
func Symlink(name, target string) Entry {
	return Entry{Name: name, Typeflag: tar.TypeSymlink, Mode: 0o777, Linkname: target}
}

// Hardlink is a hard link to a file written earlier in the same layer.
func Hardlink(name, target string) Entry {
	return Entry{Name: name, Typeflag: tar.TypeLink, Mode: 0o755, Linkname: target}
}

// Whiteout removes name from the layers below.
func Whiteout(name string) Entry {
	return Entry{Name: path.Join(path.Dir(name), ".wh."+path.Base(name)), Typeflag: tar.TypeReg, Mode: 0o644}
}

// Opaque hides what the layers below have in dir.
func Opaque(dir string) Entry {
	return Entry{Name: path.Join(dir, ".wh..wh..opq"), Typeflag: tar.TypeReg, Mode: 0o644}
}

// Tar writes the entries as an uncompressed tar stream.
func Tar(t testing.TB, entries ...Entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{
			Name: e.Name, Typeflag: e.Typeflag, Mode: e.Mode, Linkname: e.Linkname,
			Uid: e.UID, Gid: e.GID, ModTime: Epoch, Format: tar.FormatPAX, PAXRecords: e.PAX,
		}
		if e.Typeflag == tar.TypeReg {
			hdr.Size = int64(len(e.Content))
		}
		if e.Typeflag == tar.TypeDir && hdr.Name[len(hdr.Name)-1] != '/' {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatalf("tar header %s: %v", e.Name, err)
		}
		if hdr.Size > 0 {
			if _, err := tw.Write(e.Content); err != nil {
				t.Fatalf("tar content %s: %v", e.Name, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Layer is a gzip layer of the entries.
func Layer(t testing.TB, entries ...Entry) v1.Layer {
	t.Helper()
	return LayerFromTar(t, Tar(t, entries...), types.OCILayer)
}

// LayerFromTar compresses an uncompressed tar as mediaType says: gzip
// (OCILayer, DockerLayer), zstd (OCILayerZStd) or none (OCIUncompressedLayer).
func LayerFromTar(t testing.TB, tarBytes []byte, mediaType types.MediaType) v1.Layer {
	t.Helper()
	opener := func() (r io.ReadCloser, err error) { return io.NopCloser(bytes.NewReader(tarBytes)), nil }
	var opts []tarball.LayerOption
	opts = append(opts, tarball.WithMediaType(mediaType))
	switch mediaType {
	case types.OCILayerZStd:
		opts = append(opts, tarball.WithCompression(compression.ZStd))
	case types.OCIUncompressedLayer, types.DockerUncompressedLayer:
		return static.NewLayer(tarBytes, mediaType)
	}
	l, err := tarball.LayerFromOpener(opener, opts...)
	if err != nil {
		t.Fatalf("layer: %v", err)
	}
	return l
}

// TopLayerTar returns img's top layer as an uncompressed tar.
func TopLayerTar(t testing.TB, img v1.Image) []byte {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	rc, err := layers[len(layers)-1].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TopLayerEntry returns the header and the content of the entry name in
// img's top layer (a leading "./" or "/" of either name does not count),
// failing the test when the layer has no such entry.
func TopLayerEntry(t testing.TB, img v1.Image, name string) (*tar.Header, []byte) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(TopLayerTar(t, img)))
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s not in the top layer: %v", name, err)
		}
		if strings.Trim(h.Name, "./") == strings.Trim(name, "./") {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return h, data
		}
	}
}
