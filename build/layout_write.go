package build

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// An OCI layout is shared state: several builds may write into one while a
// verify or skopeo reads it. Blobs are content addressed, so each is written
// to a temporary file and renamed into place (a reader sees all of it or
// none); index.json is read, changed and renamed into place while holding
// the layout's lock file, so concurrent writers never lose each other's
// entries and a failed build leaves the previous index.json as it was.

// layoutLockFile is the lock file inside a layout (ignored by readers).
const layoutLockFile = ".imgcheck.lock"

// updateLayoutIndex applies change to the layout's index.json under the
// layout lock and replaces the file atomically.
func updateLayoutIndex(dir string, change func(*v1.IndexManifest) error) error {
	unlock, err := lockLayout(dir)
	if err != nil {
		return err
	}
	defer unlock()
	path := filepath.Join(dir, "index.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	var idx v1.IndexManifest
	if err := json.Unmarshal(raw, &idx); err != nil {
		return fmt.Errorf("parsing %s: %w", path, err)
	}
	if err := change(&idx); err != nil {
		return err
	}
	out, err := json.MarshalIndent(&idx, "", "   ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return writeFileAtomic(path, out, 0o644)
}

// writeFileAtomic writes data to a temporary file beside path, syncs it and
// renames it over path.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return writeAtomic(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

func writeAtomic(path string, perm fs.FileMode, write func(io.Writer) error) (rerr error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if rerr != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("renaming into %s: %w", path, err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}

// layoutBlobs writes content-addressed blobs into a layout's blobs/ tree.
type layoutBlobs struct{ dir string }

// put writes one blob unless a file of its size is already there.
func (b layoutBlobs) put(h v1.Hash, size int64, open func() (io.ReadCloser, error)) error {
	dir := filepath.Join(b.dir, "blobs", h.Algorithm)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	path := filepath.Join(dir, h.Hex)
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() && (size < 0 || st.Size() == size) {
		return nil
	}
	rc, err := open()
	if err != nil {
		return fmt.Errorf("reading blob %s: %w", h, err)
	}
	defer rc.Close()
	return writeAtomic(path, 0o644, func(w io.Writer) error {
		hw, err := v1.Hasher(h.Algorithm)
		if err != nil {
			return err
		}
		n, err := io.Copy(io.MultiWriter(w, hw), rc)
		if err != nil {
			return err
		}
		if got := fmt.Sprintf("%x", hw.Sum(nil)); got != h.Hex || (size >= 0 && n != size) {
			return fmt.Errorf("blob %s: wrote %d bytes with digest %s:%s", h, n, h.Algorithm, got)
		}
		return nil
	})
}

func (b layoutBlobs) putRaw(raw []byte) error {
	h, size, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	return b.put(h, size, func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil })
}

// putIndex writes an index, its children and all their blobs.
func (b layoutBlobs) putIndex(ii v1.ImageIndex) error {
	im, err := ii.IndexManifest()
	if err != nil {
		return err
	}
	for _, d := range im.Manifests {
		switch {
		case d.MediaType.IsIndex():
			child, err := ii.ImageIndex(d.Digest)
			if err != nil {
				return err
			}
			if err := b.putIndex(child); err != nil {
				return err
			}
		default:
			img, err := ii.Image(d.Digest)
			if err != nil {
				return err
			}
			if err := b.putImage(img); err != nil {
				return err
			}
		}
	}
	raw, err := ii.RawManifest()
	if err != nil {
		return err
	}
	return b.putRaw(raw)
}

// putImage writes an image's layers, config and manifest (manifest last,
// so that whatever names the manifest finds everything it names).
func (b layoutBlobs) putImage(img v1.Image) error {
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return err
		}
		size, err := l.Size()
		if err != nil {
			return err
		}
		if err := b.put(d, size, l.Compressed); err != nil {
			return err
		}
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	if err := b.putRaw(cfg); err != nil {
		return err
	}
	raw, err := img.RawManifest()
	if err != nil {
		return err
	}
	return b.putRaw(raw)
}
