package ldso

import (
	"debug/elf"
	"slices"
	"strings"
	"testing"
)

const muslInterp = "/lib/ld-musl-x86_64.so.1"

// alpineImage is an image laid out as Alpine's: musl's loader, which is
// its libc, under /lib.
func alpineImage() *memFS {
	m := newMemFS()
	m.add("/lib/libc.musl-x86_64.so.1", testELF{soname: "libc.musl-x86_64.so.1"}.build())
	m.symlink(muslInterp, "libc.musl-x86_64.so.1")
	return m
}

func muslProgram(needed ...string) testELF {
	return testELF{interp: muslInterp, needed: needed, flags1: uint64(elf.DF_1_PIE)}
}

func TestResolveMusl(t *testing.T) {
	with := func(edit func(m *memFS)) func() *memFS {
		return func() *memFS { m := alpineImage(); edit(m); return m }
	}
	runResolveCases(t, []resolveCase{
		{name: "default path", fsys: with(func(m *memFS) {
			m.add("/app/server", muslProgram("libssl.so.3", "libc.musl-x86_64.so.1").build())
			m.add("/usr/lib/libssl.so.3", testELF{soname: "libssl.so.3", needed: []string{"libcrypto.so.3", "libc.musl-x86_64.so.1"}}.build())
			m.add("/usr/local/lib/libcrypto.so.3", testELF{soname: "libcrypto.so.3"}.build())
		}), objects: []string{"/app/server => /app/server", "libssl.so.3 => /usr/lib/libssl.so.3",
			"libc.musl-x86_64.so.1 => " + muslInterp, "libcrypto.so.3 => /usr/local/lib/libcrypto.so.3"},
			check: func(t *testing.T, r *Result) {
				if r.Loader != LoaderMusl || r.Objects[2].Via != SourceBuiltin || r.Objects[3].Via != SourceMuslPath {
					t.Errorf("loader %s, objects %+v", r.Loader, r.Objects)
				}
			}},
		{name: "every missing library is reported", fsys: with(func(m *memFS) {
			m.add("/app/server", muslProgram("libssl.so.3", "libz.so.1").build())
		}), exit: 127, stderr: "Error loading shared library libssl.so.3: No such file or directory (needed by /app/server)\n" +
			"Error loading shared library libz.so.1: No such file or directory (needed by /app/server)\n",
			check: func(t *testing.T, r *Result) {
				want := []string{"/lib/libssl.so.3", "/usr/local/lib/libssl.so.3", "/usr/lib/libssl.so.3"}
				if f := r.Failures[0]; !slices.Equal(f.Searched, want) || !f.Exact {
					t.Errorf("failure %+v, want searched %q", f, want)
				}
			}},
		{name: "path file replaces the default", fsys: with(func(m *memFS) {
			m.add("/app/server", muslProgram("libfoo.so").build())
			m.add("/usr/lib/libfoo.so", testELF{}.build())
			m.add("/etc/ld-musl-x86_64.path", []byte("/opt/lib\n/opt/lib2:"))
		}), exit: 127, stderr: "Error loading shared library libfoo.so: No such file or directory (needed by /app/server)\n",
			check: func(t *testing.T, r *Result) {
				if f := r.Failures[0]; !slices.Equal(f.Searched, []string{"/opt/lib/libfoo.so", "/opt/lib2/libfoo.so"}) {
					t.Errorf("searched %q", f.Searched)
				}
			}},
		{name: "LD_LIBRARY_PATH before RUNPATH with $ORIGIN", cfg: Config{Env: []string{"LD_LIBRARY_PATH=/env"}}, fsys: with(func(m *memFS) {
			m.add("/app/server", muslProgram("liba.so", "libb.so").with(func(e *testELF) { e.runpath = "$ORIGIN/lib" }).build())
			m.add("/env/liba.so", testELF{}.build())
			m.add("/app/lib/liba.so", testELF{}.build())
			m.add("/app/lib/libb.so", testELF{}.build())
		}), objects: []string{"/app/server => /app/server", "liba.so => /env/liba.so", "libb.so => /app/lib/libb.so", muslInterp + " => " + muslInterp}},
		{name: "no symbol version checks", fsys: with(func(m *memFS) {
			m.add("/app/server", muslProgram("libc.musl-x86_64.so.1").with(func(e *testELF) {
				e.needs = map[string][]string{"libc.musl-x86_64.so.1": {"GLIBC_2.99"}}
			}).build())
		})},
		{name: "a file that is not a shared object", fsys: with(func(m *memFS) {
			m.add("/app/server", muslProgram("libfoo.so").build())
			m.add("/lib/libfoo.so", []byte(strings.Repeat("x", 100)))
		}), exit: 127, stderr: "Error loading shared library libfoo.so: Exec format error (needed by /app/server)\n"},
		{name: "a library of another machine is mapped anyway", fsys: with(func(m *memFS) {
			m.add("/app/server", muslProgram("libfoo.so").build())
			m.add("/lib/libfoo.so", testELF{machine: elf.EM_AARCH64}.build())
		}), exit: 127, stderr: "Error loading shared library libfoo.so: Exec format error (needed by /app/server)\n",
			check: func(t *testing.T, r *Result) {
				if r.Failures[0].Exact {
					t.Error("a prediction of what musl does with a foreign object is marked exact")
				}
			}},
	})
}

func TestMuslArch(t *testing.T) {
	for base, want := range map[string]string{"ld-musl-x86_64.so.1": "x86_64", "ld-musl-aarch64.so.1": "aarch64", "ld-musl-armhf.so.1": "armhf", "ld-linux.so.2": "", "ld-musl-.so.1": ""} {
		if got, ok := muslArch(base); got != want || ok != (want != "") {
			t.Errorf("muslArch(%q) = %q, %v; want %q", base, got, ok, want)
		}
	}
}
