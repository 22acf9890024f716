package runctest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// UnpackRootfs unpacks the layers of the image tagged tag in an OCI layout
// into dir (which must not exist yet) with umoci raw unpack, for bundles
// that share one root file system (BundleOnRootfs): images that differ
// only in their configuration, or one image run as several users, then
// cost one unpacking.
func UnpackRootfs(t testing.TB, layoutDir, tag, dir string) {
	t.Helper()
	Command(t, 2*time.Minute, "umoci", "raw", "unpack", "--image", layoutDir+":"+tag, dir)
}

// BundleOnRootfs makes a bundle in dir (created) whose config.json is the
// runtime config umoci raw runtime-config makes of the image tagged tag,
// the image's user resolved against rootfs's /etc/passwd and /etc/group as
// docker create resolves it, and whose root is rootfs (made absolute;
// runc only adds mount points to it, so bundles can share it). The error
// carries umoci's output: a user name the image does not define fails
// here with "unable to find user NAME: no matching entries in passwd
// file", the message the runtime's user lookup gives at container
// creation.
func BundleOnRootfs(layoutDir, tag, rootfs, dir string) (*Bundle, error) {
	root, err := filepath.Abs(rootfs)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	config := filepath.Join(dir, "config.json")
	if out, err := CommandErr(time.Minute, "umoci", "raw", "runtime-config",
		"--image", layoutDir+":"+tag, "--rootfs", root, config); err != nil {
		return nil, fmt.Errorf("umoci raw runtime-config of %s:%s: %w\n%s", layoutDir, tag, err, out)
	}
	b := &Bundle{Dir: dir}
	raw, err := os.ReadFile(config)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &b.spec); err != nil {
		return nil, fmt.Errorf("bundle config.json: %w", err)
	}
	b.spec["root"] = map[string]any{"path": root}
	b.prepare()
	return b, nil
}

// TagWithUser tags as newTag, in the same layout, the image tagged tag
// with its configured user replaced by user (umoci config --config.user):
// what a task definition's user does to the image's USER.
func TagWithUser(t testing.TB, layoutDir, tag, newTag, user string) {
	t.Helper()
	Command(t, time.Minute, "umoci", "config", "--image", layoutDir+":"+tag, "--tag", newTag, "--config.user", user)
}
