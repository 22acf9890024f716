// Command bench measures imgcheck against the tools people would use
// instead (regctl, crane, skopeo, ko) on a local CNCF distribution
// registry behind a counting proxy, and writes BENCHMARKS.md and its chart.
// Run it with bench/run, which installs the peer tools first.
//
// Everything runs on 127.0.0.1, every command has a timeout, and the whole
// run is bounded by -timeout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/imgcheck/imgcheck/internal/distreg"
)

// options are the command-line flags.
type options struct {
	reps      int
	buildReps int
	suites    []string
	out       string
	chart     string
	jsonOut   string
	timeout   time.Duration
	keep      bool
	requests  bool
}

// harness is the running benchmark environment.
type harness struct {
	repo     string // the repository root
	work     string // scratch directory, removed at the end
	env      []string
	reg      *distreg.Registry
	proxy    *countingProxy
	imgcheck string // the imgcheck binary under test
	reps     int
	sizes    layerSizes
	log      io.Writer
	requests bool // log every request of every measurement
}

func (h *harness) logf(format string, args ...any) {
	fmt.Fprintf(h.log, format+"\n", args...)
}

// logTraffic logs a measurement's requests when -requests is set.
func (h *harness) logTraffic(t traffic) {
	if !h.requests {
		return
	}
	for _, r := range t.Log {
		h.logf("    %s %s range=%v -> %d, %d bytes down, %d up", r.Method, r.Path, r.Range, r.Status, r.Down, r.Up)
	}
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if err := run(ctx, o, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.IntVar(&o.reps, "reps", 5, "repetitions of each read measurement (benchmarks 1 and 3)")
	fs.IntVar(&o.buildReps, "build-reps", 3, "repetitions of each build measurement (benchmark 2)")
	suites := fs.String("suites", "probe,fleet,real,build,go", "benchmarks to run: probe, fleet, real, build, go")
	fs.StringVar(&o.out, "out", "BENCHMARKS.md", "report to write (relative to the repository root)")
	fs.StringVar(&o.chart, "chart", "docs/benchmarks.png", "chart to write (relative to the repository root)")
	fs.StringVar(&o.jsonOut, "json", "bench/results.json", "raw results to write (relative to the repository root)")
	fs.DurationVar(&o.timeout, "timeout", 50*time.Minute, "bound on the whole run")
	fs.BoolVar(&o.keep, "keep", false, "keep the scratch directory")
	fs.BoolVar(&o.requests, "requests", false, "log every request of every read measurement (to stderr)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.suites = strings.Split(*suites, ",")
	for _, s := range o.suites {
		if !slices.Contains([]string{"probe", "build", "fleet", "real", "go"}, s) {
			return o, fmt.Errorf("-suites: unknown benchmark %q (want probe, fleet, real, build, go)", s)
		}
	}
	if o.reps < 1 || o.buildReps < 1 {
		return o, errors.New("-reps and -build-reps must be at least 1")
	}
	return o, nil
}

func run(ctx context.Context, o options, log io.Writer) error {
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(repo, "cmd", "imgcheck")); err != nil {
		return fmt.Errorf("run from the repository root (bench/run does): %w", err)
	}
	res := &results{Started: time.Now().UTC(), Reps: o.reps, BuildReps: o.buildReps, Suites: o.suites}
	res.Machine = readMachine()
	work, err := os.MkdirTemp("", "imgcheck-bench-")
	if err != nil {
		return err
	}
	if !o.keep {
		defer os.RemoveAll(work)
	}
	h := &harness{repo: repo, work: work, reps: o.reps, sizes: defaultLayerSizes, log: log, requests: o.requests}
	if h.env, err = cleanEnv(work); err != nil {
		return err
	}
	h.logf("scratch directory %s; load average at start %s", work, res.Machine.LoadAvg)
	if err := h.setup(ctx); err != nil {
		return err
	}
	defer h.teardown()
	res.Versions = readVersions(ctx, h)
	fx, err := buildFixtures(ctx, h, slices.Contains(o.suites, "fleet"))
	if err != nil {
		return err
	}
	res.Fixtures = *fx
	if slices.Contains(o.suites, "probe") {
		if res.Probe, err = runProbe(ctx, h, fx); err != nil {
			return err
		}
	}
	if slices.Contains(o.suites, "fleet") {
		if res.Fleet, err = runFleet(ctx, h, fx); err != nil {
			return err
		}
	}
	if slices.Contains(o.suites, "real") {
		if res.Real, err = runReal(ctx, h); err != nil {
			return err
		}
	}
	if slices.Contains(o.suites, "build") {
		if res.Build, err = runBuilds(ctx, h, fx, o.buildReps); err != nil {
			return err
		}
	}
	if slices.Contains(o.suites, "go") {
		if res.GoBench, err = runGoBench(ctx, h); err != nil {
			return err
		}
	}
	res.Finished = time.Now().UTC()
	res.Machine.LoadAvgEnd = readLoadAvg()
	return writeOutputs(repo, o, res)
}

// setup builds imgcheck and starts the registry and the proxy.
func (h *harness) setup(ctx context.Context) error {
	for _, d := range []string{"bin", "home"} {
		if err := os.MkdirAll(filepath.Join(h.work, d), 0o755); err != nil {
			return err
		}
	}
	h.imgcheck = filepath.Join(h.work, "bin", "imgcheck")
	res, err := h.exec(ctx, execSpec{Dir: h.repo, Env: os.Environ(), Argv: []string{"go", "build", "-trimpath", "-o", h.imgcheck, "./cmd/imgcheck"}})
	if err != nil {
		return err
	}
	if res.Exit != 0 {
		return fmt.Errorf("building imgcheck: %s", res.Stderr)
	}
	if h.reg, err = distreg.Launch(ctx, filepath.Join(h.work, "registry"), distreg.Options{Quiet: true}); err != nil {
		return err
	}
	if h.proxy, err = startProxy(h.reg.Host); err != nil {
		h.reg.Stop()
		return err
	}
	h.logf("registry %s behind the counting proxy %s", h.reg.Host, h.proxy.Host)
	return nil
}

func (h *harness) teardown() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if h.proxy != nil {
		_ = h.proxy.Close(ctx)
	}
	if h.reg != nil {
		h.reg.Stop()
	}
}

// cleanEnv is the environment the measured tools get: a scratch HOME (no
// docker or regctl config, no caches from earlier runs), the module cache
// without network access, and the tools on PATH.
func cleanEnv(work string) ([]string, error) {
	gopath, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOPATH: %w", err)
	}
	gp := strings.TrimSpace(string(gopath))
	path := strings.Join([]string{filepath.Join(gp, "bin"), "/usr/local/go/bin", os.Getenv("PATH")}, string(os.PathListSeparator))
	return []string{
		"PATH=" + path,
		"HOME=" + filepath.Join(work, "home"),
		"GOPATH=" + gp,
		"GOMODCACHE=" + filepath.Join(gp, "pkg", "mod"),
		"GOPROXY=off",
		"GOFLAGS=-buildvcs=false",
		"GOTOOLCHAIN=local",
		"GOCACHE=" + filepath.Join(work, "gocache-tools"),
		"TMPDIR=" + os.TempDir(),
		"LANG=C",
	}, nil
}
