package e2e

import (
	"fmt"
	"os"
	"testing"
)

// TestMain gives every imgcheck the suite runs one fresh layer cache, so
// that a verdict never rests on what an earlier run left in the user's
// cache directory (nor do hostile images land there).
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "imgcheck-e2e-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: a cache directory:", err)
		os.Exit(2)
	}
	os.Setenv("IMGCHECK_CACHE", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
