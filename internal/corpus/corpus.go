// Package corpus finds the shared corpus of real-world task definitions
// for the tests that read it.
package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// TaskdefsDir finds shared/corpus/taskdefs beside the repository (CI
// clones main with shared/ next to it) by walking up from the test's
// package directory.
func TaskdefsDir(t testing.TB) string {
	t.Helper()
	start, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for dir := start; ; {
		candidate := filepath.Join(dir, "shared", "corpus", "taskdefs")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("shared/corpus/taskdefs not found in any parent directory of %s", start)
		}
		dir = parent
	}
}
