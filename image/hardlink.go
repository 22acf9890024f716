package image

import (
	"context"
	"fmt"
	"path"
	"strings"
)

// Hard links are resolved the way the runtimes ECS uses apply a layer:
// containerd's overlayfs snapshotter and Docker's overlay2 both extract
// each layer into its own directory, calling link(2) with the target's
// parent directories resolved through the symlinks written so far and the
// last component not followed. So the target must come earlier in the same
// layer; a link to a symlink is that symlink, a link to a directory fails
// (EPERM), and a link that cannot be made fails the whole layer, so the
// image cannot be pulled. The link shares its target's inode: its content,
// type, mode and owner are the target's, as of the link's position in the
// layer (a later entry that replaces the target makes a new inode), and
// they survive a later layer's removal of the target.

// HardLinkError is a hard link the runtime cannot create: the layer cannot
// be applied. It wraps ErrMalformed.
type HardLinkError struct {
	Layer  int    // the layer holding the link
	Link   string // the link's path
	Target string // the path it names
	Reason string
}

func (e *HardLinkError) Error() string {
	return fmt.Sprintf("layer %d: hard link %s -> %s: %s; the runtime fails to apply the layer, so the image cannot be pulled", e.Layer, e.Link, e.Target, e.Reason)
}

func (e *HardLinkError) Unwrap() error { return ErrMalformed }

// linkLocked resolves hard link e against what the layer has written
// before it.
func (s *layerScan) linkLocked(e *entry) {
	target, why := s.linkPathLocked(e.Link)
	if why != "" {
		e.linkErr = why
		return
	}
	if target == "/" {
		e.linkErr = "/ is a directory (link(2) fails with EPERM)"
		return
	}
	if target == e.Name || strings.HasPrefix(target, e.Name+"/") {
		// The applier removes what is at the link's path before linking.
		e.linkErr = target + ": no such file (the link replaces its own target)"
		return
	}
	t := s.entries[target]
	w, whited := s.whiteouts[target]
	switch {
	case t != nil && whited && w > t.Ordinal, t == nil && whited:
		e.linkErr = target + " was removed by a whiteout earlier in the layer (no such file)"
		return
	case t == nil:
		e.linkErr = target + ": no such file earlier in the layer"
		return
	}
	switch t.Type {
	case TypeHardlink:
		if t.target == nil {
			e.linkErr = fmt.Sprintf("%s is a hard link that could not be made (%s)", target, t.linkErr)
			return
		}
		t = t.target
	case TypeDir:
		e.linkErr = target + " is a directory (link(2) fails with EPERM)"
		return
	}
	e.target = t
}

// linkPathLocked resolves the parent directories of a hard link target
// (clean and absolute) through the symlinks the layer has written so far;
// the last component is not followed. It returns why when the parents
// cannot be resolved. Each directory is looked up as a prefix of the path
// being resolved, without building a new string per component: a layer of
// hard links to deep targets stays linear in the bytes of its names.
func (s *layerScan) linkPathLocked(name string) (string, string) {
	p, links := name, 0
	for start := 1; start < len(p); {
		j := strings.IndexByte(p[start:], '/')
		if j < 0 {
			break // the last component
		}
		dir := p[:start+j]
		e := s.entries[dir]
		if e != nil && e.Type == TypeHardlink && e.target != nil {
			e = e.target
		}
		switch {
		case e == nil || e.Type == TypeDir:
			start += j + 1
		case e.Type == TypeSymlink:
			if links++; links > MaxSymlinks {
				return "", fmt.Sprintf("more than %d symlinks followed resolving the directory of %s (too many levels of symbolic links)", MaxSymlinks, name)
			}
			base := path.Dir(dir)
			if path.IsAbs(e.Link) {
				base = "/"
			}
			target, rest := cleanPath(path.Join(base, e.Link)), p[start+j+1:]
			if target == "/" {
				p = "/" + rest
			} else {
				p = target + "/" + rest
			}
			start = 1
		default:
			return "", dir + " is not a directory"
		}
	}
	return p, ""
}

// linkTarget returns the entry a hard link found at name (in layer st.layer)
// shares its inode with, or a *HardLinkError saying why the runtime cannot
// make the link, and where else the target is when it is elsewhere.
func (img *Image) linkTarget(ctx context.Context, name string, st *statResult) (*entry, error) {
	e := st.e
	if e.target != nil {
		return e.target, nil
	}
	herr := &HardLinkError{Layer: st.layer, Link: name, Target: e.Link, Reason: e.linkErr}
	for i := range img.scans {
		if i == st.layer {
			continue
		}
		a, err := img.scans[i].find(ctx, e.Link, &img.src.fetched)
		if err != nil {
			return nil, fmt.Errorf("looking for the target of hard link %s in layer %d of %s: %w", name, i, img.src.name, err)
		}
		if a.entry == nil {
			continue
		}
		if i < st.layer {
			herr.Reason += fmt.Sprintf(" (it is in layer %d below, which the runtime extracts into another directory)", i)
		} else {
			herr.Reason += fmt.Sprintf(" (it only comes in layer %d above)", i)
		}
		break
	}
	return nil, herr
}
