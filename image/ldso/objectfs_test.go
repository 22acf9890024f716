package ldso

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/imgcheck/imgcheck/image/binfmt"
)

// sparseHostFS is hostFS serving ELF objects as a layer pass keeps them:
// the ELF header and binfmt.ELFExtents hold the file's bytes, every other
// byte is garbage. Configuration files come whole through ReadPrefix.
type sparseHostFS struct {
	hostFS
	objects *int // ReadObject calls
}

func (s sparseHostFS) ReadObject(ctx context.Context, name string, n int64) ([]byte, error) {
	*s.objects++
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	ext, need := binfmt.ELFExtents(data, int64(len(data)))
	if need != 0 {
		return nil, os.ErrInvalid
	}
	out := make([]byte, min(n, int64(len(data))))
	for i := range out {
		out[i] = 0xa5
	}
	copy(out, data[:min(64, len(out))])
	for _, e := range ext {
		if e.Off < int64(len(out)) {
			copy(out[e.Off:], data[e.Off:min(e.End(), int64(len(out)))])
		}
	}
	return out, nil
}

func TestObjectFSGivesTheSameResult(t *testing.T) {
	dir := t.TempDir()
	mathZlib := gcc(t, dir, "mathzlib", mathZlibProgram, "-lm", "/lib/x86_64-linux-gnu/libz.so.1")
	exes := []string{"/bin/ls", mathZlib}
	for _, p := range []string{"/usr/bin/ssh", "/usr/bin/git", "/usr/bin/python3", "/usr/bin/curl"} {
		if _, err := os.Stat(p); err == nil {
			exes = append(exes, p)
		}
	}
	for _, exe := range exes {
		t.Run(filepath.Base(exe), func(t *testing.T) {
			ctx := context.Background()
			want, err := Resolve(ctx, hostFS{}, Config{Executable: exe})
			if err != nil {
				t.Fatal(err)
			}
			calls := 0
			got, err := Resolve(ctx, sparseHostFS{objects: &calls}, Config{Executable: exe})
			if err != nil {
				t.Fatal(err)
			}
			if calls == 0 {
				t.Fatal("no object was read through ReadObject")
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("sparse objects give\n%+v\nthe whole files\n%+v", got, want)
			}
		})
	}
}
