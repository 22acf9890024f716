package image

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// LayerIndex keeps, between runs, what a pass over a layer learned: the
// entry index and the bytes it kept (see capture.go). An entry is keyed by
// the layer's digest, so it never goes stale, and it is written only once
// the pass read the whole layer and checked its digest and diff_id; a run
// that finds it reads nothing of the layer from the registry.
//
// The directory is bounded (least recently used entries go first) and
// shared safely: each entry is written under a temporary name and renamed,
// so a concurrent reader sees the whole entry or none; each carries a
// checksum, so a damaged entry is ignored (and rewritten by the next pass
// over its layer), never trusted. A write that fails (a full disk, a
// directory that is not writable) is logged once and the run goes on
// without writing. Safe for concurrent use.
type LayerIndex struct {
	dir      string
	maxBytes int64
	log      *slog.Logger
	fs       indexFS

	mu       sync.Mutex
	writeErr error // the first failed write; later writes are not tried
}

// LayerIndexOptions configure a LayerIndex.
type LayerIndexOptions struct {
	// MaxBytes bounds the entries kept (default DefaultLayerIndexBytes).
	MaxBytes int64
	// Logger receives what goes wrong with the directory; nil discards.
	Logger *slog.Logger
}

// DefaultLayerIndexBytes bounds a layer index directory: a Debian base
// layer's entry is 2-5 MB.
const DefaultLayerIndexBytes = 512 << 20

// Layer index entry files: a format line, the encoded snapshot, and the
// SHA-256 of both. A new format is a new name prefix, so that versions of
// imgcheck sharing a directory ignore each other's entries.
const (
	indexFormat    = "imgcheck layer index 1\n"
	indexExt       = ".idx1"
	indexTempMark  = ".tmp-"
	indexStaleTemp = time.Hour // a temporary file this old was left by a crash
)

// DefaultCacheDir is where imgcheck keeps its cache: $IMGCHECK_CACHE when
// set, else imgcheck under the user cache directory ($XDG_CACHE_HOME,
// ~/.cache on Linux).
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("IMGCHECK_CACHE"); d != "" {
		return d, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the user cache directory: %w", err)
	}
	return filepath.Join(base, "imgcheck"), nil
}

// OpenLayerIndex uses dir/layers for a layer index, creating it when
// missing. It fails only when the directory cannot be made; one that can
// be read but not written serves reads.
func OpenLayerIndex(dir string, opts LayerIndexOptions) (*LayerIndex, error) {
	li := &LayerIndex{dir: filepath.Join(dir, "layers"), maxBytes: opts.MaxBytes, log: opts.Logger, fs: osIndexFS{}}
	if li.maxBytes <= 0 {
		li.maxBytes = DefaultLayerIndexBytes
	}
	if li.log == nil {
		li.log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(li.dir, 0o755); err != nil {
		return nil, fmt.Errorf("layer index directory: %w", err)
	}
	return li, nil
}

// Dir is the directory the entries are in.
func (li *LayerIndex) Dir() string { return li.dir }

func (li *LayerIndex) path(digest v1.Hash) (string, bool) {
	if !validHash(digest) {
		return "", false
	}
	return filepath.Join(li.dir, digest.Algorithm+"-"+digest.Hex+indexExt), true
}

// load returns the snapshot of a layer, or nil when there is none that
// can be trusted for this descriptor size, diff_id and limits.
func (li *LayerIndex) load(digest v1.Hash, size int64, diffID v1.Hash, lim Limits) *layerSnapshot {
	p, ok := li.path(digest)
	if !ok {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			li.log.Warn("layer cache: cannot read an entry; reading the layer", "layer", digest, "err", err)
		}
		return nil
	}
	defer f.Close()
	raw, err := readBounded(f, li.maxBytes)
	if err == nil {
		var snap *layerSnapshot
		if snap, err = decodeSnapshot(raw); err == nil {
			if snap.Digest != digest.String() || snap.Size != size || snap.DiffID != diffID.String() || snap.Limits != limitsKey(lim) {
				return nil // another size, diff_id or limits: read the layer as they say
			}
			now := time.Now()
			_ = os.Chtimes(p, now, now) // least recently used goes first; best effort
			return snap
		}
	}
	li.log.Warn("layer cache: ignoring a damaged entry; the layer is read and the entry written again", "layer", digest, "err", err)
	return nil
}

