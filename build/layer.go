package build

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
)

// layerFile is one entry of a layer: a directory, a regular file, or a
// symlink (Link set).
type layerFile struct {
	Path string // absolute path in the image, "/" separated
	Mode fs.FileMode
	Dir  bool
	Link string
	Data []byte
	// UID is the owner (user and group); 0 except for a home directory.
	UID int
	// Xattrs are extended attributes (name to raw value), written as
	// SCHILY.xattr.* PAX records, which archive/tar orders by name.
	Xattrs map[string]string
}

// layerGzipLevel is fixed so that the compressed bytes, and so the layer
// digest, depend only on the content (and the compressor's version).
// BestSpeed, as ko's layers use: every build compresses its binary layers
// again, and a Go binary gains little from the slower levels. klauspost's
// gzip (already linked for reading layers) writes the same size about 1.4x
// faster than compress/gzip at that level.
const layerGzipLevel = gzip.BestSpeed

// newReproducibleLayer writes files as a gzip tar with sorted entries, owner
// 0:0, the given modification time and no gzip header name or time. Parent
// directories are added (mode 0755) when missing.
func newReproducibleLayer(files []layerFile, mtime time.Time) (*memoryLayer, error) {
	byPath := map[string]layerFile{}
	for _, f := range files {
		p := path.Clean("/" + f.Path)
		f.Path = p
		byPath[p] = f
		for d := path.Dir(p); d != "/"; d = path.Dir(d) {
			if _, ok := byPath[d]; !ok {
				byPath[d] = layerFile{Path: d, Dir: true, Mode: 0o755}
			}
		}
	}
	paths := make([]string, 0, len(byPath))
	for p := range byPath {
		paths = append(paths, p)
	}
	slices.Sort(paths)

	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	for _, p := range paths {
		f := byPath[p]
		h := &tar.Header{
			Name:    p[1:], // relative names, as docker and ko write them
			Mode:    tarMode(f.Mode),
			ModTime: mtime,
			Uid:     f.UID,
			Gid:     f.UID,
			Format:  tar.FormatPAX,
		}
		for name, v := range f.Xattrs {
			if h.PAXRecords == nil {
				h.PAXRecords = map[string]string{}
			}
			h.PAXRecords["SCHILY.xattr."+name] = v
		}
		switch {
		case f.Dir:
			h.Typeflag, h.Name = tar.TypeDir, h.Name+"/"
		case f.Link != "":
			h.Typeflag, h.Linkname = tar.TypeSymlink, f.Link
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.Data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("writing layer entry %s: %w", p, err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(f.Data); err != nil {
				return nil, fmt.Errorf("writing layer entry %s: %w", p, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("closing layer tar: %w", err)
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, layerGzipLevel)
	if err != nil {
		return nil, err
	}
	// No name, no mtime (klauspost writes a zero time.Time as a date in
	// 2042; the Unix epoch is written as 0, "no time"), OS byte constant.
	zw.ModTime = time.Unix(0, 0)
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, fmt.Errorf("compressing layer: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compressing layer: %w", err)
	}
	return newMemoryLayer(gz.Bytes(), sha256.Sum256(raw.Bytes()), types.OCILayer), nil
}

// tarMode keeps the permission bits and the sticky/setuid/setgid bits in
// the numeric form tar headers use.
func tarMode(m fs.FileMode) int64 {
	mode := int64(m.Perm())
	if m&fs.ModeSticky != 0 {
		mode |= 0o1000
	}
	if m&fs.ModeSetgid != 0 {
		mode |= 0o2000
	}
	if m&fs.ModeSetuid != 0 {
		mode |= 0o4000
	}
	return mode
}

// memoryLayer is a compressed layer held in memory with its digests known.
type memoryLayer struct {
	compressed []byte
	digest     v1.Hash
	diffID     v1.Hash
	mediaType  types.MediaType
	// uncompressed marks a blob stored as is (an SBOM document), whose
	// Uncompressed form is the blob itself.
	uncompressed bool
}

// newRawBlobLayer is a blob stored without compression, such as a JSON
// document attached as an artifact.
func newRawBlobLayer(data []byte, mt types.MediaType) *memoryLayer {
	l := newMemoryLayer(data, sha256.Sum256(data), mt)
	l.uncompressed = true
	return l
}

func newMemoryLayer(compressed []byte, uncompressedSum [32]byte, mt types.MediaType) *memoryLayer {
	return &memoryLayer{
		compressed: compressed,
		digest:     v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", sha256.Sum256(compressed))},
		diffID:     v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", uncompressedSum)},
		mediaType:  mt,
	}
}

func (l *memoryLayer) Digest() (v1.Hash, error) { return l.digest, nil }
func (l *memoryLayer) DiffID() (v1.Hash, error) { return l.diffID, nil }
func (l *memoryLayer) Size() (int64, error)     { return int64(len(l.compressed)), nil }
func (l *memoryLayer) MediaType() (types.MediaType, error) {
	return l.mediaType, nil
}
func (l *memoryLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.compressed)), nil
}
func (l *memoryLayer) Uncompressed() (io.ReadCloser, error) {
	if l.uncompressed {
		return l.Compressed()
	}
	zr, err := gzip.NewReader(bytes.NewReader(l.compressed))
	if err != nil {
		return nil, err
	}
	return zr, nil
}
