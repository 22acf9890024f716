package ldso

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	verLibrary = "int old_fn(void) { return 1; }\nint new_fn(void) { return 2; }\n"
	verProgram = "#include <stdio.h>\nint old_fn(void);\nint new_fn(void);\n" +
		"int main(void) { printf(\"%d\\n\", old_fn() + new_fn()); return 0; }\n"
	// verScript2 defines VERS_1 and VERS_2; verScript1 only VERS_1.
	verScript2 = "VERS_1 { global: old_fn; local: *; };\nVERS_2 { global: new_fn; } VERS_1;\n"
	verScript1 = "VERS_1 { global: old_fn; new_fn; local: *; };\n"
)

// buildVersionedLibrary builds dir/lib/libver.so with the given version
// script ("" for none).
func buildVersionedLibrary(t *testing.T, dir, script string) {
	t.Helper()
	lib := filepath.Join(dir, "lib")
	if err := os.MkdirAll(lib, 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"-shared", "-fPIC", "-Wl,-soname,libver.so"}
	if script != "" {
		mapFile := filepath.Join(dir, "ver.map")
		if err := os.WriteFile(mapFile, []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-Wl,--version-script,"+mapFile)
	}
	gcc(t, lib, "libver.so", verLibrary, args...)
}

// TestVersionChecksMatchRealLoader links a program against a library that
// defines VERS_2, then swaps in builds of the library that define only
// VERS_1, or no versions at all, and compares the real loader's messages
// and exit status with the emulation's.
func TestVersionChecksMatchRealLoader(t *testing.T) {
	dir := t.TempDir()
	buildVersionedLibrary(t, dir, verScript2)
	app := gcc(t, dir, "app", verProgram, "-L"+filepath.Join(dir, "lib"), "-lver", "-Wl,-rpath,$ORIGIN/lib")
	tests := []struct {
		name         string
		script       string
		wantFailures int
		wantWarnings int
		// wantUnknown: loading goes on past the version check, into symbol
		// binding, which is not emulated; only the warnings are compared.
		wantUnknown bool
	}{
		{name: "defines VERS_2", script: verScript2},
		{name: "defines only VERS_1", script: verScript1, wantFailures: 1},
		{name: "no version definitions", script: "", wantWarnings: 2, wantUnknown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buildVersionedLibrary(t, dir, tt.script)
			stderr, code := realRun(t, app, []string{})
			res, err := Resolve(context.Background(), hostFS{}, Config{Executable: app})
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if len(res.Failures) != tt.wantFailures || len(res.Warnings) != tt.wantWarnings {
				t.Fatalf("failures %+v, warnings %q; want %d and %d", res.Failures, res.Warnings, tt.wantFailures, tt.wantWarnings)
			}
			got := res.Stderr()
			if len(res.Warnings) > 0 {
				got = strings.Join(res.Warnings, "\n") + "\n" + got
			}
			if (len(res.Unknown) > 0) != tt.wantUnknown {
				t.Fatalf("unknown %q, want some: %v", res.Unknown, tt.wantUnknown)
			}
			if tt.wantUnknown {
				if !strings.HasPrefix(stderr, got) {
					t.Errorf("warnings are not what the real loader printed first\n got: %q\nwant: %q", got, stderr)
				}
				return
			}
			if got != stderr {
				t.Errorf("loader output differs\n got: %q\nwant: %q", got, stderr)
			}
			if res.ExitCode() != code {
				t.Errorf("exit code %d, the real loader %d", res.ExitCode(), code)
			}
			for _, f := range res.Failures {
				if f.Kind != FailVersion || f.Version != "VERS_2" || f.NeededBy != app {
					t.Errorf("failure %+v, want VERS_2 needed by %s", f, app)
				}
			}
		})
	}
}
