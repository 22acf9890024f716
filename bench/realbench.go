package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Runs of benchmark 4, in report order.
const (
	realCold   = "imgcheck verify, cold (empty cache)"
	realWarm   = "imgcheck verify, warm (same image again)"
	realNewApp = "imgcheck verify, new application layer on the cached base"
	realRegctl = "regctl image get-file, the same files"
	realCrane  = "crane export | tar, the same files"
)

var realRuns = []string{realCold, realWarm, realNewApp, realRegctl, realCrane}

// realRun is one kind of run of benchmark 4 over the repetitions.
type realRun struct {
	Name    string
	Summary summary
	Sample  sample
	// Per repetition: bytes of layer blobs and of the rest (manifests and
	// configs), and the compressed size of the layers fetched at all.
	LayerBytes, MetaBytes, Scanned []int64
	Exits                          []int
	Correct                        bool
}

// realResult is benchmark 4.
type realResult struct {
	Fixtures realFixtures
	Runs     []realRun
	// Fleet: 20 task definitions over the five fleet images, one
	// invocation each, on one cache directory that starts empty.
	Fleet      summary
	FleetExits map[int]int
	// Per base layer (by architecture), the most invocations of one fleet
	// repetition that fetched it, and the most bytes fetched of it.
	FleetBaseFetches map[string]int
	FleetBaseBytes   map[string]int64
}

func (r *realResult) run(name string) *realRun {
	for i := range r.Runs {
		if r.Runs[i].Name == name {
			return &r.Runs[i]
		}
	}
	return nil
}

// layerTraffic splits a measurement's downloads into layer blobs, by
// digest, and the rest (manifests, configs).
func layerTraffic(t traffic, sizes map[string]int64) (perLayer map[string]int64, meta int64) {
	perLayer = map[string]int64{}
	for _, r := range t.Log {
		_, d, ok := strings.Cut(r.Path, "/blobs/")
		if _, layer := sizes[d]; ok && layer && r.Method == "GET" {
			perLayer[d] += r.Down
			continue
		}
		meta += r.Down
	}
	return perLayer, meta
}

// realTaskDef is a Fargate task definition running ref on arch, with a
// CMD-SHELL health check.
func realTaskDef(family, arch, ref string) []byte {
	return fargateTaskDef(family, arch, []taskContainer{{Name: "app", Image: ref, Essential: true,
		HealthCheck: &healthCheck{Command: []string{"CMD-SHELL", "/app/server || exit 1"}}}})
}

// runReal measures benchmark 4: per repetition, verify cold, warm and on
// a new application layer (one cache directory, empty at the start),
// regctl and crane fetching the same files, then the fleet.
func runReal(ctx context.Context, h *harness) (*realResult, error) {
	fx, err := buildRealFixtures(ctx, h)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(h.work, "real")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	taskdefs := func(name, repo string) ([]string, error) {
		var args []string
		for _, arch := range []string{"X86_64", "ARM64"} {
			f := filepath.Join(dir, fmt.Sprintf("%s-%s.json", name, strings.ToLower(arch)))
			if err := os.WriteFile(f, realTaskDef(name, arch, h.proxy.Host+"/"+repo), 0o644); err != nil {
				return nil, err
			}
			args = append(args, "--taskdef", f)
		}
		return append(args, "--format", "json"), nil
	}
	appArgs, err := taskdefs("app", fx.Repo)
	if err != nil {
		return nil, err
	}
	newArgs, err := taskdefs("new-app", fx.NewRepo)
	if err != nil {
		return nil, err
	}
	out := &realResult{Fixtures: *fx, FleetExits: map[int]int{}, FleetBaseFetches: map[string]int{}, FleetBaseBytes: map[string]int64{}}
	for _, name := range realRuns {
		out.Runs = append(out.Runs, realRun{Name: name, Correct: true})
	}
	var fleet sample
	for rep := range h.reps {
		h.logf("benchmark 4, repetition %d/%d", rep+1, h.reps)
		cache := filepath.Join(dir, fmt.Sprintf("cache-%d", rep))
		env := append(append([]string{}, h.env...), "IMGCHECK_CACHE="+cache)
		verify := func(args []string) runner {
			return func() (execResult, error) {
				return h.exec(ctx, execSpec{Dir: dir, Env: env, Argv: append([]string{h.imgcheck, "verify"}, args...)})
			}
		}
		steps := []struct {
			name string
			run  runner
		}{
			{realCold, verify(appArgs)},
			{realWarm, verify(appArgs)},
			{realNewApp, verify(newArgs)},
			{realRegctl, h.realRegctl(ctx, fx)},
			{realCrane, h.realCrane(ctx, fx, dir)},
		}
		for _, s := range steps {
			h.proxy.Take()
			res, err := s.run()
			t := h.proxy.Take()
			if err != nil {
				return nil, fmt.Errorf("benchmark 4, %s: %w", s.name, err)
			}
			h.logTraffic(t)
			r := out.run(s.name)
			r.record(res, t, fx.Sizes)
			if res.Exit != 0 {
				h.logf("  %s: exit %d: %s", s.name, res.Exit, tail(res.Stderr, 400))
			}
		}
		wall, bytes, requests, err := h.realFleet(ctx, fx, dir, rep, out)
		if err != nil {
			return nil, err
		}
		fleet.add(wall, bytes, requests)
	}
	for i := range out.Runs {
		out.Runs[i].Summary = out.Runs[i].Sample.summary()
	}
	out.Fleet = fleet.summary()
	return out, nil
}

