package runctest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBundlesShareARootfs: two bundles on one unpacked root file system
// run, each as the user its image config says; a user name the image does
// not define fails where docker create fails, with the same message.
func TestBundlesShareARootfs(t *testing.T) {
	Require(t, "runc", "umoci")
	layoutDir := buildHelloImage(t)
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	UnpackRootfs(t, layoutDir, "hello", rootfs)
	TagWithUser(t, layoutDir, "hello", "hello-1000", "1000:1000")
	TagWithUser(t, layoutDir, "hello", "hello-nosuch", "nosuch")

	tests := []struct {
		tag      string
		uid      float64
		errorHas string
	}{
		{tag: "hello", uid: 0},
		{tag: "hello-1000", uid: 1000},
		{tag: "hello-nosuch", errorHas: "unable to find user nosuch: no matching entries in passwd file"},
	}
	for i, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			b, err := BundleOnRootfs(layoutDir, tt.tag, rootfs, filepath.Join(t.TempDir(), "bundle"))
			if tt.errorHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errorHas) {
					t.Fatalf("error %v, want one with %q", err, tt.errorHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.Rootfs() != rootfs {
				t.Errorf("rootfs %s, want the shared %s", b.Rootfs(), rootfs)
			}
			if user, _ := b.process()["user"].(map[string]any); user["uid"] != tt.uid {
				t.Errorf("process user %v, want uid %v", user, tt.uid)
			}
			res := b.Run(t, fmt.Sprintf("rt-shared-%d-%d", os.Getpid(), i), 30*time.Second)
			if res.ExitCode != 3 || !strings.Contains(res.Output, "hello from /app/hello") {
				t.Errorf("exit %d, output %q; want exit 3 and the greeting", res.ExitCode, res.Output)
			}
		})
	}
}
