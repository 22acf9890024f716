package ldso

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The musl truth tests need musl's loader and musl-gcc (Debian's
// musl-tools package).
const muslHostLoader = "/lib/ld-musl-x86_64.so.1"

// muslGCC compiles a C source with musl-gcc into dir/out.
func muslGCC(t *testing.T, dir, out, src string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("musl-gcc"); err != nil {
		t.Fatalf("musl-gcc is needed (Debian package musl-tools): %v", err)
	}
	srcPath := filepath.Join(dir, out+".c")
	if err := os.WriteFile(srcPath, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	outPath := filepath.Join(dir, out)
	cmd := exec.Command("musl-gcc", append([]string{"-o", outPath, srcPath}, args...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, b)
	}
	return outPath
}

// muslList runs musl's loader in list mode and returns "name => path" for
// every object after the loader's own line.
func muslList(t *testing.T, exe string, env []string) []string {
	t.Helper()
	cmd := exec.Command(muslHostLoader, "--list", exe)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s --list %s: %v\n%s", muslHostLoader, exe, err, out)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n")[1:] {
		m := lddLine.FindStringSubmatch(line)
		if m == nil || m[2] == "" {
			t.Fatalf("unexpected list line %q", line)
		}
		got = append(got, m[1]+" => "+m[2])
	}
	return got
}

func TestMuslMatchesRealLoader(t *testing.T) {
	dir := t.TempDir()
	lib, other := filepath.Join(dir, "lib"), filepath.Join(dir, "other")
	for _, d := range []string{lib, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	muslGCC(t, lib, "libfoo.so", fooLibrary, "-shared", "-fPIC")
	muslGCC(t, other, "libfoo.so", fooLibrary, "-shared", "-fPIC")
	app := muslGCC(t, dir, "app", "#include <math.h>\nint foo(void);\nint main(int c, char **v) { return foo() + (int)cos(c) - 43; }\n",
		"-L"+lib, "-lfoo", "-lm", "-Wl,-rpath,$ORIGIN/lib")

	for _, env := range [][]string{{}, {"LD_LIBRARY_PATH=" + other}} {
		want := muslList(t, app, env)
		res, err := Resolve(context.Background(), hostFS{}, Config{Executable: app, Env: env})
		if err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		if res.Loader != LoaderMusl || len(res.Failures) > 0 {
			t.Fatalf("loader %s, failures %+v", res.Loader, res.Failures)
		}
		if got := emulatedList(res); !slices.Equal(got, want) {
			t.Errorf("env %q: objects differ from musl's list\n got: %q\nwant: %q", env, got, want)
		}
	}

	if err := os.Remove(filepath.Join(lib, "libfoo.so")); err != nil {
		t.Fatal(err)
	}
	stderr, code := realRun(t, app, []string{})
	res, err := Resolve(context.Background(), hostFS{}, Config{Executable: app})
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	// musl goes on to relocate and adds a line per unresolved symbol,
	// which the emulation does not predict: its lines come first.
	if got := res.Stderr(); got == "" || !strings.HasPrefix(stderr, got) {
		t.Errorf("musl printed %q, the emulation %q", stderr, got)
	}
	if res.ExitCode() != code {
		t.Errorf("exit code %d, musl's %d", res.ExitCode(), code)
	}
}
