package realimages

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// packTree writes the tree at root as a gzip tar layer into dir and
// returns its record. GNU tar makes the archive as image builders do:
// hard links as hard-link entries, numeric owners, modes with the setuid
// bits, names without a "./" prefix, in name order. External tar and gzip
// keep this fast when the test binary runs under the race detector.
func packTree(root, dir, key string) (cacheEntry, error) {
	names, err := topLevelNames(root)
	if err != nil {
		return cacheEntry{}, err
	}
	var tarErr, gzErr bytes.Buffer
	tarCmd := exec.Command("tar", append([]string{"--create", "--file=-", "--format=gnu",
		"--numeric-owner", "--sort=name", "--directory", root}, names...)...)
	tarCmd.Stderr = &tarErr
	tarOut, err := tarCmd.StdoutPipe()
	if err != nil {
		return cacheEntry{}, err
	}
	out, err := os.CreateTemp(dir, key+"-layer.tar.gz.tmp-")
	if err != nil {
		return cacheEntry{}, err
	}
	defer os.Remove(out.Name()) // after the rename, a no-op
	digest, size := sha256.New(), &countingWriter{}
	gzCmd := exec.Command("gzip", "-n", "-6")
	gzCmd.Stdout, gzCmd.Stderr = io.MultiWriter(out, digest, size), &gzErr
	gzIn, err := gzCmd.StdinPipe()
	if err != nil {
		return cacheEntry{}, err
	}
	if err := tarCmd.Start(); err != nil {
		return cacheEntry{}, fmt.Errorf("starting tar: %w", err)
	}
	if err := gzCmd.Start(); err != nil {
		return cacheEntry{}, fmt.Errorf("starting gzip: %w", err)
	}
	diffID := sha256.New()
	e, scanErr := scanTar(io.TeeReader(tarOut, io.MultiWriter(diffID, gzIn)))
	gzIn.Close()
	if scanErr != nil {
		_ = tarCmd.Process.Kill() // it may be blocked writing what no one reads
	}
	tarWaitErr, gzWaitErr := tarCmd.Wait(), gzCmd.Wait()
	switch {
	case scanErr != nil:
		return e, fmt.Errorf("reading the tar of %s: %w", root, scanErr)
	case tarWaitErr != nil:
		return e, fmt.Errorf("tar of %s: %w: %s", root, tarWaitErr, tarErr.String())
	case gzWaitErr != nil:
		return e, fmt.Errorf("gzip: %w: %s", gzWaitErr, gzErr.String())
	}
	if err := out.Chmod(0o644); err != nil { // CreateTemp makes it private
		return e, err
	}
	if err := out.Close(); err != nil {
		return e, err
	}
	sum := hex.EncodeToString(digest.Sum(nil))
	e.File = fmt.Sprintf("%s-%s.tar.gz", key, sum[:16])
	e.Digest, e.DiffID, e.Size = "sha256:"+sum, "sha256:"+hex.EncodeToString(diffID.Sum(nil)), size.n
	return e, os.Rename(out.Name(), filepath.Join(dir, e.File))
}

func topLevelNames(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("%s is empty", root)
	}
	return names, nil
}

// scanTar reads a whole tar stream, counting its entries and noting its
// hard links, then drains the rest (trailer and padding) so that whoever
// sees the stream through r sees all of it.
func scanTar(r io.Reader) (cacheEntry, error) {
	e := cacheEntry{HardLinks: map[string]string{}}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return e, err
		}
		e.Entries++
		if hdr.Typeflag == tar.TypeLink {
			e.HardLinks[hdr.Name] = hdr.Linkname
		}
	}
	_, err := io.Copy(io.Discard, r)
	return e, err
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// fileLayer is a cached gzip tar layer whose digests were recorded when
// it was made, so using it costs no hashing or compression.
type fileLayer struct {
	path           string
	digest, diffID v1.Hash
	size           int64
}

func newFileLayer(dir string, e cacheEntry) (*fileLayer, error) {
	digest, err := v1.NewHash(e.Digest)
	if err != nil {
		return nil, fmt.Errorf("cached layer %s: %w", e.File, err)
	}
	diffID, err := v1.NewHash(e.DiffID)
	if err != nil {
		return nil, fmt.Errorf("cached layer %s: %w", e.File, err)
	}
	return &fileLayer{path: filepath.Join(dir, e.File), digest: digest, diffID: diffID, size: e.Size}, nil
}

func (l *fileLayer) Digest() (v1.Hash, error)             { return l.digest, nil }
func (l *fileLayer) DiffID() (v1.Hash, error)             { return l.diffID, nil }
func (l *fileLayer) Size() (int64, error)                 { return l.size, nil }
func (l *fileLayer) MediaType() (types.MediaType, error)  { return types.OCILayer, nil }
func (l *fileLayer) Compressed() (io.ReadCloser, error)   { return os.Open(l.path) }
func (l *fileLayer) Uncompressed() (io.ReadCloser, error) { return openGzip(l.path) }

type gzipFile struct {
	*gzip.Reader
	f *os.File
}

func (g gzipFile) Close() error {
	g.Reader.Close()
	return g.f.Close()
}

func openGzip(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return gzipFile{zr, f}, nil
}
