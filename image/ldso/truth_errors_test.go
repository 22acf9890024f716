package ldso

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// realRun starts exe with env and returns what it printed on standard
// error and its exit status.
func realRun(t *testing.T, exe string, env []string) (stderr string, code int) {
	t.Helper()
	cmd := exec.Command(exe)
	cmd.Env = env
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return errb.String(), 0
	case errors.As(err, &exit):
		return errb.String(), exit.ExitCode()
	}
	t.Fatalf("running %s: %v", exe, err)
	return "", 0
}

const (
	fooLibrary = "int foo(void) { return 42; }\n"
	fooProgram = "#include <stdio.h>\nint foo(void);\nint main(void) { printf(\"%d\\n\", foo()); return 0; }\n"
)

// buildFooApp builds dir/lib/libfoo.so and dir/app, which needs it through
// DT_RUNPATH $ORIGIN/lib, and returns the app's path.
func buildFooApp(t *testing.T, dir string) string {
	t.Helper()
	lib := filepath.Join(dir, "lib")
	if err := os.MkdirAll(lib, 0o755); err != nil {
		t.Fatal(err)
	}
	gcc(t, lib, "libfoo.so", fooLibrary, "-shared", "-fPIC")
	return gcc(t, dir, "app", fooProgram, "-L"+lib, "-lfoo", "-Wl,-rpath,$ORIGIN/lib")
}

// TestLoadFailuresMatchRealLoader replaces $ORIGIN/lib/libfoo.so of a
// program with files the loader refuses or passes over, runs the program,
// and compares what the loader printed and the exit status with the
// emulation's.
func TestLoadFailuresMatchRealLoader(t *testing.T) {
	dir := t.TempDir()
	app := buildFooApp(t, dir)
	libPath := filepath.Join(dir, "lib", "libfoo.so")
	good, err := os.ReadFile(libPath)
	if err != nil {
		t.Fatal(err)
	}
	patched := func(edit func([]byte)) []byte {
		b := slices.Clone(good)
		edit(b)
		return b
	}
	pie := gcc(t, dir, "pie", "int main(void) { return 0; }\n", "-fPIE", "-pie")
	tests := []struct {
		name    string
		content func() []byte // nil: no file
		kind    FailureKind
	}{
		{name: "missing", kind: FailNotFound},
		{name: "empty file", content: func() []byte { return nil }, kind: FailBadObject},
		{name: "text file", content: func() []byte { return bytes.Repeat([]byte("not an ELF file\n"), 8) }, kind: FailBadObject},
		{name: "other class", kind: FailWrongClass, content: func() []byte {
			return patched(func(b []byte) { b[4] = 1 })
		}},
		{name: "other machine", kind: FailNotFound, content: func() []byte {
			return patched(func(b []byte) { binary.LittleEndian.PutUint16(b[18:], 183) })
		}},
		{name: "big-endian", kind: FailBadObject, content: func() []byte {
			return patched(func(b []byte) { b[5] = 2 })
		}},
		{name: "nonzero padding", kind: FailBadObject, content: func() []byte {
			return patched(func(b []byte) { b[12] = 1 })
		}},
		{name: "relocatable", kind: FailBadObject, content: func() []byte {
			return patched(func(b []byte) { binary.LittleEndian.PutUint16(b[16:], 1) })
		}},
		{name: "position-independent executable", kind: FailBadObject, content: func() []byte {
			b, err := os.ReadFile(pie)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}},
		{name: "directory", kind: FailBadObject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.RemoveAll(libPath); err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.name == "directory":
				if err := os.Mkdir(libPath, 0o755); err != nil {
					t.Fatal(err)
				}
			case tt.content != nil:
				if err := os.WriteFile(libPath, tt.content(), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			t.Cleanup(func() {
				_ = os.RemoveAll(libPath)
				_ = os.WriteFile(libPath, good, 0o755)
			})
			stderr, code := realRun(t, app, []string{})
			res, err := Resolve(context.Background(), hostFS{}, Config{Executable: app})
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if len(res.Failures) != 1 || res.Failures[0].Kind != tt.kind {
				t.Fatalf("failures %+v, want one of kind %s", res.Failures, tt.kind)
			}
			if got := res.Stderr(); got != stderr {
				t.Errorf("message differs from the real loader\n got: %q\nwant: %q", got, stderr)
			}
			if got := res.ExitCode(); got != code {
				t.Errorf("exit code %d, the real loader %d", got, code)
			}
			if f := res.Failures[0]; !slices.Contains(f.Searched, filepath.Join(dir, "lib", "libfoo.so")) {
				t.Errorf("searched paths %q lack the RUNPATH candidate", f.Searched)
			}
		})
	}
}

// TestResolveFindsOriginRunPath checks the working case of the same
// program, and that LD_LIBRARY_PATH (searched before DT_RUNPATH) wins.
func TestResolveFindsOriginRunPath(t *testing.T) {
	dir := t.TempDir()
	app := buildFooApp(t, dir)
	other := filepath.Join(dir, "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	gcc(t, other, "libfoo.so", fooLibrary, "-shared", "-fPIC")
	for _, env := range [][]string{{}, {"LD_LIBRARY_PATH=/nonexistent::" + other}} {
		want := realLoaderList(t, app, env)
		res, err := Resolve(context.Background(), hostFS{}, Config{Executable: app, Env: env, WorkDir: "/"})
		if err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		if got := emulatedList(res); !slices.Equal(got, want) {
			t.Errorf("env %q: objects differ from the real loader\n got: %q\nwant: %q", env, got, want)
		}
		if strings.Contains(strings.Join(env, ""), other) && res.Objects[1].Via != SourceLibraryPath {
			t.Errorf("env %q: libfoo found via %s, want %s", env, res.Objects[1].Via, SourceLibraryPath)
		}
	}
}
