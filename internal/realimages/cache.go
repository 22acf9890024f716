package realimages

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cacheEntry records one cached layer: its gzip tar (named by digest, so
// a file once written never changes) and what was learnt while making it.
type cacheEntry struct {
	File      string            `json:"file"`
	Digest    string            `json:"digest"`
	DiffID    string            `json:"diffID"`
	Size      int64             `json:"size"`
	Entries   int               `json:"entries"`
	HardLinks map[string]string `json:"hardLinks"` // link name -> target, as in the tar
	BuildTime string            `json:"buildTime"` // how long the cold build took
}

// cacheDir is where built layers are kept between test runs.
func cacheDir(t testing.TB) string {
	t.Helper()
	dir, err := treeCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func treeCacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the user cache directory for test root file systems: %w", err)
	}
	dir := filepath.Join(base, "imgcheck-test")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	return dir, nil
}

// cachedTree returns the cache entry for key in dir, making the tree with
// build (into an empty directory) and packing it when the cache has none;
// built says whether it did.
func cachedTree(dir, key string, build func(root string) error) (e cacheEntry, built bool, err error) {
	if e, ok := readEntry(dir, key); ok {
		return e, false, nil
	}
	unlock, err := lockKey(dir, key)
	if err != nil {
		return e, false, err
	}
	defer unlock()
	if e, ok := readEntry(dir, key); ok { // made by another process while we waited
		return e, false, nil
	}
	removeLeftovers(dir, key)
	start := time.Now()
	root, err := os.MkdirTemp(dir, key+".tree-")
	if err != nil {
		return e, false, err
	}
	defer func() {
		if rerr := removeTree(root); rerr != nil && err == nil {
			err = fmt.Errorf("not removing the tree of %s: %w", key, rerr)
		}
	}()
	if err := build(root); err != nil {
		return e, false, fmt.Errorf("making %s: %w", key, err)
	}
	if e, err = packTree(root, dir, key); err != nil {
		return e, false, fmt.Errorf("packing %s: %w", key, err)
	}
	e.BuildTime = time.Since(start).Round(time.Second).String()
	if err := writeEntry(dir, key, e); err != nil {
		return e, false, fmt.Errorf("recording %s in the cache: %w", key, err)
	}
	return e, true, nil
}

// readEntry reads key's record, if it names a complete layer file.
func readEntry(dir, key string) (cacheEntry, bool) {
	var e cacheEntry
	raw, err := os.ReadFile(filepath.Join(dir, key+".json"))
	if err != nil || json.Unmarshal(raw, &e) != nil {
		return e, false
	}
	fi, err := os.Stat(filepath.Join(dir, e.File))
	return e, err == nil && fi.Size() == e.Size
}

func writeEntry(dir, key string, e cacheEntry) error {
	raw, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	return writeRenamed(filepath.Join(dir, key+".json"), raw)
}

// writeRenamed writes a file under a temporary name and renames it, so a
// reader sees the old file or the whole new one.
func writeRenamed(path string, content []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	_, err = f.Write(content)
	if err == nil {
		err = f.Chmod(0o644) // CreateTemp makes it private
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// lockKey takes an exclusive lock on key, waiting while another process
// builds it, and returns the function that releases it.
func lockKey(dir, key string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, key+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", f.Name(), err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// removeLeftovers deletes what a killed or superseded build of key left
// behind; the caller holds key's lock and key has no valid record, so no
// one is building or reading these.
func removeLeftovers(dir, key string) {
	for _, pattern := range []string{key + ".tree-*", key + ".json.tmp-*", key + "-*.tar.gz*"} {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, m := range matches {
			_ = removeTree(m) // a tree with a mount inside stays
		}
	}
}

// removeTree deletes a tree that debootstrap made, unless something is
// still mounted inside it: debootstrap mounts /proc and /sys there and may
// bind the host's /dev, and deleting through such a mount would delete
// the host's files.
func removeTree(root string) error {
	if err := mountedUnder(root); err != nil {
		return err
	}
	return os.RemoveAll(root)
}

// mountedUnder fails when something is mounted at or inside root.
func mountedUnder(root string) error {
	raw, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && (f[4] == root || strings.HasPrefix(f[4], root+"/")) {
			return fmt.Errorf("%s is mounted", f[4])
		}
	}
	return nil
}
