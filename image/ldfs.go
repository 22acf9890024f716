package image

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
	"syscall"

	"github.com/imgcheck/imgcheck/image/ldso"
)

// LoaderFS serves the image's merged file system to the dynamic loader
// emulation (package ldso). Paths resolve as the kernel resolves them for
// the loader's open(2): symlinks across layers, hard links to their
// target's inode, whiteouts and opaque directories, and ".." after a
// symlink taken from where the symlink led. With a user, a directory on
// the way that the user may not search is EACCES (fs.ErrPermission); nil
// checks nothing. Contents come through the same bounded, counted layer
// reads as Identify (Stats counts them).
//
// user must be resolved (ResolveUser): a search whose answer depends on
// groups it leaves unknown is an error, which the emulation treats as an
// outcome it cannot know.
func (img *Image) LoaderFS(user *Cred) ldso.FS {
	return &loaderFS{img: img, user: user, files: map[string]File{}}
}

// LoaderCredentials is c as the loader emulation checks it: uid 0 reads
// anything and needs any execute bit, as with CAP_DAC_OVERRIDE.
func LoaderCredentials(c Cred) *ldso.Credentials {
	return &ldso.Credentials{UID: c.UID, GID: c.GID, Groups: c.Groups}
}

type loaderFS struct {
	img  *Image
	user *Cred

	mu    sync.Mutex
	files map[string]File // lookups by the name asked
}

// loaderError is the errno the loader's open would get. ENOTDIR and ELOOP
// count as a missing file too, as package ldso asks.
type loaderError struct {
	name  string
	errno syscall.Errno
	why   string
}

func (e *loaderError) Error() string {
	return fmt.Sprintf("%s: %s (%s)", e.name, e.errno.Error(), e.why)
}

func (e *loaderError) Unwrap() error { return e.errno }

func (e *loaderError) Is(target error) bool {
	switch target {
	case fs.ErrNotExist:
		return e.errno == syscall.ENOENT || e.errno == syscall.ENOTDIR || e.errno == syscall.ELOOP
	case fs.ErrPermission:
		return e.errno == syscall.EACCES
	}
	return false
}

func (l *loaderFS) Stat(ctx context.Context, name string) (ldso.FileInfo, error) {
	f, err := l.lookup(ctx, name)
	if err != nil {
		return ldso.FileInfo{}, err
	}
	if l.user != nil {
		d, err := l.img.CheckAccess(ctx, f, *l.user, AccessSearch)
		if err != nil {
			return ldso.FileInfo{}, err
		}
		switch {
		case d != nil && d.Unknown:
			return ldso.FileInfo{}, fmt.Errorf("looking up %s: %s", name, d)
		case d != nil:
			return ldso.FileInfo{}, &loaderError{name: name, errno: syscall.EACCES, why: d.String()}
		}
	}
	if !f.Found {
		return ldso.FileInfo{}, &loaderError{name: name, errno: errnoOfReason(f.Reason), why: reasonOf(f)}
	}
	fi := ldso.FileInfo{Size: f.Size, UID: f.UID, GID: f.GID, Resolved: f.Resolved, Mode: f.Mode.Perm() | f.Mode&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)}
	switch f.Type {
	case TypeDir:
		fi.Mode |= fs.ModeDir
		fi.Size = 0
	case TypeRegular:
	default:
		fi.Mode |= fs.ModeIrregular
	}
	if f.data != nil {
		// One inode per tar entry; hard links share their target's.
		fi.ID = fmt.Sprintf("layer %d entry %d", f.dataLayer, f.data.Ordinal)
	}
	return fi, nil
}

func (l *loaderFS) ReadPrefix(ctx context.Context, name string, n int64) ([]byte, error) {
	f, err := l.lookup(ctx, name)
	if err != nil {
		return nil, err
	}
	if !f.Found {
		return nil, &loaderError{name: name, errno: errnoOfReason(f.Reason), why: reasonOf(f)}
	}
	if f.data == nil || f.data.Type != TypeRegular {
		return nil, fmt.Errorf("reading %s: a %s, not a regular file", name, f.Type)
	}
	n = max(0, min(n, f.Size))
	data, err := l.img.scans[f.dataLayer].readContent(ctx, f.data, n, &l.img.src.fetched)
	if err != nil {
		return nil, fmt.Errorf("reading %s in layer %d of %s: %w", f.Resolved, f.dataLayer, l.img.src.name, err)
	}
	if int64(len(data)) < n {
		// Fewer bytes than the file has would read as a shorter file.
		return nil, fmt.Errorf("%w: read %d of the first %d bytes of %s", ErrLimit, len(data), n, f.Resolved)
	}
	return data[:n:n], nil
}

