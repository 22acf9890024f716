package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Fleet shape of benchmark 3.
const (
	fleetTaskDefs   = 20
	fleetContainers = 2
	fleetImages     = 5
)

// fleetResult is benchmark 3.
type fleetResult struct {
	TaskDefs, Containers, Images int
	// PerTaskDef is one imgcheck verify invocation per task definition,
	// summed over the fleet for each repetition.
	PerTaskDef summary
	// ImageSide is one invocation checking all images on both platforms
	// without task definitions (verify IMAGE... --platform).
	ImageSide summary
	// ExitCodes seen (all must be 0: every task definition passes).
	ExitCodes map[int]int
	// MaxGets is the most GET requests any one manifest or blob got within
	// one invocation; Repeated counts, by kind, (invocation, path) pairs
	// with more than one GET.
	MaxGets  int
	Repeated map[string]int
	// RepeatedInSidecarTasks counts the repeated paths that were in a task
	// definition whose two containers run the same image.
	RepeatedInSidecarTasks int
	// MultiTaskDefFlag is true when verify --help shows a repeatable
	// --taskdef; then AllInOne is one invocation with every task definition.
	MultiTaskDefFlag bool
	AllInOne         summary
	// AllInOneMaxGets and AllInOneRepeated are MaxGets and Repeated of the
	// one invocation (first repetition).
	AllInOneMaxGets  int
	AllInOneRepeated map[string]int
}

// fleetContainerImages says which of the five images the containers of
// task definition i run. The first five task definitions run the same image
// twice (a sidecar sharing its image), so blobs are shared within one run.
func fleetContainerImages(i, images int) [fleetContainers]int {
	return [fleetContainers]int{i % images, (i + i/images) % images}
}

// sameImageTwice reports whether task definition i runs one image in both
// containers.
func sameImageTwice(i int) bool {
	c := fleetContainerImages(i, fleetImages)
	return c[0] == c[1]
}

func fleetArch(i int) string {
	if i%2 == 0 {
		return "ARM64"
	}
	return "X86_64"
}

func runFleet(ctx context.Context, h *harness, fx *fixtures) (*fleetResult, error) {
	dir := filepath.Join(h.work, "fleet")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for i := range fleetTaskDefs {
		var refs []string
		for _, img := range fleetContainerImages(i, len(fx.FleetRepos)) {
			refs = append(refs, h.proxy.Host+"/"+fx.FleetRepos[img])
		}
		f := filepath.Join(dir, fmt.Sprintf("service-%02d.json", i))
		if err := os.WriteFile(f, taskDefJSON(fmt.Sprintf("service-%02d", i), fleetArch(i), refs), 0o644); err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	var err error
	out := &fleetResult{TaskDefs: fleetTaskDefs, Containers: fleetContainers, Images: len(fx.FleetRepos), ExitCodes: map[int]int{}, Repeated: map[string]int{}, AllInOneRepeated: map[string]int{}}
	var perTD, imageSide, allInOne sample
	if out.MultiTaskDefFlag, err = repeatableTaskDef(ctx, h); err != nil {
		return nil, err
	}
	for rep := range h.reps {
		h.logf("benchmark 3, repetition %d/%d", rep+1, h.reps)
		var wall time.Duration
		var bytes int64
		var requests int
		// One cache per repetition, shared by its invocations, as on one CI runner.
		env, err := h.coldCacheEnv()
		if err != nil {
			return nil, err
		}
		h.proxy.Take()
		for i, f := range files {
			res, err := h.exec(ctx, execSpec{Dir: h.work, Env: env, Argv: []string{h.imgcheck, "verify", "--taskdef", f, "--format", "json"}})
			if err != nil {
				return nil, err
			}
			t := h.proxy.Take()
			h.logTraffic(t)
			out.ExitCodes[res.Exit]++
			if res.Exit != 0 {
				h.logf("  verify %s: exit %d: %s", filepath.Base(f), res.Exit, tail(res.Stderr, 400))
			}
			wall += res.Wall
			bytes += t.BytesDown
			requests += t.Requests
			for _, g := range t.getsByPath() {
				out.MaxGets = max(out.MaxGets, g.N)
				if g.N > 1 && rep == 0 { // the same in every repetition: count one
					out.Repeated[g.Kind]++
					if sameImageTwice(i) {
						out.RepeatedInSidecarTasks++
					}
				}
			}
		}
		perTD.add(wall, bytes, requests)

		argv := []string{h.imgcheck, "verify", "--platform", "linux/amd64,linux/arm64", "--format", "json"}
		for _, repo := range fx.FleetRepos {
			argv = append(argv, h.proxy.Host+"/"+repo)
		}
		if env, err = h.coldCacheEnv(); err != nil {
			return nil, err
		}
		res, err := h.exec(ctx, execSpec{Dir: h.work, Env: env, Argv: argv})
		if err != nil {
			return nil, err
		}
		t := h.proxy.Take()
		if res.Exit != 0 {
			h.logf("  verify of all images: exit %d: %s", res.Exit, tail(res.Stderr, 400))
		}
		out.ExitCodes[res.Exit]++
		imageSide.add(res.Wall, t.BytesDown, t.Requests)

		if out.MultiTaskDefFlag {
			argv := []string{h.imgcheck, "verify", "--format", "json"}
			for _, f := range files {
				argv = append(argv, "--taskdef", f)
			}
			if env, err = h.coldCacheEnv(); err != nil {
				return nil, err
			}
			res, err := h.exec(ctx, execSpec{Dir: h.work, Env: env, Argv: argv})
			if err != nil {
				return nil, err
			}
			t := h.proxy.Take()
			out.ExitCodes[res.Exit]++
			allInOne.add(res.Wall, t.BytesDown, t.Requests)
			for _, g := range t.getsByPath() {
				if rep == 0 && g.N > 1 {
					out.AllInOneMaxGets = max(out.AllInOneMaxGets, g.N)
					out.AllInOneRepeated[g.Kind]++
				}
			}
		}
	}
	out.PerTaskDef, out.ImageSide, out.AllInOne = perTD.summary(), imageSide.summary(), allInOne.summary()
	return out, nil
}

// repeatableTaskDef reports whether this imgcheck's verify takes --taskdef
// more than once (its help names the flag's type).
func repeatableTaskDef(ctx context.Context, h *harness) (bool, error) {
	res, err := h.exec(ctx, execSpec{Dir: h.work, Argv: []string{h.imgcheck, "verify", "--help"}})
	if err != nil || res.Exit != 0 {
		return false, fmt.Errorf("imgcheck verify --help: exit %d: %v", res.Exit, err)
	}
	for _, line := range strings.Split(string(res.Stdout), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "--taskdef" {
			return f[1] == "stringArray" || f[1] == "strings", nil
		}
	}
	return false, fmt.Errorf("imgcheck verify --help does not list --taskdef")
}
