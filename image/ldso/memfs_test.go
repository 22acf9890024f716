package ldso

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"strings"
	"syscall"
)

// memFile is a file, directory or symbolic link of memFS.
type memFile struct {
	data     []byte
	mode     fs.FileMode // permission bits; fs.ModeDir for a directory
	uid, gid int
	link     string // target of a symbolic link
}

// memFS is an image file system in memory for table tests. Directories
// are implied by the files under them; symbolic links resolve as the
// kernel resolves them inside the image root.
type memFS struct {
	files  map[string]*memFile
	failOn string // Stat of this path fails with an I/O error
}

func newMemFS() *memFS { return &memFS{files: map[string]*memFile{}} }

func (m *memFS) add(name string, data []byte) *memFS {
	m.files[name] = &memFile{data: data, mode: 0o755}
	return m
}

func (m *memFS) symlink(name, target string) *memFS {
	m.files[name] = &memFile{link: target}
	return m
}

func (m *memFS) isDir(p string) bool {
	if p == "/" {
		return true
	}
	if f, ok := m.files[p]; ok {
		return f.mode.IsDir()
	}
	for name := range m.files {
		if strings.HasPrefix(name, p+"/") {
			return true
		}
	}
	return false
}

// resolve walks name component by component, following symbolic links.
func (m *memFS) resolve(name string) (string, error) {
	todo := strings.Split(name, "/")
	cur := "/"
	for hops := 0; len(todo) > 0; {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, c)
		if f, ok := m.files[next]; ok && f.link != "" {
			if hops++; hops > 40 {
				return "", syscall.ELOOP
			}
			if path.IsAbs(f.link) {
				cur = "/"
			}
			todo = append(strings.Split(f.link, "/"), todo...)
			continue
		}
		if !m.isDir(cur) {
			if _, ok := m.files[cur]; ok {
				return "", syscall.ENOTDIR
			}
			return "", syscall.ENOENT
		}
		cur = next
	}
	return cur, nil
}

func (m *memFS) Stat(_ context.Context, name string) (FileInfo, error) {
	if name == m.failOn {
		return FileInfo{}, errors.New("input/output error reading the layer")
	}
	p, err := m.resolve(name)
	if err != nil {
		return FileInfo{}, err
	}
	if f, ok := m.files[p]; ok && !f.mode.IsDir() {
		return FileInfo{Mode: f.mode, Size: int64(len(f.data)), UID: f.uid, GID: f.gid, Resolved: p}, nil
	}
	if m.isDir(p) {
		return FileInfo{Mode: fs.ModeDir | 0o755, Resolved: p}, nil
	}
	return FileInfo{}, fs.ErrNotExist
}

func (m *memFS) ReadPrefix(_ context.Context, name string, n int64) ([]byte, error) {
	p, err := m.resolve(name)
	if err != nil {
		return nil, err
	}
	f, ok := m.files[p]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return f.data[:min(int64(len(f.data)), n)], nil
}