// lookup resolves name once per file system.
func (l *loaderFS) lookup(ctx context.Context, name string) (File, error) {
	if !path.IsAbs(name) {
		return File{}, fmt.Errorf("loader path %q is not absolute", name)
	}
	l.mu.Lock()
	f, ok := l.files[name]
	l.mu.Unlock()
	if ok {
		return f, nil
	}
	f, err := l.resolve(ctx, name)
	if err != nil {
		return f, err
	}
	l.mu.Lock()
	l.files[name] = f
	l.mu.Unlock()
	return f, nil
}

// resolve looks name up. Lookup cleans a path lexically, which is the
// kernel's walk unless a ".." follows a symlink: then the walk goes
// component by component, ".." leaving the directory the symlink led to.
func (l *loaderFS) resolve(ctx context.Context, name string) (File, error) {
	comps := strings.Split(name, "/")
	if !containsString(comps, "..") {
		return l.img.Lookup(ctx, name)
	}
	cur := "/"
	var dirs []Dir
	var last *File // what the last name led to; nil when ".." came after it
	for i, c := range comps {
		switch c {
		case "", ".":
			continue
		case "..":
			// cur has no symlinks left, so its parent is lexical; the
			// search permission ".." needs in cur is in dirs already.
			cur, last = path.Dir(cur), nil
			continue
		}
		f, err := l.img.Lookup(ctx, path.Join(cur, c))
		if err != nil {
			return f, err
		}
		dirs = mergeDirs(dirs, f.Dirs)
		if !f.Found {
			f.Path, f.Dirs = name, dirs
			return f, nil
		}
		last = &f
		if !remainingNames(comps[i+1:]) {
			continue
		}
		if f.Type != TypeDir {
			f.Found, f.Reason, f.Detail = false, ReasonNotDir, fmt.Sprintf("%s is not a directory", f.Resolved)
			f.Path, f.Dirs = name, dirs
			return f, nil
		}
		cur = f.Resolved
		dirs = mergeDirs(dirs, []Dir{dirOfFile(f)})
	}
	if last == nil {
		// The path ends in "..": the directory reached, by its resolved name.
		f, err := l.img.Lookup(ctx, cur)
		if err != nil {
			return f, err
		}
		last = &f
	}
	last.Path, last.Dirs = name, mergeDirs(dirs, last.Dirs)
	return *last, nil
}

// remainingNames reports whether more components follow that are looked
// up inside the current one ("." and "" are not, ".." is).
func remainingNames(comps []string) bool {
	for _, c := range comps {
		if c != "" && c != "." {
			return true
		}
	}
	return false
}

// dirOfFile is the Dir a found directory is when the walk continues
// inside it.
func dirOfFile(f File) Dir {
	if f.Resolved == "/" {
		return rootDir()
	}
	if f.data == nil {
		return Dir{Path: f.Resolved, Layer: f.Layer}
	}
	return Dir{Path: f.Resolved, Mode: f.Mode, UID: f.UID, GID: f.GID, Layer: f.Layer, Known: true}
}

func mergeDirs(have, more []Dir) []Dir {
	f := File{Dirs: have}
	for _, d := range more {
		f.addDir(d)
	}
	return f.Dirs
}

func containsString(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// errnoOfReason is what open(2) fails with for a lookup that found nothing.
func errnoOfReason(r NotFoundReason) syscall.Errno {
	switch r {
	case ReasonNotDir:
		return syscall.ENOTDIR
	case ReasonSymlinkLoop:
		return syscall.ELOOP
	}
	return syscall.ENOENT
}

func reasonOf(f File) string {
	if f.Detail != "" {
		return f.Detail
	}
	return string(f.Reason)
}
