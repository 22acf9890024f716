package ldso

import (
	"context"
	"testing"
)

// FuzzResolveLibrary puts arbitrary bytes where a program's library is
// found, under glibc and under musl: the emulation must answer (a result
// or an error), never panic or loop.
func FuzzResolveLibrary(f *testing.F) {
	f.Add(testELF{soname: "libfoo.so", needed: []string{"libc.so.6"}}.build())
	f.Add(testELF{class: 32}.build())
	f.Add(testELF{needs: map[string][]string{"libc.so.6": {"GLIBC_2.99"}}, defs: []string{"libfoo.so", "FOO_1"}, runpath: "$ORIGIN:$LIB"}.build())
	f.Add([]byte("\x7fELF"))
	f.Fuzz(func(t *testing.T, lib []byte) {
		if len(lib) > 64<<10 {
			return
		}
		for _, image := range []func() *memFS{debianImage, alpineImage} {
			m := image()
			interp := glibcInterp
			if m.files[muslInterp] != nil {
				interp = muslInterp
			}
			m.add("/app/server", testELF{interp: interp, needed: []string{"libfoo.so", "libc.so.6"}}.build())
			m.add("/usr/lib/libfoo.so", lib)
			m.add("/lib/libfoo.so", lib)
			r, err := Resolve(context.Background(), m, Config{Executable: "/app/server", MaxLookups: 1000})
			if err == nil {
				_ = r.Stderr()
				_ = r.ExitCode()
			}
		}
	})
}
