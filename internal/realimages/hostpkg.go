package realimages

import (
	"archive/tar"
	"io/fs"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// HostPackage returns a layer of the files of a Debian package installed
// on this machine (pkg as dpkg names it, e.g. "libssl3:arm64"), with their
// modes and owners: the layer that installing the package adds to an
// image of the same Debian release. .ci/install-tools installs the
// packages the tests use.
func HostPackage(t testing.TB, pkg string) v1.Layer {
	t.Helper()
	out, err := exec.Command("dpkg", "-L", pkg).Output()
	if err != nil {
		t.Fatalf("dpkg -L %s (run .ci/install-tools): %v", pkg, err)
	}
	var paths []string
	for _, p := range strings.Split(string(out), "\n") {
		if p = strings.TrimPrefix(p, "/"); p != "" && p != "." {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths) // a directory before what it holds
	var entries []imagetest.Entry
	for _, p := range paths {
		e, err := hostEntry(p)
		if err != nil {
			t.Fatalf("package %s: %v", pkg, err)
		}
		entries = append(entries, e)
	}
	return imagetest.Layer(t, entries...)
}

// hostEntry is the tar entry of the host's /name.
func hostEntry(name string) (imagetest.Entry, error) {
	fi, err := os.Lstat("/" + name)
	if err != nil {
		return imagetest.Entry{}, err
	}
	e := imagetest.Entry{Name: name, Mode: tarMode(fi.Mode())}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		e.UID, e.GID = int(st.Uid), int(st.Gid)
	}
	switch {
	case fi.IsDir():
		e.Typeflag = tar.TypeDir
	case fi.Mode()&fs.ModeSymlink != 0:
		e.Typeflag = tar.TypeSymlink
		e.Linkname, err = os.Readlink("/" + name)
	case fi.Mode().IsRegular():
		e.Typeflag = tar.TypeReg
		e.Content, err = os.ReadFile("/" + name)
	}
	return e, err
}

// tarMode is a file mode in tar's form: permissions plus the set-id and
// sticky bits.
func tarMode(m fs.FileMode) int64 {
	mode := int64(m.Perm())
	if m&fs.ModeSetuid != 0 {
		mode |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		mode |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		mode |= 0o1000
	}
	return mode
}
