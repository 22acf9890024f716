package ldso

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	barLibrary = "int bar(void) { return 1; }\n"
	// fooNeedsBar is a libfoo whose foo calls bar from libbar.
	fooNeedsBar = "int bar(void);\nint foo(void) { return bar() + 41; }\n"
)

// searchFixture is a tree of programs and libraries exercising glibc's
// search order: dir/a/libfoo.so needs libbar.so, which lives in dir/b.
type searchFixture struct {
	dir, a, b string
}

func newSearchFixture(t *testing.T) searchFixture {
	t.Helper()
	f := searchFixture{dir: t.TempDir()}
	f.a, f.b = filepath.Join(f.dir, "a"), filepath.Join(f.dir, "b")
	for _, d := range []string{f.a, f.b} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	gcc(t, f.b, "libbar.so", barLibrary, "-shared", "-fPIC")
	gcc(t, f.a, "libfoo.so", fooNeedsBar, "-shared", "-fPIC", "-L"+f.b, "-lbar")
	return f
}

// TestSearchOrderMatchesRealLoader builds programs whose libraries are
// found, or not, depending on the rules of glibc's search order, and
// compares the emulation with the real loader: what it loads (listed) or
// what it prints and exits with (run).
func TestSearchOrderMatchesRealLoader(t *testing.T) {
	f := newSearchFixture(t)
	link := []string{"-L" + f.a, "-lfoo", "-Wl,-rpath-link," + f.b}
	tests := []struct {
		name     string
		ldflags  []string
		env      []string
		wantFail bool
	}{
		// DT_RPATH of the program is searched for its libraries' needs too.
		{name: "rpath reaches indirect dependencies", ldflags: []string{"-Wl,--disable-new-dtags", "-Wl,-rpath," + f.a + ":" + f.b}},
		// DT_RUNPATH is searched only for the object's own needs.
		{name: "runpath does not", ldflags: []string{"-Wl,--enable-new-dtags", "-Wl,-rpath," + f.a + ":" + f.b}, wantFail: true},
		{name: "runpath with LD_LIBRARY_PATH", ldflags: []string{"-Wl,--enable-new-dtags", "-Wl,-rpath," + f.a},
			env: []string{"LD_LIBRARY_PATH=" + f.b}},
		// DF_1_NODEFLIB: neither the cache's system entries nor the default directories.
		{name: "nodefaultlib", ldflags: []string{"-Wl,-z,nodefaultlib", "-Wl,-rpath," + f.a + ":" + f.b}, wantFail: true},
		{name: "missing preload is ignored", ldflags: []string{"-Wl,-rpath," + f.a + ":" + f.b, "-Wl,--disable-new-dtags"},
			env: []string{"LD_PRELOAD=libnothere.so"}},
		{name: "preload found", ldflags: []string{"-Wl,-rpath," + f.a + ":" + f.b, "-Wl,--disable-new-dtags"},
			env: []string{"LD_PRELOAD=" + filepath.Join(f.b, "libbar.so")}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := gcc(t, f.dir, "app"+string(rune('0'+i)), fooProgram, append(slices.Clone(link), tt.ldflags...)...)
			res, err := Resolve(context.Background(), hostFS{}, Config{Executable: app, Env: tt.env})
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if (len(res.Failures) > 0) != tt.wantFail {
				t.Fatalf("failures %+v, want failure: %v", res.Failures, tt.wantFail)
			}
			stderr, code := realRun(t, app, tt.env)
			got := res.Stderr()
			if len(res.Warnings) > 0 {
				got = strings.Join(res.Warnings, "\n") + "\n" + got
			}
			if got != stderr || res.ExitCode() != code {
				t.Errorf("run differs from the real loader\n got: %q exit %d\nwant: %q exit %d", got, res.ExitCode(), stderr, code)
			}
			if tt.wantFail {
				return
			}
			if want, got := realLoaderList(t, app, tt.env), emulatedList(res); !slices.Equal(got, want) {
				t.Errorf("objects differ from the real loader\n got: %q\nwant: %q", got, want)
			}
		})
	}
}

// TestNeededPathWithSlash links a library by path (no soname), so that
// DT_NEEDED holds a path the loader opens directly.
func TestNeededPathWithSlash(t *testing.T) {
	f := newSearchFixture(t)
	lib := filepath.Join(f.b, "libbar.so")
	app := gcc(t, f.dir, "app", "int bar(void);\nint main(void) { return bar() - 1; }\n", lib)
	res, err := Resolve(context.Background(), hostFS{}, Config{Executable: app})
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if want, got := realLoaderList(t, app, nil), emulatedList(res); !slices.Equal(got, want) {
		t.Errorf("objects differ from the real loader\n got: %q\nwant: %q", got, want)
	}
	if res.Objects[1].Via != SourcePath || res.Objects[1].Path != lib {
		t.Errorf("object %+v, want %s opened as a path", res.Objects[1], lib)
	}
}
