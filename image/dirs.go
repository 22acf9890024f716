package image

import (
	"context"
	"fmt"
	"io"
	"io/fs"
)

// Dir is a directory a lookup searched, with what the kernel checks for
// search permission.
type Dir struct {
	Path  string      `json:"path"`
	Mode  fs.FileMode `json:"mode"` // permission bits
	UID   int         `json:"uid"`
	GID   int         `json:"gid"`
	Layer int         `json:"layer"` // the layer whose entry gives the metadata; -1 for the root and the default
	// Known: the metadata is settled. A directory that the topmost layer
	// having it only implies by deeper names (no entry of its own) takes
	// its metadata from the nearest lower layer's entry, or is 0755
	// root:root when no layer has one (as the appliers create missing
	// parents); ResolveDirs settles it, reading further into the layers.
	Known bool `json:"known"`
}

// rootDir is the image root: the runtimes ignore tar entries for "/" and
// the snapshot's root directory is 0755 root:root.
func rootDir() Dir { return Dir{Path: "/", Mode: 0o755, Layer: -1, Known: true} }

// dirOf describes the directory found at name.
func dirOf(name string, st *statResult) Dir {
	if st.e == nil {
		return Dir{Path: name, Layer: st.layer}
	}
	return Dir{Path: name, Mode: st.e.Mode, UID: st.e.UID, GID: st.e.GID, Layer: st.layer, Known: true}
}

func (f *File) addDir(d Dir) {
	for _, have := range f.Dirs {
		if have.Path == d.Path {
			return
		}
	}
	f.Dirs = append(f.Dirs, d)
}

// ResolveDirs settles the metadata of the directories in f.Dirs that are
// only implied by deeper names. This may read layers to their end, so
// callers do it only when the result matters (a user without
// CAP_DAC_OVERRIDE).
func (img *Image) ResolveDirs(ctx context.Context, f *File) error {
	for i := range f.Dirs {
		d := &f.Dirs[i]
		if d.Known {
			continue
		}
		settled, err := img.impliedDir(ctx, d.Path, d.Layer)
		if err != nil {
			return err
		}
		*d = settled
	}
	return nil
}

// impliedDir finds the metadata of directory name, implied (without an
// entry so far) in layer top: an entry later in that layer, else the
// nearest lower layer's entry, which the applier copies when it creates
// the missing parent; a lower layer with something other than a directory
// there stops the search, as the applier's does.
func (img *Image) impliedDir(ctx context.Context, name string, top int) (Dir, error) {
	def := Dir{Path: name, Mode: 0o755, Layer: -1, Known: true}
	for i := top; i >= 0; i-- {
		e, whiteout, err := img.scans[i].findEntry(ctx, name, &img.src.fetched)
		if err != nil {
			return Dir{}, fmt.Errorf("reading the metadata of directory %s in layer %d of %s: %w", name, i, img.src.name, err)
		}
		switch {
		case e != nil && e.Type == TypeDir:
			return Dir{Path: name, Mode: e.Mode, UID: e.UID, GID: e.GID, Layer: i, Known: true}, nil
		case e != nil || whiteout && i < top:
			return def, nil
		}
	}
	return def, nil
}

// findEntry reads the layer until name has an entry of its own or the
// layer ends; whiteout says the layer removes name itself.
func (s *layerScan) findEntry(ctx context.Context, name string, fetched *readBudget) (*entry, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consultLocked(fetched)
	for s.entries[name] == nil && !s.complete {
		if _, err := s.advanceLocked(ctx, fetched); err != nil && err != io.EOF {
			return nil, false, err
		}
	}
	_, whiteout := s.whiteouts[name]
	return s.entries[name], whiteout, nil
}
