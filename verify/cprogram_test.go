package verify

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// C fixtures for the loader rules: small programs and libraries built
// with gcc (musl-gcc, aarch64-linux-gnu-gcc) and the host's own glibc
// loader and libc.so.6, so the images hold real ELF objects.

const fooLibrary = `int foo(void) { return 42; }
`

const fooProgram = `int foo(void);
int main(void) { return foo() == 42 ? 0 : 1; }
`

// fooVersions2 defines FOO_1.0 and FOO_2.0, foo in the newer; programs
// linked against it need FOO_2.0.
const (
	fooVersions2 = "FOO_1.0 { local: *; };\nFOO_2.0 { global: foo; } FOO_1.0;\n"
	fooVersions1 = "FOO_1.0 { global: foo; local: *; };\n"
)

// cc compiles src with compiler into a file of dir and returns its bytes.
func cc(t *testing.T, compiler, dir, out, src string, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath(compiler); err != nil {
		t.Fatalf("%s is needed to build the loader fixtures (.ci/install-tools installs it): %v", compiler, err)
	}
	srcPath := filepath.Join(dir, out+".c")
	if err := os.WriteFile(srcPath, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	outPath := filepath.Join(dir, out)
	cmd := exec.Command(compiler, append([]string{"-o", outPath, srcPath}, args...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, b)
	}
	b, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fooLib builds libfoo.so with compiler and a version script ("" for none).
func fooLib(t *testing.T, compiler, dir, script string) []byte {
	t.Helper()
	args := []string{"-shared", "-fPIC", "-Wl,-soname,libfoo.so"}
	if script != "" {
		mapFile := filepath.Join(dir, "foo.map")
		if err := os.WriteFile(mapFile, []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-Wl,--version-script,"+mapFile)
	}
	return cc(t, compiler, dir, "libfoo.so", fooLibrary, args...)
}

// fooApp builds a program needing libfoo.so (linked against the libfoo.so
// in dir) with compiler.
func fooApp(t *testing.T, compiler, dir string) []byte {
	t.Helper()
	return cc(t, compiler, dir, "app", fooProgram, "-L"+dir, "-lfoo")
}

// hostFile reads a file of this machine, through symlinks.
func hostFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("reading the host's %s: %v", name, err)
	}
	return b
}

// multiarch is Debian's library directory on amd64.
const multiarch = "lib/x86_64-linux-gnu"

// glibcBase is a Debian-like glibc base: the loader in the multiarch
// directory (mode ldMode) with /lib64's symlink to it, and libc.so.6.
func glibcBase(t *testing.T, ldMode int64) []imagetest.Entry {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		t.Fatalf("the glibc fixtures copy the host's amd64 glibc; this host is %s", runtime.GOARCH)
	}
	return []imagetest.Entry{
		imagetest.Dir("lib"), imagetest.Dir(multiarch),
		imagetest.File(multiarch+"/ld-linux-x86-64.so.2", ldMode, hostFile(t, "/lib64/ld-linux-x86-64.so.2")),
		imagetest.File(multiarch+"/libc.so.6", 0o755, hostFile(t, "/lib/x86_64-linux-gnu/libc.so.6")),
		imagetest.Dir("lib64"), imagetest.Symlink("lib64/ld-linux-x86-64.so.2", "/"+multiarch+"/ld-linux-x86-64.so.2"),
	}
}

// muslBase is an Alpine-like musl base: the loader, which is also libc.
func muslBase(t *testing.T) []imagetest.Entry {
	t.Helper()
	return []imagetest.Entry{imagetest.Dir("lib"), imagetest.File("lib/ld-musl-x86_64.so.1", 0o755, hostFile(t, "/lib/ld-musl-x86_64.so.1"))}
}
