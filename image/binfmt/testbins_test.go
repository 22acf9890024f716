package binfmt

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// testTarget is one real binary the tests build: a Go program
// cross-compiled with GOOS/GOARCH, or a C program built with the host gcc.
type testTarget struct {
	name   string
	goos   string
	goarch string
	env    []string // extra environment, e.g. GOARM=7
	cgo    bool     // Go with CGO_ENABLED=1 (host gcc, dynamic)
	cFlags []string // non-nil: a C program built with gcc and these flags
}

// testTargets is the fixed list of binaries; the tests' expectations are keyed by name.
var testTargets = []testTarget{
	{name: "linux-amd64", goos: "linux", goarch: "amd64"},
	{name: "linux-amd64-v3", goos: "linux", goarch: "amd64", env: []string{"GOAMD64=v3"}},
	{name: "linux-arm64", goos: "linux", goarch: "arm64"},
	{name: "linux-386", goos: "linux", goarch: "386"},
	{name: "linux-arm-v7", goos: "linux", goarch: "arm", env: []string{"GOARM=7"}},
	{name: "linux-riscv64", goos: "linux", goarch: "riscv64"},
	{name: "linux-ppc64le", goos: "linux", goarch: "ppc64le"},
	{name: "linux-s390x", goos: "linux", goarch: "s390x"},
	{name: "windows-amd64", goos: "windows", goarch: "amd64"},
	{name: "windows-arm64", goos: "windows", goarch: "arm64"},
	{name: "linux-amd64-cgo", goos: "linux", goarch: "amd64", cgo: true},
	{name: "c-static-pie", cFlags: []string{"-static-pie", "-O2"}},
	{name: "c-shared-object", cFlags: []string{"-shared", "-fPIC", "-O2"}},
}

const (
	tinyGoMod  = "module example.com/tiny\n\ngo 1.26\n"
	tinyGoMain = "package main\n\nfunc main() { println(\"hello from a tiny program\") }\n"
	tinyCgo    = "package main\n\n// int answer(void) { return 42; }\nimport \"C\"\n\nfunc main() { println(C.answer()) }\n"
	tinyC      = "#include <stdio.h>\nint tiny(void) { return 42; }\nint main(void) { printf(\"%d\\n\", tiny()); return 0; }\n"
	buildTags  = "imgchecktest"
)

// testBinaries builds every target once per process and caches the results
// in a directory under os.TempDir() keyed by the sources, the target list
// and the toolchain, so repeated runs and fuzz workers reuse them.
var testBinaries = sync.OnceValues(buildTestBinaries)

// binaryPaths returns the path of every built target by name, failing the
// test when a tool (go, gcc) is missing or a build fails.
func binaryPaths(tb testing.TB) map[string]string {
	tb.Helper()
	paths, err := testBinaries()
	if err != nil {
		tb.Fatalf("building test binaries: %v", err)
	}
	return paths
}

func readBinary(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(binaryPaths(tb)[name])
	if err != nil {
		tb.Fatalf("reading test binary %s: %v", name, err)
	}
	return data
}

func buildTestBinaries() (map[string]string, error) {
	goVersion, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return nil, fmt.Errorf("running go env GOVERSION: %w", err)
	}
	gccVersion, err := exec.Command("gcc", "-dumpfullversion").Output()
	if err != nil {
		return nil, fmt.Errorf("running gcc -dumpfullversion: %w", err)
	}
	key := sha256.New()
	fmt.Fprintf(key, "%s|%s|%s|%s|%s|%s|%s|%+v", goVersion, gccVersion, tinyGoMod, tinyGoMain, tinyCgo, tinyC, buildTags, testTargets)
	cache := filepath.Join(os.TempDir(), "imgcheck-binfmt-testbins-"+hex.EncodeToString(key.Sum(nil))[:16])
	src := filepath.Join(cache, "src")
	if err := os.MkdirAll(filepath.Join(src, "cgo"), 0o755); err != nil {
		return nil, fmt.Errorf("creating test binary cache: %w", err)
	}
	for name, content := range map[string]string{
		"go.mod": tinyGoMod, "main.go": tinyGoMain, "cgo/main.go": tinyCgo, "tiny.c": tinyC,
	} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
			return nil, fmt.Errorf("writing test source %s: %w", name, err)
		}
	}
	paths := make(map[string]string, len(testTargets))
	for _, tt := range testTargets {
		out := filepath.Join(cache, tt.name)
		if _, err := os.Stat(out); err != nil {
			if err := buildTarget(tt, src, out); err != nil {
				return nil, err
			}
		}
		paths[tt.name] = out
	}
	return paths, nil
}

// buildTarget builds one target into a temporary name and renames it into
// place, so a concurrent test process never sees half a binary.
func buildTarget(tt testTarget, src, out string) error {
	tmp := fmt.Sprintf("%s.tmp%d", out, os.Getpid())
	var cmd *exec.Cmd
	if tt.cFlags != nil {
		args := append(append([]string{}, tt.cFlags...), "-o", tmp, "tiny.c")
		cmd = exec.Command("gcc", args...)
	} else {
		pkg := "."
		cgo := "CGO_ENABLED=0"
		if tt.cgo {
			pkg, cgo = "./cgo", "CGO_ENABLED=1"
		}
		cmd = exec.Command("go", "build", "-trimpath", "-tags", buildTags, "-o", tmp, pkg)
		cmd.Env = append(os.Environ(), "GOOS="+tt.goos, "GOARCH="+tt.goarch, cgo,
			"GOTOOLCHAIN=local", "GOWORK=off", "GOFLAGS=")
		cmd.Env = append(cmd.Env, tt.env...)
	}
	cmd.Dir = src
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s (%s): %w\n%s", tt.name, strings.Join(cmd.Args, " "), err, output)
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("storing test binary %s: %w", tt.name, err)
	}
	return nil
}
