package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imgcheck/imgcheck/internal/hostilereg"
	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/internal/runctest"
)

// hostileMemoryCap is the address space imgcheck may use (prlimit --as).
// The Go runtime reserves about 1.2 GiB of address space at start (mapped
// PROT_NONE, not memory); this leaves about 1.3 GiB for the heap, which
// the deep-paths layer alone once exceeded.
const hostileMemoryCap = 2560 << 20

// boundedRun is how a run under the memory cap ended.
type boundedRun struct {
	cliResult
	elapsed time.Duration
	maxRSS  int64 // bytes; -1 when not measured
}

// imgcheckBounded runs the CLI under prlimit --as, killed after limit.
func imgcheckBounded(t *testing.T, limit time.Duration, args ...string) boundedRun {
	t.Helper()
	bin, err := imgcheckBinary()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	argv := []string{fmt.Sprintf("--as=%d", hostileMemoryCap), "--"}
	// The peak memory of a process started from this (large) test process
	// counts the test's own peak (exec folds it in), so it is measured, when
	// GNU time is there, from a small parent that forks imgcheck.
	rssFile := filepath.Join(t.TempDir(), "maxrss")
	measured := false
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		argv, measured = append(argv, "/usr/bin/time", "-f", "%M", "-o", rssFile), true
	}
	cmd := exec.CommandContext(ctx, "prlimit", append(append(argv, bin), args...)...)
	cmd.Dir = repoRoot(t)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err = cmd.Run()
	run := boundedRun{cliResult: cliResult{stdout: out.String(), stderr: errOut.String()}, elapsed: time.Since(start), maxRSS: -1}
	if measured {
		run.maxRSS = readMaxRSS(rssFile)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		run.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("imgcheck %v: %v", args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("imgcheck %v: still running after %v\nstderr: %s", args, limit, run.stderr)
	}
	return run
}

// readMaxRSS reads GNU time's %M (KiB) from its -o file; -1 when absent.
func readMaxRSS(file string) int64 {
	b, err := os.ReadFile(file)
	if err != nil {
		return -1
	}
	// time writes "Command exited with non-zero status N" first then.
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return -1
	}
	kib, err := strconv.ParseInt(fields[len(fields)-1], 10, 64)
	if err != nil {
		return -1
	}
	return kib << 10
}

// TestHostileRegistry runs the real CLI against each behaviour of a
// hostile registry, under a memory cap and a time bound: each must end in
// exit 2 (could not verify), in time, naming what failed. The stalls wait
// out the 30 s idle bound, so the cases run in parallel; the bounds leave
// room for a shared machine (alone, the bombs take about 20 s, the deep
// paths within depth 5 s, the others well under a second).
func TestHostileRegistry(t *testing.T) {
	runctest.Require(t, "prlimit")
	srv := hostilereg.Start()
	t.Cleanup(srv.Close)
	app := imagetest.GoBinary(t, "linux", "amd64", false)
	withApp := func(f func([]byte) (string, error)) func() (string, error) {
		return func() (string, error) { return f(app) }
	}
	tests := []struct {
		name   string
		verb   string
		build  func() (string, error)
		code   int
		want   []string // in the output, each
		within time.Duration
	}{
		{"good image", "verify", withApp(srv.Good), 0, []string{"PASS"}, 60 * time.Second},
		{"stall manifest", "verify", withApp(srv.StallManifest), 2, []string{"stalled", "/manifests/1"}, 90 * time.Second},
		{"stall layer", "verify", withApp(srv.StallLayer), 2, []string{"stalled", "/blobs/sha256:"}, 90 * time.Second},
		{"drip manifest", "verify", withApp(srv.DripManifest), 2, []string{"stalled", "/manifests/1"}, 90 * time.Second},
		{"drip layer", "verify", withApp(srv.DripLayer), 2, []string{"stalled", "/blobs/sha256:"}, 90 * time.Second},
		{"config size lie", "verify", withApp(srv.ConfigSizeLie), 2, []string{"size mismatch", "config"}, 60 * time.Second},
		{"layer size lie", "verify", withApp(srv.LayerSizeLie), 2, []string{"size mismatch", "layer"}, 60 * time.Second},
		{"index entry size lie", "verify", withApp(srv.IndexEntrySizeLie), 2, []string{"size mismatch", "manifest"}, 60 * time.Second},
		{"index fan-out verify", "verify", func() (string, error) { return srv.FanOut(3000, 3000) }, 2, []string{"more than 4096 descriptors"}, 60 * time.Second},
		{"index fan-out inspect", "inspect", func() (string, error) { return srv.FanOut(3000, 3000) }, 2, []string{"more than 4096 descriptors"}, 60 * time.Second},
		{"deep paths", "verify", func() (string, error) { return srv.DeepPaths(app, 10_000, 2_000) }, 2, []string{"deeper than 256 components"}, 60 * time.Second},
		// Within the depth bound: four million directories, until the
		// layer's path index reaches its memory bound.
		{"deep paths within depth", "verify", func() (string, error) { return srv.DeepPaths(app, 20_000, 250) }, 2, []string{"the path index of the layer exceeds"}, 120 * time.Second},
		{"unknown media type", "verify", withApp(srv.UnknownMediaType), 2, []string{`"application/vnd.example.layer.v1.tar+weird"`}, 60 * time.Second},
		{"encrypted media type", "verify", withApp(srv.EncryptedMediaType), 2, []string{`"application/vnd.oci.image.layer.v1.tar+gzip+encrypted"`}, 60 * time.Second},
		// Three 6 GiB layers, each within the per-layer bounds.
		{"decompression bombs", "verify", func() (string, error) { return srv.Bombs(app, 3, 96) }, 2, []string{"decompress to more than"}, 240 * time.Second},
	}
	for _, tt := range tests {
		ref, err := tt.build()
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run := imgcheckBounded(t, tt.within, tt.verb, ref)
			out := run.stdout + run.stderr
			peak := "not measured (no GNU time)"
			if run.maxRSS >= 0 {
				peak = fmt.Sprintf("%d MiB", run.maxRSS>>20)
			}
			t.Logf("%s: exit %d in %v, peak RSS %s", tt.name, run.code, run.elapsed.Round(time.Millisecond), peak)
			if run.code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", run.code, tt.code, run.stdout, run.stderr)
			}
			if strings.Contains(run.stderr, "fatal error:") {
				t.Errorf("the Go runtime gave up (a crash, not a verdict):\n%s", run.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output does not name %q\nstdout: %s\nstderr: %s", w, run.stdout, run.stderr)
				}
			}
		})
	}
}
