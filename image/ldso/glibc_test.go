package ldso

import (
	"context"
	"debug/elf"
	"encoding/binary"
	"slices"
	"strings"
	"testing"
)

const (
	glibcInterp = "/lib64/ld-linux-x86-64.so.2"
	multiarch   = "/lib/x86_64-linux-gnu"
)

// debianImage is an image laid out as Debian's: the loader and libc in the
// multiarch directory, /lib64/ld-linux-x86-64.so.2 a link to the loader.
func debianImage() *memFS {
	m := newMemFS()
	m.add(multiarch+"/ld-linux-x86-64.so.2", testELF{soname: "ld-linux-x86-64.so.2",
		defs: []string{"ld-linux-x86-64.so.2", "GLIBC_2.2.5", "GLIBC_2.3", "GLIBC_PRIVATE"}}.build())
	m.symlink(glibcInterp, multiarch+"/ld-linux-x86-64.so.2")
	m.add(multiarch+"/libc.so.6", testELF{soname: "libc.so.6", needed: []string{"ld-linux-x86-64.so.2"},
		needs: map[string][]string{"ld-linux-x86-64.so.2": {"GLIBC_PRIVATE"}},
		defs:  []string{"libc.so.6", "GLIBC_2.2.5", "GLIBC_2.17"}}.build())
	return m
}

// program is a PIE executable with the glibc loader needing the names.
func program(needed ...string) testELF {
	return testELF{interp: glibcInterp, needed: needed, flags1: uint64(elf.DF_1_PIE)}
}

type resolveCase struct {
	name    string
	fsys    func() *memFS
	cfg     Config // Executable defaults to /app/server
	objects []string
	stderr  string
	exit    int
	err     string
	check   func(t *testing.T, r *Result)
}

