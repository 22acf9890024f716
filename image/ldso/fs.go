package ldso

import (
	"context"
	"errors"
	"io/fs"
	"strconv"
	"syscall"
)

// FS is the read-only view of a container image's merged file system that
// the loader emulation opens files through. An implementation over image
// layers resolves each path as the kernel would: through symbolic links
// (absolute targets from the image root, across layers), hard links,
// whiteouts, and "." and ".." components; paths handed to it may contain
// "//", "." and "..", exactly as the loader builds them by joining a
// directory and a name.
type FS interface {
	// Stat describes the file at name, following symbolic links. A missing
	// file (ENOENT, ENOTDIR) is an error satisfying errors.Is(err,
	// fs.ErrNotExist); a file the process may not reach (EACCES, for
	// example a directory it cannot search) one satisfying
	// errors.Is(err, fs.ErrPermission). Any other error stops the
	// emulation: the outcome cannot be known.
	Stat(ctx context.Context, name string) (FileInfo, error)
	// ReadPrefix returns the first n bytes of the regular file at name, or
	// all of it when it is shorter.
	ReadPrefix(ctx context.Context, name string, n int64) ([]byte, error)
}

// ObjectFS is an FS that may serve ELF objects sparsely. ReadObject returns
// the first n bytes of the file at name as ReadPrefix does, except that
// only the first 64 bytes (the ELF header) and the bytes binfmt.ELFExtents
// names need be the file's. The emulation reads an object it loads only
// through the ELF header and binfmt's parsers, so it gets the answers the
// whole file gives, while an image's layer pass keeps a few kilobytes of
// each shared object instead of all of it. Configuration files
// (ld.so.cache, ld.so.preload, musl's path file) are read with ReadPrefix.
type ObjectFS interface {
	FS
	ReadObject(ctx context.Context, name string, n int64) ([]byte, error)
}

// FileInfo is what opening a file tells the loader.
type FileInfo struct {
	Mode fs.FileMode // type and permission bits
	Size int64
	UID  int
	GID  int
	// Resolved is the path with every symbolic link resolved, which is what
	// /proc/self/exe reads for an executable (glibc and musl take $ORIGIN
	// of the main program from it). "" means the path asked for.
	Resolved string
	// ID names the file underneath its paths, as a device and inode number
	// do: the loaders load a file reached under two names once. Two hard
	// links to one file should share an ID. "" means Resolved.
	ID string
}

// Credentials is the user a process runs as, for read permission checks.
type Credentials struct {
	UID    int
	GID    int
	Groups []int // supplementary groups
}

// canRead applies the kernel's read permission rule for the file; root
// reads anything (containers keep CAP_DAC_OVERRIDE by default).
func (c *Credentials) canRead(fi FileInfo) bool {
	if c == nil || c.UID == 0 {
		return true
	}
	perm := fi.Mode.Perm()
	switch {
	case c.UID == fi.UID:
		return perm&0o400 != 0
	case c.inGroup(fi.GID):
		return perm&0o040 != 0
	}
	return perm&0o004 != 0
}

// canExec applies the kernel's execute permission rule: root needs any
// execute bit, others the one of their class.
func (c *Credentials) canExec(fi FileInfo) bool {
	perm := fi.Mode.Perm()
	switch {
	case c == nil:
		return true
	case c.UID == 0:
		return perm&0o111 != 0
	case c.UID == fi.UID:
		return perm&0o100 != 0
	case c.inGroup(fi.GID):
		return perm&0o010 != 0
	}
	return perm&0o001 != 0
}

func (c *Credentials) inGroup(gid int) bool {
	if c.GID == gid {
		return true
	}
	for _, g := range c.Groups {
		if g == gid {
			return true
		}
	}
	return false
}

// errnoOf maps an FS error to the errno the loader's open would see; ok is
// false for errors that do not come from the file system's namespace
// (I/O failures), which make the outcome unknown.
func errnoOf(err error) (syscall.Errno, bool) {
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		return errno, true
	case errors.Is(err, fs.ErrNotExist):
		return syscall.ENOENT, true
	case errors.Is(err, fs.ErrPermission):
		return syscall.EACCES, true
	}
	return 0, false
}

// glibcStrerror is the text glibc's loader prints for an errno: ld.so
// carries a minimal strerror that knows six errnos and prints "Error N"
// for the others (for example "Error 21" for EISDIR).
func glibcStrerror(e syscall.Errno) string {
	switch e {
	case syscall.ENOMEM:
		return "Cannot allocate memory"
	case syscall.EINVAL:
		return "Invalid argument"
	case syscall.ENOENT:
		return "No such file or directory"
	case syscall.EPERM:
		return "Operation not permitted"
	case syscall.EIO:
		return "Input/output error"
	case syscall.EACCES:
		return "Permission denied"
	}
	return "Error " + strconv.Itoa(int(e))
}

// muslStrerror is musl's text for the errnos its loader reports.
func muslStrerror(e syscall.Errno) string {
	switch e {
	case syscall.ENOENT:
		return "No such file or directory"
	case syscall.EACCES:
		return "Permission denied"
	case syscall.ENOTDIR:
		return "Not a directory"
	case syscall.EISDIR:
		return "Is a directory"
	case syscall.ENOEXEC:
		return "Exec format error"
	case syscall.ENAMETOOLONG:
		return "Filename too long"
	case syscall.ELOOP:
		return "Symbolic link loop"
	case syscall.EINVAL:
		return "Invalid argument"
	case syscall.ENOMEM:
		return "Out of memory"
	case syscall.EIO:
		return "I/O error"
	}
	return "No error information"
}
