//go:build unix

package build

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockLayout takes the layout's exclusive lock (flock on a file inside it),
// waiting for other writers, and returns the function that releases it.
func lockLayout(dir string) (func(), error) {
	path := filepath.Join(dir, layoutLockFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the lock file of OCI layout %s: %w", dir, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking OCI layout %s: %w", dir, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
