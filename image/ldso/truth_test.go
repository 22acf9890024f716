package ldso

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// lddLine matches a line of the loader's list: "\tname => path (0x...)",
// "\tpath (0x...)" or "\tname => not found".
var lddLine = regexp.MustCompile(`^\t(\S+)(?: => (\S+))?(?: \(0x[0-9a-f]+\))?$`)

// realLoaderList starts exe with LD_TRACE_LOADED_OBJECTS=1, so that the
// kernel and the host's loader load it as for a real start but the loader
// lists what it loaded (as ldd does) instead of running it. It returns
// "name => path" for every object, in the loader's order (the vDSO left
// out).
func realLoaderList(t *testing.T, exe string, env []string) []string {
	t.Helper()
	cmd := exec.Command(exe)
	cmd.Env = append([]string{"LD_TRACE_LOADED_OBJECTS=1"}, env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("listing what the loader loads for %s: %v\n%s", exe, err, out)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		m := lddLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("ld.so --list %s: unexpected line %q", exe, line)
		}
		if strings.HasPrefix(m[1], "linux-vdso") {
			continue
		}
		path := m[2]
		if path == "" {
			path = m[1]
		}
		got = append(got, m[1]+" => "+path)
	}
	return got
}

func emulatedList(res *Result) []string {
	var got []string
	for _, o := range res.Objects[1:] {
		got = append(got, o.Name+" => "+o.Path)
	}
	return got
}

// gcc compiles a C source into dir/out with extra arguments, failing the
// test when gcc is missing or fails.
func gcc(t *testing.T, dir, out, src string, args ...string) string {
	t.Helper()
	srcPath := filepath.Join(dir, out+".c")
	if err := os.WriteFile(srcPath, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	outPath := filepath.Join(dir, out)
	cmd := exec.Command("gcc", append([]string{"-o", outPath, srcPath}, args...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcc %s: %v\n%s", strings.Join(cmd.Args, " "), err, b)
	}
	return outPath
}

// mathZlibProgram uses libm and zlib. zlib is linked by the path of its
// runtime library, which every Debian system has, so that the test needs
// no zlib development package.
const mathZlibProgram = `#include <math.h>
#include <stdio.h>
const char *zlibVersion(void);
int main(int argc, char **argv) { printf("%f %s\n", cos((double)argc), zlibVersion()); return 0; }
`

func TestResolveMatchesRealLoader(t *testing.T) {
	dir := t.TempDir()
	mathZlib := gcc(t, dir, "mathzlib", mathZlibProgram, "-lm", "/lib/x86_64-linux-gnu/libz.so.1")
	exes := []string{"/bin/ls", mathZlib}
	for _, p := range []string{"/usr/bin/ssh", "/usr/bin/git", "/usr/bin/python3", "/usr/bin/curl"} {
		if _, err := os.Stat(p); err == nil { // more programs where the machine has them
			exes = append(exes, p)
		}
	}
	for _, exe := range exes {
		t.Run(filepath.Base(exe), func(t *testing.T) {
			want := realLoaderList(t, exe, []string{})
			res, err := Resolve(context.Background(), hostFS{}, Config{Executable: exe})
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if len(res.Failures) > 0 {
				t.Fatalf("failures: %+v", res.Failures)
			}
			if got := emulatedList(res); !slices.Equal(got, want) {
				t.Errorf("objects differ from the real loader\n got: %q\nwant: %q", got, want)
			}
		})
	}
}