// store writes a layer's snapshot, then evicts the least recently used
// entries beyond the size bound. Failures are logged: the run goes on.
func (li *LayerIndex) store(snap *layerSnapshot, digest v1.Hash) {
	p, ok := li.path(digest)
	if !ok {
		return
	}
	li.mu.Lock()
	failed := li.writeErr != nil
	li.mu.Unlock()
	if failed {
		return
	}
	raw, err := encodeSnapshot(snap)
	if err == nil && int64(len(raw)) > li.maxBytes {
		return // larger than the whole cache may be
	}
	if err == nil {
		err = li.writeRenamed(p, raw)
	}
	if err != nil {
		li.mu.Lock()
		first := li.writeErr == nil
		li.writeErr = err
		li.mu.Unlock()
		if first {
			li.log.Warn("layer cache: cannot write; going on without it", "dir", li.dir, "err", err)
		}
		return
	}
	li.evict()
}

// writeRenamed writes data under a temporary name and renames it to p.
func (li *LayerIndex) writeRenamed(p string, data []byte) error {
	f, err := li.fs.createTemp(filepath.Dir(p), filepath.Base(p)+indexTempMark)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = li.fs.rename(f.Name(), p)
	}
	if err != nil {
		_ = li.fs.remove(f.Name())
		return fmt.Errorf("writing %s: %w", p, err)
	}
	return nil
}

// evict removes the least recently used entries until the directory is
// back under 90% of its bound, and temporary files a crash left.
func (li *LayerIndex) evict() {
	des, err := os.ReadDir(li.dir)
	if err != nil {
		return
	}
	type file struct {
		path string
		size int64
		used time.Time
	}
	var files []file
	var total int64
	for _, de := range des {
		fi, err := de.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		p := filepath.Join(li.dir, de.Name())
		if strings.Contains(de.Name(), indexTempMark) {
			if time.Since(fi.ModTime()) > indexStaleTemp {
				_ = li.fs.remove(p)
			}
			continue
		}
		files = append(files, file{p, fi.Size(), fi.ModTime()})
		total += fi.Size()
	}
	if total <= li.maxBytes {
		return
	}
	slices.SortFunc(files, func(a, b file) int { return a.used.Compare(b.used) })
	for _, f := range files {
		if total <= li.maxBytes/10*9 {
			break
		}
		if err := li.fs.remove(f.path); err == nil || errors.Is(err, os.ErrNotExist) {
			total -= f.size
		}
	}
}

// indexFS is what the index does to its directory; tests make writes fail.
type indexFS interface {
	createTemp(dir, pattern string) (tempFile, error)
	rename(from, to string) error
	remove(name string) error
}

type tempFile interface {
	io.Writer
	Close() error
	Name() string
}

type osIndexFS struct{}

func (osIndexFS) createTemp(dir, pattern string) (tempFile, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes it private
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

func (osIndexFS) rename(from, to string) error { return os.Rename(from, to) }
func (osIndexFS) remove(name string) error     { return os.Remove(name) }

// sealEntry frames an encoded snapshot: format line, data, checksum.
func sealEntry(data []byte) []byte {
	out := make([]byte, 0, len(indexFormat)+len(data)+sha256.Size)
	out = append(append(out, indexFormat...), data...)
	sum := sha256.Sum256(out)
	return append(out, sum[:]...)
}

// openEntry checks an entry's format line and checksum and returns its data.
func openEntry(raw []byte) ([]byte, error) {
	if len(raw) < len(indexFormat)+sha256.Size || !bytes.HasPrefix(raw, []byte(indexFormat)) {
		return nil, errors.New("not a layer index entry of this version (truncated?)")
	}
	body, sum := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, errors.New("checksum mismatch")
	}
	return body[len(indexFormat):], nil
}