func runResolveCases(t *testing.T, cases []resolveCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			if cfg.Executable == "" {
				cfg.Executable = "/app/server"
			}
			r, err := Resolve(context.Background(), tc.fsys(), cfg)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			var objs []string
			for _, o := range r.Objects {
				objs = append(objs, o.Name+" => "+o.Path)
			}
			if tc.objects != nil && !slices.Equal(objs, tc.objects) {
				t.Errorf("objects\n got %q\nwant %q", objs, tc.objects)
			}
			if got := r.Stderr(); got != tc.stderr {
				t.Errorf("stderr\n got %q\nwant %q", got, tc.stderr)
			}
			if got := r.ExitCode(); got != tc.exit {
				t.Errorf("exit code %d, want %d", got, tc.exit)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestResolveGlibc(t *testing.T) {
	with := func(edit func(m *memFS)) func() *memFS {
		return func() *memFS { m := debianImage(); edit(m); return m }
	}
	notFound := "server: error while loading shared libraries: libssl.so.3: cannot open shared object file: No such file or directory\n"
	runResolveCases(t, []resolveCase{
		{name: "default directories", fsys: with(func(m *memFS) {
			m.add("/app/server", program("libssl.so.3", "libc.so.6").build())
			m.add("/usr/lib/x86_64-linux-gnu/libssl.so.3", testELF{soname: "libssl.so.3", needed: []string{"libc.so.6"}}.build())
		}), objects: []string{"/app/server => /app/server", "libssl.so.3 => /usr/lib/x86_64-linux-gnu/libssl.so.3",
			"libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6", glibcInterp + " => " + glibcInterp}},
		{name: "missing library", cfg: Config{Argv0: "server"}, fsys: with(func(m *memFS) {
			m.add("/app/server", program("libssl.so.3", "libc.so.6").build())
		}), stderr: notFound, exit: 127, check: func(t *testing.T, r *Result) {
			want := []string{multiarch + "/libssl.so.3", "/usr/lib/x86_64-linux-gnu/libssl.so.3", "/lib/libssl.so.3", "/usr/lib/libssl.so.3"}
			if f := r.Failures[0]; !slices.Equal(f.Searched, want) || f.NeededBy != "/app/server" || f.Kind != FailNotFound || !f.Exact {
				t.Errorf("failure %+v, want searched %q", f, want)
			}
		}},
		{name: "upstream layout searches /lib64 and /usr/lib64 only", fsys: func() *memFS {
			m := newMemFS()
			m.add(glibcInterp, testELF{soname: "ld-linux-x86-64.so.2"}.build())
			m.add("/usr/lib64/libc.so.6", testELF{soname: "libc.so.6"}.build())
			m.add("/usr/lib/libssl.so.3", testELF{soname: "libssl.so.3"}.build())
			m.add("/app/server", program("libc.so.6", "libssl.so.3").build())
			return m
		}, stderr: strings.Replace(notFound, "server", "/app/server", 1), exit: 127},
		{name: "other class only", fsys: with(func(m *memFS) {
			m.add("/app/server", program("libssl.so.3").build())
			m.add("/usr/lib/x86_64-linux-gnu/libssl.so.3", testELF{class: 32, machine: elf.EM_386}.build())
		}), stderr: "/app/server: error while loading shared libraries: libssl.so.3: wrong ELF class: ELFCLASS32\n", exit: 127,
			check: func(t *testing.T, r *Result) {
				if f := r.Failures[0]; f.Kind != FailWrongClass || len(f.Skipped) != 1 || !strings.Contains(f.Skipped[0].Reason, "ELFCLASS32") {
					t.Errorf("failure %+v", f)
				}
			}},
		{name: "other machine skipped for the next directory", fsys: with(func(m *memFS) {
			m.add("/app/server", program("libssl.so.3").build())
			m.add(multiarch+"/libssl.so.3", testELF{machine: elf.EM_AARCH64}.build())
			m.add("/usr/lib/libssl.so.3", testELF{}.build())
		}), objects: []string{"/app/server => /app/server", "libssl.so.3 => /usr/lib/libssl.so.3", glibcInterp + " => " + glibcInterp}},
		{name: "version not found", fsys: with(func(m *memFS) {
			m.add("/app/server", program("libc.so.6").with(func(e *testELF) {
				e.needs = map[string][]string{"libc.so.6": {"GLIBC_2.2.5", "GLIBC_2.34"}}
			}).build())
		}), stderr: "/app/server: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found (required by /app/server)\n", exit: 1,
			check: func(t *testing.T, r *Result) {
				if f := r.Failures[0]; f.Kind != FailVersion || f.Version != "GLIBC_2.34" || f.Library != multiarch+"/libc.so.6" {
					t.Errorf("failure %+v", f)
				}
			}},
		{name: "weak version only warns", fsys: with(func(m *memFS) {
			m.add("/app/server", program("libc.so.6").with(func(e *testELF) {
				e.needs, e.weak = map[string][]string{"libc.so.6": {"GLIBC_2.99"}}, true
			}).build())
		}), check: func(t *testing.T, r *Result) {
			if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "weak version `GLIBC_2.99' not found") {
				t.Errorf("warnings %q", r.Warnings)
			}
		}},
		{name: "ld.so.cache entry outside the default directories", fsys: with(func(m *memFS) {
			m.add("/app/server", program("libfoo.so.1").build())
			m.add("/opt/foo/libfoo.so.1", testELF{soname: "libfoo.so.1"}.build())
			m.add("/etc/ld.so.cache", ldCacheFile("libfoo.so.1", "/opt/foo/libfoo.so.1"))
		}), objects: []string{"/app/server => /app/server", "libfoo.so.1 => /opt/foo/libfoo.so.1", glibcInterp + " => " + glibcInterp},
			check: func(t *testing.T, r *Result) {
				if r.Objects[1].Via != SourceCache {
					t.Errorf("found via %s", r.Objects[1].Via)
				}
			}},
		{name: "NODEFLIB ignores cache entries in default directories", fsys: with(func(m *memFS) {
			m.add("/app/server", program("libc.so.6").with(func(e *testELF) { e.flags1 |= uint64(elf.DF_1_NODEFLIB) }).build())
			m.add("/etc/ld.so.cache", ldCacheFile("libc.so.6", multiarch+"/libc.so.6"))
		}), stderr: "/app/server: error while loading shared libraries: libc.so.6: cannot open shared object file: No such file or directory\n", exit: 127},
		{name: "$LIB and $ORIGIN in DT_RPATH", fsys: with(func(m *memFS) {
			m.add("/app/bin/server", program("libfoo.so", "libbar.so").with(func(e *testELF) { e.rpath = "/opt/$LIB:${ORIGIN}/../lib" }).build())
			m.add("/opt/lib/x86_64-linux-gnu/libfoo.so", testELF{}.build())
			m.add("/app/lib/libbar.so", testELF{}.build())
		}), cfg: Config{Executable: "/app/bin/server"}, objects: []string{"/app/bin/server => /app/bin/server",
			"libfoo.so => /opt/lib/x86_64-linux-gnu/libfoo.so", "libbar.so => /app/bin/../lib/libbar.so", glibcInterp + " => " + glibcInterp}},
		{name: "unreadable library is passed over", cfg: Config{User: &Credentials{UID: 1000, GID: 1000}}, fsys: with(func(m *memFS) {
			m.add("/app/server", program("libssl.so.3").build())
			m.add(multiarch+"/libssl.so.3", testELF{}.build())
			m.files[multiarch+"/libssl.so.3"].mode = 0o600
		}), stderr: "/app/server: error while loading shared libraries: libssl.so.3: cannot open shared object file: No such file or directory\n", exit: 127,
			check: func(t *testing.T, r *Result) {
				if f := r.Failures[0]; len(f.Skipped) != 1 || f.Skipped[0].Reason != "permission denied" {
					t.Errorf("failure %+v", f)
				}
			}},
		{name: "missing interpreter", fsys: func() *memFS { return newMemFS().add("/app/server", program().build()) },
			exit: 127, stderr: "/app/server: program interpreter " + glibcInterp + ": No such file or directory\n"},
		{name: "static executable: only its headers are read", fsys: func() *memFS {
			big := append(testELF{etype: elf.ET_EXEC}.build(), make([]byte, 1<<20)...)
			return newMemFS().add("/app/server", big)
		}, objects: []string{"/app/server => /app/server"}, check: func(t *testing.T, r *Result) {
			if len(r.Reads) != 1 || r.Reads[0].Bytes != firstRead || r.Loader != "" {
				t.Errorf("reads %+v, loader %q", r.Reads, r.Loader)
			}
		}},
		{name: "interpreter not executable by the user", cfg: Config{User: &Credentials{UID: 1000}}, fsys: with(func(m *memFS) {
			m.add("/app/server", program().build())
			m.files[multiarch+"/ld-linux-x86-64.so.2"].mode = 0o644
		}), exit: 127, stderr: "/app/server: program interpreter " + glibcInterp + ": Permission denied\n"},
		{name: "unknown loader", fsys: func() *memFS {
			return newMemFS().add("/app/server", testELF{interp: "/lib/ld-other.so"}.build()).add("/lib/ld-other.so", testELF{}.build())
		}, err: "neither glibc's nor musl's"},
		{name: "file system failure", fsys: with(func(m *memFS) {
			m.add("/app/server", program("libssl.so.3").build())
			m.failOn = multiarch + "/libssl.so.3"
		}), err: "input/output error"},
		{name: "object limit", cfg: Config{MaxObjects: 3}, fsys: with(func(m *memFS) {
			m.add("/app/server", program("liba.so", "libb.so").build())
			m.add("/usr/lib/liba.so", testELF{}.build())
			m.add("/usr/lib/libb.so", testELF{}.build())
		}), err: "more than 3 objects"},
		{name: "lookup limit", cfg: Config{MaxLookups: 5}, fsys: with(func(m *memFS) {
			m.add("/app/server", program("libssl.so.3").build())
		}), err: "more than 5 file lookups"},
		{name: "read limit", cfg: Config{MaxReadBytes: 100}, fsys: with(func(m *memFS) {
			m.add("/app/server", program().build())
		}), err: "limit of 100 bytes read"},
		{name: "malformed library", fsys: with(func(m *memFS) {
			m.add("/app/server", program("libbad.so").build())
			bad := testELF{needed: []string{"x"}}.build()
			binary.LittleEndian.PutUint64(bad[len(bad)-24:], 1<<40) // DT_STRSZ, before DT_NULL: past the file
			m.add("/usr/lib/libbad.so", bad)
		}), err: "malformed ELF file"},
	})
}

// with returns e changed by edit.
func (e testELF) with(edit func(e *testELF)) testELF {
	edit(&e)
	return e
}
