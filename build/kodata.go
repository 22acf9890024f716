package build

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

const (
	kodataDir = "kodata"
	// maxKodataFiles and maxKodataDepth bound the walk, so a symlink loop or
	// a runaway tree fails with a message instead of filling memory.
	maxKodataFiles = 100000
	maxKodataDepth = 64
)

// kodataFiles collects <pkgDir>/kodata for /var/run/ko. Symlinks are
// followed, as ko does, so shared files can be linked in; a link whose
// target lies outside root (the work tree) is refused, so a stray link
// cannot copy a file like ~/.aws/credentials into an image. Files keep
// their executable bit (0755) or get 0644; directories 0755.
func kodataFiles(pkgDir, root string) ([]layerFile, error) {
	dir := filepath.Join(pkgDir, kodataDir)
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", root, err)
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", dir, err)
	}
	w := kodataWalker{root: realRoot, onStack: map[string]bool{}}
	if err := w.walk(realDir, KoDataPath, 0); err != nil {
		return nil, err
	}
	return w.files, nil
}

type kodataWalker struct {
	root  string
	files []layerFile
	// onStack holds the real paths of the directories being walked, so a
	// symlink back to one of them is reported instead of followed forever.
	onStack map[string]bool
}

// walk copies the real directory dir to imagePath.
func (w *kodataWalker) walk(dir, imagePath string, depth int) error {
	if depth > maxKodataDepth {
		return fmt.Errorf("kodata: %s is nested more than %d levels", dir, maxKodataDepth)
	}
	if w.onStack[dir] {
		return fmt.Errorf("kodata: symlink loop: %s leads back to %s", imagePath, dir)
	}
	w.onStack[dir] = true
	defer delete(w.onStack, dir)
	if len(w.files) >= maxKodataFiles {
		return fmt.Errorf("kodata: more than %d entries", maxKodataFiles)
	}
	w.files = append(w.files, layerFile{Path: imagePath, Dir: true, Mode: 0o755})
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("kodata: reading %s: %w", dir, err)
	}
	for _, e := range entries {
		src := filepath.Join(dir, e.Name())
		dst := path.Join(imagePath, e.Name())
		real, err := filepath.EvalSymlinks(src)
		if err != nil {
			return fmt.Errorf("kodata: resolving %s: %w", src, err)
		}
		if rel, err := filepath.Rel(w.root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("kodata: %s points outside %s (to %s); copy the file in instead", src, w.root, real)
		}
		st, err := os.Stat(real)
		if err != nil {
			return fmt.Errorf("kodata: %w", err)
		}
		switch {
		case st.IsDir():
			if err := w.walk(real, dst, depth+1); err != nil {
				return err
			}
		case st.Mode().IsRegular():
			if len(w.files) >= maxKodataFiles {
				return fmt.Errorf("kodata: more than %d entries", maxKodataFiles)
			}
			data, err := os.ReadFile(real)
			if err != nil {
				return fmt.Errorf("kodata: %w", err)
			}
			mode := fs.FileMode(0o644)
			if st.Mode().Perm()&0o111 != 0 {
				mode = 0o755
			}
			w.files = append(w.files, layerFile{Path: dst, Mode: mode, Data: data})
		default:
			return fmt.Errorf("kodata: %s is neither a file nor a directory", src)
		}
	}
	return nil
}
