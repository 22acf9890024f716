package ldso

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// hostFS serves this machine's own root file system through FS, so that
// the emulation can be compared with the real loader running the same
// files. The kernel resolves the paths, as it does for the loader.
type hostFS struct{}

func (hostFS) Stat(_ context.Context, name string) (FileInfo, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return FileInfo{}, err
	}
	resolved, err := filepath.EvalSymlinks(name)
	if err != nil {
		return FileInfo{}, err
	}
	info := FileInfo{Mode: fi.Mode(), Size: fi.Size(), Resolved: resolved}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		info.UID, info.GID = int(st.Uid), int(st.Gid)
		info.ID = fmt.Sprintf("%d:%d", st.Dev, st.Ino)
	}
	return info, nil
}

func (hostFS) ReadPrefix(_ context.Context, name string, n int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, n))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return b, nil
}

var _ FS = hostFS{}
