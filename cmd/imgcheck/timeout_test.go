package main

import (
	"strings"
	"testing"
	"time"

	"github.com/imgcheck/imgcheck/internal/hostilereg"
	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// A registry that sends a manifest's headers and then nothing: --timeout
// ends the run long before the transport's own stall bound, as could not
// verify, saying why.
func TestVerifyTimeout(t *testing.T) {
	reg := hostilereg.Start()
	defer reg.Close()
	ref, err := reg.StallManifest(imagetest.GoBinary(t, "linux", "amd64", false))
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range [][]string{{"verify", ref, "--platform", "linux/amd64"}, {"inspect", ref}} {
		start := time.Now()
		code, out, errOut := runCLI(t, append(verb, "--timeout", "1s")...)
		took := time.Since(start)
		if code != 2 || !strings.Contains(out+errOut, "timed out after 1s") {
			t.Errorf("%s: exit %d after %s\nstdout %s\nstderr %s", verb[0], code, took, out, errOut)
		}
		if took > 10*time.Second {
			t.Errorf("%s: took %s with --timeout 1s", verb[0], took)
		}
	}
}
