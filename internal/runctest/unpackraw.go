package runctest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// UnpackRaw is Unpack without the mtree manifest that umoci unpack writes
// for umoci repack: making it hashes every file of the root file system,
// which on a Debian tree (or busybox's hundreds of hard links to one
// binary) costs more than the unpacking. The bundle is the same: the root
// file system from umoci raw unpack and the config.json from umoci raw
// runtime-config, which umoci unpack also uses.
func UnpackRaw(t testing.TB, layoutDir, tag string) *Bundle {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	image := layoutDir + ":" + tag
	rootfs, config := filepath.Join(dir, "rootfs"), filepath.Join(dir, "config.json")
	Command(t, 2*time.Minute, "umoci", "raw", "unpack", "--image", image, rootfs)
	Command(t, time.Minute, "umoci", "raw", "runtime-config", "--image", image, "--rootfs", rootfs, config)
	b := &Bundle{Dir: dir}
	raw, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &b.spec); err != nil {
		t.Fatalf("bundle config.json: %v", err)
	}
	b.prepare()
	return b
}
