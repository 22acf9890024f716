package image

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/imgcheck/imgcheck/image/filecap"
)

// Whiteout markers of the OCI image layer spec (inherited from AUFS).
const (
	whiteoutPrefix = ".wh."
	opaqueMarker   = ".wh..wh..opq"
	whiteoutMeta   = ".wh..wh." // other AUFS metadata; ignored
)

// EntryType is what a tar entry is, as far as lookups care.
type EntryType string

// Entry types.
const (
	TypeRegular  EntryType = "file"
	TypeDir      EntryType = "dir"
	TypeSymlink  EntryType = "symlink"
	TypeHardlink EntryType = "hardlink"
	TypeOther    EntryType = "other" // device, fifo
	typeWhiteout EntryType = "whiteout"
	typeOpaque   EntryType = "opaque"
)

// entry is one tar header of a layer, with its name cleaned to an absolute
// path inside the image root.
type entry struct {
	Ordinal int       // position in the layer's tar stream
	Name    string    // cleaned, absolute; for a whiteout the path it removes; for opaque the directory
	Type    EntryType //
	Mode    fs.FileMode
	UID     int
	GID     int
	Size    int64
	Link    string // symlink target as written; hardlink target cleaned and absolute
	// Caps is the entry's security.capability attribute (PAX record
	// SCHILY.xattr.security.capability), or capsErr why the kernel would
	// refuse it; both zero without one.
	Caps    *filecap.Caps
	capsErr string

	// For a hard link, set when the layer indexes it: the entry whose
	// inode the link shares (never itself a hard link), or why the runtime
	// could not make the link (see layerScan.linkLocked).
	target  *entry
	linkErr string
}

// cleanPath makes a tar name an absolute, clean path: "./usr/../bin" is
// "/bin", and ".." can never climb above "/".
func cleanPath(name string) string {
	return path.Clean("/" + name)
}

// tarWalker reads a layer's tar stream entry by entry within the limits.
type tarWalker struct {
	tr  *tar.Reader
	n   int
	lim Limits
}

func newTarWalker(r io.Reader, lim Limits) *tarWalker {
	return &tarWalker{tr: tar.NewReader(r), lim: lim}
}

// next returns the next entry, or io.EOF at the end of the archive.
func (w *tarWalker) next() (*entry, error) {
	for {
		hdr, err := w.tr.Next()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil {
			if isClassified(err) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: tar entry %d: %w", ErrMalformed, w.n, err)
		}
		if w.n >= w.lim.MaxTarEntries {
			return nil, fmt.Errorf("%w: more than %d tar entries in a layer", ErrLimit, w.lim.MaxTarEntries)
		}
		if len(hdr.Name) > w.lim.MaxNameBytes || len(hdr.Linkname) > w.lim.MaxNameBytes {
			return nil, fmt.Errorf("%w: tar entry %d: name or link target longer than %d bytes", ErrLimit, w.n, w.lim.MaxNameBytes)
		}
		if hdr.Size < 0 {
			return nil, fmt.Errorf("%w: tar entry %d: negative size", ErrMalformed, w.n)
		}
		if pathDepth(hdr.Name) > w.lim.MaxPathDepth || pathDepth(hdr.Linkname) > w.lim.MaxPathDepth {
			return nil, fmt.Errorf("%w: tar entry %d (%s): path or link target deeper than %d components", ErrLimit, w.n, abbreviate(hdr.Name, 64), w.lim.MaxPathDepth)
		}
		e := w.convert(hdr)
		w.n++
		if e == nil {
			continue
		}
		return e, nil
	}
}

// pathDepth counts the components of a tar name or link target that name
// something ("a//./b" has two).
func pathDepth(name string) int {
	n := 0
	for rest := name; rest != ""; {
		var comp string
		comp, rest, _ = strings.Cut(rest, "/")
		if comp != "" && comp != "." {
			n++
		}
	}
	return n
}

// abbreviate shortens s for a message.
func abbreviate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// read reads the current entry's content.
func (w *tarWalker) read(p []byte) (int, error) {
	n, err := w.tr.Read(p)
	if err != nil && err != io.EOF && !isClassified(err) {
		err = fmt.Errorf("%w: reading tar entry: %w", ErrMalformed, err)
	}
	return n, err
}

func (w *tarWalker) convert(hdr *tar.Header) *entry {
	name := cleanPath(hdr.Name)
	e := &entry{Ordinal: w.n, Name: name, Mode: fs.FileMode(hdr.Mode & 0o7777), UID: hdr.Uid, GID: hdr.Gid, Size: hdr.Size}
	if v, ok := hdr.PAXRecords[filecap.PAXRecord]; ok {
		if c, err := filecap.Parse([]byte(v)); err != nil {
			e.capsErr = err.Error()
		} else {
			e.Caps = &c
		}
	}
	base := path.Base(name)
	switch {
	case base == opaqueMarker:
		e.Type, e.Name = typeOpaque, path.Dir(name)
		return e
	case strings.HasPrefix(base, whiteoutMeta):
		return nil
	case strings.HasPrefix(base, whiteoutPrefix) && len(base) > len(whiteoutPrefix):
		e.Type, e.Name = typeWhiteout, path.Join(path.Dir(name), base[len(whiteoutPrefix):])
		return e
	}
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeCont: // archive/tar reads the old TypeRegA as TypeReg (or TypeDir)
		e.Type = TypeRegular
	case tar.TypeDir:
		e.Type = TypeDir
	case tar.TypeSymlink:
		e.Type, e.Link = TypeSymlink, hdr.Linkname
	case tar.TypeLink:
		e.Type, e.Link = TypeHardlink, cleanPath(hdr.Linkname)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		e.Type = TypeOther
	default:
		// PAX and GNU meta headers are consumed by archive/tar; anything
		// else unknown is not a file a process could exec.
		e.Type = TypeOther
	}
	return e
}
