package main

import (
	"context"
	"fmt"
	"os"
)

// goBenchPackages hold the testing.B benchmarks of the hot paths.
var goBenchPackages = []string{"./image/binfmt", "./image", "./taskdef"}

// goBenchCount is how many times each Go benchmark runs (for benchstat).
const goBenchCount = 5

// runGoBench runs the testing.B benchmarks and returns their output, which
// benchstat reads as it is.
func runGoBench(ctx context.Context, h *harness) (string, error) {
	h.logf("Go benchmarks")
	argv := append([]string{"go", "test", "-run", "^$", "-bench", ".", "-count", fmt.Sprint(goBenchCount)}, goBenchPackages...)
	res, err := h.exec(ctx, execSpec{Dir: h.repo, Env: os.Environ(), Argv: argv})
	if err != nil {
		return "", err
	}
	if res.Exit != 0 {
		return "", fmt.Errorf("go test -bench: exit %d: %s%s", res.Exit, tail(string(res.Stdout), 2000), res.Stderr)
	}
	return string(res.Stdout), nil
}
