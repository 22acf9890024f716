package realimages

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

// makeSmallTree writes a tree with what packTree must keep: a hard link,
// a symlink, a setuid file owned by another user, an empty directory.
func makeSmallTree(root string) error {
	for _, d := range []string{"bin", "etc", "empty"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "tool"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		return err
	}
	if err := os.Link(filepath.Join(root, "bin", "tool"), filepath.Join(root, "bin", "alias")); err != nil {
		return err
	}
	if err := os.Symlink("../bin/tool", filepath.Join(root, "etc", "tool")); err != nil {
		return err
	}
	suid := filepath.Join(root, "bin", "suid")
	if err := os.WriteFile(suid, []byte("x"), 0o755); err != nil {
		return err
	}
	if err := os.Chown(suid, 1234, 42); err != nil {
		return err
	}
	return os.Chmod(suid, 0o755|os.ModeSetuid)
}

func TestCachedTreeKeepsTheTreeAndBuildsOnce(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test chowns files: run it as root, as CI does")
	}
	dir := t.TempDir()
	var builds atomic.Int32
	build := func(root string) error {
		builds.Add(1)
		return makeSmallTree(root)
	}
	var wg sync.WaitGroup
	entries := make([]cacheEntry, 4)
	for i := range entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			entries[i], _, err = cachedTree(dir, "small-r1", build)
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Errorf("built %d times, want once", n)
	}
	for _, e := range entries[1:] {
		if e.Digest != entries[0].Digest {
			t.Errorf("callers got different layers: %s and %s", e.Digest, entries[0].Digest)
		}
	}
	e, built, err := cachedTree(dir, "small-r1", func(string) error { return errors.New("must not build again") })
	if err != nil || built {
		t.Fatalf("second call: built %v, %v", built, err)
	}
	if want := map[string]string{"bin/tool": "bin/alias"}; e.HardLinks["bin/tool"] != "bin/alias" {
		t.Errorf("hard links %v, want %v", e.HardLinks, want)
	}
	layer, err := newFileLayer(dir, e)
	if err != nil {
		t.Fatal(err)
	}
	checkDigests(t, layer)
	checkEntries(t, layer)
}

func checkDigests(t *testing.T, l *fileLayer) {
	t.Helper()
	for _, c := range []struct {
		name string
		open func() (io.ReadCloser, error)
		want func() string
	}{
		{"digest", l.Compressed, func() string { h, _ := l.Digest(); return h.Hex }},
		{"diffID", l.Uncompressed, func() string { h, _ := l.DiffID(); return h.Hex }},
	} {
		rc, err := c.open()
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		if _, err := io.Copy(h, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		if got := hex.EncodeToString(h.Sum(nil)); got != c.want() {
			t.Errorf("%s recorded %s, content hashes to %s", c.name, c.want(), got)
		}
	}
}

func checkEntries(t *testing.T, l *fileLayer) {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got := map[string]*tar.Header{}
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got[hdr.Name] = hdr
	}
	for _, c := range []struct {
		name     string
		typeflag byte
		mode     int64
		uid, gid int
		link     string
	}{
		{"bin/", tar.TypeDir, 0o755, 0, 0, ""},
		{"bin/alias", tar.TypeReg, 0o755, 0, 0, ""},
		{"bin/tool", tar.TypeLink, 0o755, 0, 0, "bin/alias"},
		{"bin/suid", tar.TypeReg, 0o4755, 1234, 42, ""},
		{"etc/tool", tar.TypeSymlink, 0o777, 0, 0, "../bin/tool"},
		{"empty/", tar.TypeDir, 0o755, 0, 0, ""},
	} {
		h := got[c.name]
		if h == nil {
			t.Errorf("%s missing from the layer (has %d entries)", c.name, len(got))
			continue
		}
		if h.Typeflag != c.typeflag || h.Mode != c.mode || h.Uid != c.uid || h.Gid != c.gid || h.Linkname != c.link {
			t.Errorf("%s: type %c mode %o owner %d:%d link %q; want %c %o %d:%d %q",
				c.name, h.Typeflag, h.Mode, h.Uid, h.Gid, h.Linkname, c.typeflag, c.mode, c.uid, c.gid, c.link)
		}
	}
}

func TestCachedTreeRecordsNothingWhenTheBuildFails(t *testing.T) {
	dir := t.TempDir()
	_, built, err := cachedTree(dir, "broken-r1", func(root string) error {
		if err := makeSmallTree(root); err != nil {
			return err
		}
		return errors.New("debootstrap failed halfway")
	})
	if err == nil || built {
		t.Fatalf("built %v, err %v; want the build's error", built, err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "broken-r1*"))
	if len(left) != 1 || filepath.Base(left[0]) != "broken-r1.lock" {
		t.Errorf("left behind %v, want only the lock file", left)
	}
	if _, built, err := cachedTree(dir, "broken-r1", makeSmallTree); err != nil || !built {
		t.Errorf("the next call: built %v, err %v; want a fresh build", built, err)
	}
}
