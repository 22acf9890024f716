package image

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/imgcheck/imgcheck/image/filecap"
)

// MaxSymlinks is how many symlinks one lookup follows, as Linux does
// (MAXSYMLINKS) before failing with ELOOP.
const MaxSymlinks = 40

// NotFoundReason says why a lookup found nothing.
type NotFoundReason string

// Reasons a lookup can fail.
const (
	ReasonNoSuchFile  NotFoundReason = "no such file"
	ReasonWhiteout    NotFoundReason = "whited out"
	ReasonOpaque      NotFoundReason = "hidden by opaque directory"
	ReasonSymlinkLoop NotFoundReason = "symlink loop"
	ReasonDangling    NotFoundReason = "dangling symlink"
	ReasonNotDir      NotFoundReason = "not a directory"
	ReasonNotInPath   NotFoundReason = "not found in PATH"
)

// File is the result of a lookup in the merged filesystem of a platform.
type File struct {
	Path     string      `json:"path"`               // as asked (absolute)
	Resolved string      `json:"resolved,omitempty"` // after following symlinks
	Found    bool        `json:"found"`
	Type     EntryType   `json:"type,omitempty"`
	Mode     fs.FileMode `json:"mode,omitempty"` // permission bits (and setuid/setgid/sticky)
	UID      int         `json:"uid"`
	GID      int         `json:"gid"`
	Size     int64       `json:"size"`
	Layer    int         `json:"layer"`              // index of the layer it comes from (0 = bottom); -1 when not found
	Chain    []string    `json:"chain,omitempty"`    // symlinks followed, "link -> target"
	HardLink string      `json:"hardlink,omitempty"` // the path a hard link names; Type, Mode, owner and content are its target's
	// Dirs are the directories the lookup searched, in order, each once:
	// the kernel needs search permission on each (see CheckExec).
	// Not in JSON (inspect output and its golden files stay as they are).
	Dirs []Dir `json:"-"`
	// Reason and Detail say why nothing was found.
	Reason NotFoundReason `json:"reason,omitempty"`
	Detail string         `json:"detail,omitempty"`
	// LayersSearched lists the layers consulted, top first.
	LayersSearched []int `json:"layersSearched,omitempty"`
	// WhiteoutLayer is the layer whose whiteout removed the path (-1 if none).
	WhiteoutLayer int `json:"whiteoutLayer"`
	// Capabilities are the file capabilities (security.capability) of the
	// file found, from its tar entry (a hard link's are its target's
	// inode's); nil without them. CapabilitiesError says why the kernel
	// would refuse the attribute as written (setxattr fails with EINVAL,
	// so the runtime cannot apply the layer).
	Capabilities      *filecap.Caps `json:"capabilities,omitempty"`
	CapabilitiesError string        `json:"capabilitiesError,omitempty"`

	data      *entry // the entry holding the content (hard link target)
	dataLayer int
}

// Executable reports whether any execute bit is set.
func (f File) Executable() bool { return f.Mode&0o111 != 0 }

// statResult is what the merged view has at one path.
type statResult struct {
	e     *entry // nil for a directory only implied by deeper names
	layer int
	dir   bool
}

// stat finds the topmost layer that says something about p. p's parent
// must already be resolved to a directory.
func (img *Image) stat(ctx context.Context, name string, f *File) (*statResult, error) {
	if name == "/" {
		return &statResult{layer: -1, dir: true}, nil
	}
	for i := len(img.scans) - 1; i >= 0; i-- {
		if !slices.Contains(f.LayersSearched, i) {
			f.LayersSearched = append(f.LayersSearched, i)
		}
		a, err := img.scans[i].find(ctx, name, &img.src.fetched)
		if err != nil {
			return nil, fmt.Errorf("looking up %s in layer %d of %s: %w", name, i, img.src.name, err)
		}
		switch {
		case a.entry != nil:
			return &statResult{e: a.entry, layer: i, dir: a.entry.Type == TypeDir}, nil
		case a.dir:
			return &statResult{layer: i, dir: true}, nil
		case a.whiteout:
			f.Reason, f.WhiteoutLayer = ReasonWhiteout, i
			f.Detail = fmt.Sprintf("%s was removed by a whiteout in layer %d", name, i)
			return nil, nil
		case a.opaque != "":
			f.Reason = ReasonOpaque
			f.Detail = fmt.Sprintf("%s: layer %d makes %s opaque, hiding lower layers", name, i, a.opaque)
			return nil, nil
		}
	}
	f.Reason, f.Detail = ReasonNoSuchFile, fmt.Sprintf("%s: no such file in any layer", name)
	return nil, nil
}

