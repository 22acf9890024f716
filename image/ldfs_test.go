package image

import (
	"bytes"
	"errors"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// loaderImage has what the loader's paths meet: symlinks across layers,
// a hard link, a whiteout, a directory the app user may not search, and a
// symlinked directory that ".." must leave from where it led.
func loaderImage(t *testing.T) *Image {
	lower := imagetest.Layer(t,
		imagetest.Dir("usr"), imagetest.Dir("usr/lib"),
		imagetest.File("usr/lib/libc.so.6", 0o755, []byte("libc")),
		imagetest.Hardlink("usr/lib/libc-link.so", "usr/lib/libc.so.6"),
		imagetest.File("usr/lib/libgone.so", 0o644, []byte("gone")),
		imagetest.Dir("opt"), imagetest.Dir("opt/real"), imagetest.Dir("opt/real/sub"),
		imagetest.File("opt/real/libreal.so", 0o644, []byte("real")),
		imagetest.File("usr/libtop.so", 0o644, []byte("top")),
		owned(Entry700("secret"), 0, 0),
		imagetest.File("secret/libhidden.so", 0o644, []byte("hidden")),
		imagetest.File("notdir", 0o644, []byte("x")),
	)
	upper := imagetest.Layer(t,
		imagetest.Symlink("lib", "usr/lib"),
		imagetest.Symlink("usr/lib/sub", "/opt/real/sub"),
		imagetest.Whiteout("usr/lib/libgone.so"),
		imagetest.Symlink("loop", "loop"),
	)
	return openLayers(t, lower, upper)
}

// Entry700 is a directory only its owner may search.
func Entry700(name string) imagetest.Entry {
	d := imagetest.Dir(name)
	d.Mode = 0o700
	return d
}

func TestLoaderFSResolvesAsTheKernel(t *testing.T) {
	p := loaderImage(t)
	app := Cred{UID: 1000, GID: 1000}
	tests := []struct {
		name     string
		user     *Cred
		resolved string
		errno    syscall.Errno
		size     int64
	}{
		{name: "/lib/libc.so.6", resolved: "/usr/lib/libc.so.6", size: 4},
		{name: "/usr/lib//./libc.so.6", resolved: "/usr/lib/libc.so.6", size: 4},
		{name: "/usr/lib/libc-link.so", resolved: "/usr/lib/libc-link.so", size: 4},
		// ".." after a symlink leaves the directory it led to.
		{name: "/usr/lib/sub/../libreal.so", resolved: "/opt/real/libreal.so", size: 4},
		{name: "/usr/lib/../libtop.so", resolved: "/usr/libtop.so", size: 3},
		{name: "/usr/lib/sub/..", resolved: "/opt/real"},
		{name: "/usr/lib/libgone.so", errno: syscall.ENOENT},
		{name: "/usr/lib/nothing/../libc.so.6", errno: syscall.ENOENT},
		{name: "/notdir/libc.so.6", errno: syscall.ENOTDIR},
		{name: "/notdir/../usr/libtop.so", errno: syscall.ENOTDIR},
		{name: "/loop/libc.so.6", errno: syscall.ELOOP},
		{name: "/secret/libhidden.so", resolved: "/secret/libhidden.so", size: 6},
		{name: "/secret/libhidden.so", user: &app, errno: syscall.EACCES},
		{name: "/secret/missing.so", user: &app, errno: syscall.EACCES},
		{name: "/usr/lib/libc.so.6", user: &app, resolved: "/usr/lib/libc.so.6", size: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := p.LoaderFS(tt.user)
			fi, err := fsys.Stat(t.Context(), tt.name)
			if tt.errno != 0 {
				var errno syscall.Errno
				if !errors.As(err, &errno) || errno != tt.errno {
					t.Fatalf("Stat = %+v, %v; want %v", fi, err, tt.errno)
				}
				wantNotExist := tt.errno != syscall.EACCES
				if errors.Is(err, fs.ErrNotExist) != wantNotExist || errors.Is(err, fs.ErrPermission) == wantNotExist {
					t.Errorf("%v: ErrNotExist %v, ErrPermission %v", err, errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission))
				}
				return
			}
			if err != nil || fi.Resolved != tt.resolved || fi.Size != tt.size {
				t.Fatalf("Stat = %+v, %v; want %s of %d bytes", fi, err, tt.resolved, tt.size)
			}
			if fi.Mode.IsRegular() {
				b, err := fsys.ReadPrefix(t.Context(), tt.name, 100)
				if err != nil || int64(len(b)) != tt.size {
					t.Errorf("ReadPrefix = %q, %v", b, err)
				}
			}
		})
	}
}

func TestLoaderFSHardLinkSharesTheInode(t *testing.T) {
	p := loaderImage(t)
	fsys := p.LoaderFS(nil)
	a, err := fsys.Stat(t.Context(), "/usr/lib/libc.so.6")
	if err != nil {
		t.Fatal(err)
	}
	b, err := fsys.Stat(t.Context(), "/lib/libc-link.so")
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || a.ID != b.ID {
		t.Errorf("IDs %q and %q: a hard link must be the same file to the loader", a.ID, b.ID)
	}
	c, _ := fsys.Stat(t.Context(), "/usr/libtop.so")
	if c.ID == a.ID {
		t.Errorf("two files share ID %q", a.ID)
	}
}

// Reads are the image's counted reads and never return fewer bytes than
// asked of a file that has them (a limit is an error, not a short file).
func TestLoaderFSReadsAreCountedAndBounded(t *testing.T) {
	big := make([]byte, 64<<10)
	imagetest.Random(big, 3)
	img := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64",
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.File("lib/big.so", 0o644, big))}})
	for _, limit := range []int64{0, 1000} {
		src, err := FromImage("big", img, Options{Limits: Limits{MaxFileBytes: limit}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := src.Select(t.Context(), v1.Platform{OS: "linux", Architecture: "amd64"})
		if err != nil {
			t.Fatal(err)
		}
		before := src.Stats().LayerBytes
		b, err := p.LoaderFS(nil).ReadPrefix(t.Context(), "/lib/big.so", 32<<10)
		switch {
		case limit > 0 && (err == nil || !errors.Is(err, ErrLimit)):
			t.Errorf("limit %d: read %d bytes, %v; want ErrLimit", limit, len(b), err)
		case limit == 0 && (err != nil || len(b) != 32<<10 || string(b) != string(big[:32<<10])):
			t.Errorf("read %d bytes, %v", len(b), err)
		case limit == 0 && src.Stats().LayerBytes == before:
			t.Errorf("the read was not counted")
		}
		if err != nil && !strings.Contains(err.Error(), "big.so") {
			t.Errorf("error %v does not name the file", err)
		}
	}
}

// Bytes a read returned stay as they were after the pass moves on to
// later entries (the pass reuses its buffer from entry to entry).
func TestLoaderFSReadOutlivesThePass(t *testing.T) {
	a, b := make([]byte, 3<<10), make([]byte, 3<<10)
	imagetest.Random(a, 1)
	imagetest.Random(b, 2)
	img := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64",
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.File("data/a", 0o644, a), imagetest.File("data/b", 0o644, b))}})
	src, err := FromImage("reuse", img, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := src.Select(t.Context(), v1.Platform{OS: "linux", Architecture: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	fsys := p.LoaderFS(nil)
	gotA, err := fsys.ReadPrefix(t.Context(), "/data/a", int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fsys.ReadPrefix(t.Context(), "/data/b", int64(len(b))); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotA, a) {
		t.Errorf("the content read of /data/a changed once /data/b was read")
	}
}