// runner runs one measured command.
type runner func() (execResult, error)

// record adds one repetition's numbers.
func (r *realRun) record(res execResult, t traffic, sizes map[string]int64) {
	perLayer, meta := layerTraffic(t, sizes)
	var layerBytes, scanned int64
	for d, b := range perLayer {
		layerBytes += b
		scanned += sizes[d]
	}
	r.Sample.add(res.Wall, t.BytesDown, t.Requests)
	r.LayerBytes = append(r.LayerBytes, layerBytes)
	r.MetaBytes = append(r.MetaBytes, meta)
	r.Scanned = append(r.Scanned, scanned)
	r.Exits = append(r.Exits, res.Exit)
	r.Correct = r.Correct && res.Exit == 0
}

// realRegctl fetches each file the checks read with regctl, one
// invocation per file and platform, as a script would.
func (h *harness) realRegctl(ctx context.Context, fx *realFixtures) runner {
	return func() (execResult, error) {
		var script strings.Builder
		for _, arch := range []string{"amd64", "arm64"} {
			for _, f := range fx.Files[arch] {
				fmt.Fprintf(&script, "regctl --host \"reg=$HOST,tls=disabled\" image get-file --platform linux/%s \"$REF\" %s > /dev/null\n", arch, f)
			}
		}
		return h.shell(ctx, true, "set -e\n"+script.String(), "HOST="+h.proxy.Host, "REF="+h.proxy.Host+"/"+fx.Repo)
	}
}

// realCrane extracts the same files from each platform's flattened file
// system with crane export and tar.
func (h *harness) realCrane(ctx context.Context, fx *realFixtures, dir string) runner {
	return func() (execResult, error) {
		var script strings.Builder
		for _, arch := range []string{"amd64", "arm64"} {
			out := filepath.Join(dir, "crane-"+arch)
			var names []string
			for _, f := range fx.Files[arch] {
				names = append(names, strings.TrimPrefix(f, "/"))
			}
			fmt.Fprintf(&script, "rm -rf %s && mkdir -p %s\ncrane export --insecure --platform linux/%s \"$REF\" - | tar -x -C %s %s\n",
				out, out, arch, out, strings.Join(names, " "))
		}
		return h.shell(ctx, true, "set -e\n"+script.String(), "REF="+h.proxy.Host+"/"+fx.Repo)
	}
}

// realFleet verifies 20 task definitions (ARM64 and X86_64 alternating)
// over the five fleet images, one invocation each, on one cache
// directory that starts empty, and records how often each base layer was
// fetched.
func (h *harness) realFleet(ctx context.Context, fx *realFixtures, dir string, rep int, out *realResult) (time.Duration, int64, int, error) {
	cache := filepath.Join(dir, fmt.Sprintf("fleet-cache-%d", rep))
	env := append(append([]string{}, h.env...), "IMGCHECK_CACHE="+cache)
	fetches := map[string]int{}
	baseBytes := map[string]int64{}
	var wall time.Duration
	var bytes int64
	var requests int
	h.proxy.Take()
	for i := range fleetTaskDefs {
		arch := fleetArch(i)
		f := filepath.Join(dir, fmt.Sprintf("fleet-%02d.json", i))
		if err := os.WriteFile(f, realTaskDef(fmt.Sprintf("fleet-%02d", i), arch, h.proxy.Host+"/"+fx.FleetRepos[i%len(fx.FleetRepos)]), 0o644); err != nil {
			return 0, 0, 0, err
		}
		res, err := h.exec(ctx, execSpec{Dir: dir, Env: env, Argv: []string{h.imgcheck, "verify", "--taskdef", f, "--format", "json"}})
		if err != nil {
			return 0, 0, 0, err
		}
		t := h.proxy.Take()
		out.FleetExits[res.Exit]++
		if res.Exit != 0 {
			h.logf("  fleet %s: exit %d: %s", filepath.Base(f), res.Exit, tail(res.Stderr, 400))
		}
		wall += res.Wall
		bytes += t.BytesDown
		requests += t.Requests
		perLayer, _ := layerTraffic(t, fx.Sizes)
		for arch, base := range fx.Base {
			if b := perLayer[base.Digest]; b > 0 {
				fetches[arch]++
				baseBytes[arch] += b
			}
		}
	}
	for arch := range fx.Base {
		out.FleetBaseFetches[arch] = max(out.FleetBaseFetches[arch], fetches[arch])
		out.FleetBaseBytes[arch] = max(out.FleetBaseBytes[arch], baseBytes[arch])
	}
	return wall, bytes, requests, nil
}