// Lookup finds a path in the merged filesystem, top layer first, following
// symlinks (within the image root) including in the last component. A hard
// link reads as its target; one the runtime could not create is a
// *HardLinkError.
func (img *Image) Lookup(ctx context.Context, name string) (File, error) {
	f := File{Path: cleanPath(name), Layer: -1, WhiteoutLayer: -1}
	comps := splitPath(f.Path)
	cur, curDir, links, linkEnd := "/", rootDir(), 0, 0
	for i := 0; i < len(comps); {
		next := path.Join(cur, comps[i])
		f.addDir(curDir)
		st, err := img.stat(ctx, next, &f)
		if err != nil {
			return f, err
		}
		if st == nil {
			if i < linkEnd && f.Reason == ReasonNoSuchFile {
				f.Reason = ReasonDangling
				f.Detail = fmt.Sprintf("%s points to %s, which does not exist", lastLink(f.Chain), next)
			}
			return f, nil
		}
		var hard *entry
		if st.e != nil && st.e.Type == TypeHardlink {
			t, err := img.linkTarget(ctx, next, st)
			if err != nil {
				return f, err
			}
			hard, st = st.e, &statResult{e: t, layer: st.layer}
		}
		last := i == len(comps)-1
		if st.e != nil && st.e.Type == TypeSymlink {
			links++
			f.Chain = append(f.Chain, next+" -> "+st.e.Link)
			if links > MaxSymlinks {
				f.Reason = ReasonSymlinkLoop
				f.Detail = fmt.Sprintf("more than %d symlinks followed from %s", MaxSymlinks, f.Path)
				return f, nil
			}
			base := cur
			if strings.HasPrefix(st.e.Link, "/") {
				base = "/"
			}
			target := splitPath(cleanPath(path.Join(base, st.e.Link)))
			linkEnd = len(target)
			comps = append(target, comps[i+1:]...)
			cur, curDir, i = "/", rootDir(), 0
			continue
		}
		if !last && !st.dir {
			f.Reason = ReasonNotDir
			f.Detail = fmt.Sprintf("%s (layer %d) is not a directory", next, st.layer)
			return f, nil
		}
		cur = next
		i++
		if last {
			return found(f, cur, st, hard), nil
		}
		curDir = dirOf(cur, st)
	}
	// The path was "/".
	f.Found, f.Resolved, f.Type, f.Mode = true, "/", TypeDir, fs.ModeDir|0o755
	return f, nil
}

// found fills in a File from the entry that was found; hard is the hard
// link that led to it, if any.
func found(f File, resolved string, st *statResult, hard *entry) File {
	f.Found, f.Resolved, f.Layer, f.Reason, f.Detail = true, resolved, st.layer, "", ""
	if st.e == nil {
		f.Type, f.Mode = TypeDir, 0o755
		return f
	}
	e := st.e
	f.Type, f.Mode, f.UID, f.GID, f.Size = e.Type, e.Mode, e.UID, e.GID, e.Size
	f.Capabilities, f.CapabilitiesError = e.Caps, e.capsErr
	f.data, f.dataLayer = e, st.layer
	if hard != nil {
		f.HardLink = hard.Link
	}
	return f
}

func splitPath(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

func lastLink(chain []string) string {
	if len(chain) == 0 {
		return ""
	}
	return "symlink " + chain[len(chain)-1]
}
