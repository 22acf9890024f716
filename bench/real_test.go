package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imgcheck/imgcheck/taskdef"
)

func TestLayerTraffic(t *testing.T) {
	sizes := map[string]int64{"sha256:base": 1000, "sha256:app": 100}
	tr := traffic{Log: []requestRecord{
		{Method: "GET", Path: "/v2/bench/real-app/manifests/v1", Down: 50},
		{Method: "GET", Path: "/v2/bench/real-app/blobs/sha256:config", Down: 20},
		{Method: "GET", Path: "/v2/bench/real-app/blobs/sha256:base", Range: true, Down: 600},
		{Method: "GET", Path: "/v2/bench/real-app/blobs/sha256:base", Range: true, Down: 400},
		{Method: "HEAD", Path: "/v2/bench/real-app/blobs/sha256:app", Down: 0},
		{Method: "GET", Path: "/v2/", Down: 3},
	}}
	perLayer, meta := layerTraffic(tr, sizes)
	if perLayer["sha256:base"] != 1000 || len(perLayer) != 1 || meta != 73 {
		t.Errorf("per layer %v, meta %d; want base 1000 only, meta 73", perLayer, meta)
	}
	var r realRun
	r.record(execResult{Wall: time.Second}, tr, sizes)
	if r.LayerBytes[0] != 1000 || r.Scanned[0] != 1000 || r.MetaBytes[0] != 73 || r.Sample.Bytes[0] != 0 {
		t.Errorf("recorded %+v", r)
	}
}

// The real image's task definitions, as verify reads them: the
// architecture and a CMD-SHELL health check.
func TestRealTaskDefParses(t *testing.T) {
	for _, arch := range []string{"ARM64", "X86_64"} {
		td, err := taskdef.Parse("real.json", realTaskDef("app", arch, "127.0.0.1:5000/bench/real-app:v1"), taskdef.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if td.RuntimePlatform.CPUArchitecture.Value != arch || len(td.Containers) != 1 {
			t.Fatalf("%s: parsed %s with %d containers", arch, td.RuntimePlatform.CPUArchitecture.Value, len(td.Containers))
		}
		hc := td.Containers[0].HealthCheck
		if hc == nil || len(hc.Command.Values) != 2 || hc.Command.Values[0] != "CMD-SHELL" {
			t.Errorf("%s: health check %+v", arch, hc)
		}
	}
}

func TestRealFiles(t *testing.T) {
	for arch, want := range map[string]string{"amd64": "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "arm64": "/usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1"} {
		files := realFiles(arch)
		if !slices.Contains(files, want) || !slices.Contains(files, realAppPath) || !slices.Contains(files, "/etc/ld.so.cache") {
			t.Errorf("%s: %v", arch, files)
		}
	}
}

// syntheticReal is a benchmark 4 run: cold 100 MB over 98 MB scanned,
// warm without layer bytes in 1/20 of the time, a new layer, the fleet
// fetching each base once.
func syntheticReal() *realResult {
	fx := realFixtures{Repo: "bench/real-app:v1", NewRepo: "bench/real-app:v2", FleetRepos: make([]string, 5),
		Base:   map[string]layerInfo{"amd64": {"sha256:b1", 49_000_000}, "arm64": {"sha256:b2", 48_000_000}},
		App:    map[string]layerInfo{"amd64": {"sha256:a1", 1_100_000}, "arm64": {"sha256:a2", 1_100_000}},
		NewApp: map[string]layerInfo{"amd64": {"sha256:n1", 1_100_000}, "arm64": {"sha256:n2", 1_100_000}},
		Files:  map[string][]string{"amd64": realFiles("amd64"), "arm64": realFiles("arm64")}}
	r := &realResult{Fixtures: fx, FleetExits: map[int]int{0: 60}, FleetBaseFetches: map[string]int{"amd64": 1, "arm64": 1},
		FleetBaseBytes: map[string]int64{"amd64": 49_000_000, "arm64": 48_000_000}}
	add := func(name string, wall time.Duration, bytes, layer, meta, scanned int64) {
		run := realRun{Name: name, Correct: true}
		for i := range 3 {
			run.Sample.add(wall+time.Duration(i)*time.Millisecond, bytes, 20)
			run.LayerBytes, run.MetaBytes, run.Scanned = append(run.LayerBytes, layer), append(run.MetaBytes, meta), append(run.Scanned, scanned)
			run.Exits = append(run.Exits, 0)
		}
		run.Summary = run.Sample.summary()
		r.Runs = append(r.Runs, run)
	}
	add(realCold, 2*time.Second, 100_000_000, 99_990_000, 10_000, 99_200_000)
	add(realWarm, 100*time.Millisecond, 10_000, 0, 10_000, 0)
	add(realNewApp, 200*time.Millisecond, 2_210_000, 2_200_000, 10_000, 2_200_000)
	add(realRegctl, 20*time.Second, 700_000_000, 699_000_000, 1_000_000, 99_200_000)
	add(realCrane, 5*time.Second, 200_000_000, 199_000_000, 1_000_000, 99_200_000)
	var fleet sample
	for range 3 {
		fleet.add(3*time.Second, 120_000_000, 400)
	}
	r.Fleet = fleet.summary()
	return r
}

func TestRealTargets(t *testing.T) {
	judge := func(r *realResult) map[string]bool {
		met := map[string]bool{}
		for _, tg := range realTargets(r) {
			met[tg.Goal] = tg.Met
		}
		return met
	}
	all := judge(syntheticReal())
	if len(all) != 6 {
		t.Fatalf("%d targets: %v", len(all), all)
	}
	for goal, met := range all {
		if !met {
			t.Errorf("%s not met on numbers that meet it", goal)
		}
	}
	tests := []struct {
		name  string
		spoil func(r *realResult)
		goal  string
	}{
		{"cold reads 10% more than its layers", func(r *realResult) { r.run(realCold).Sample.Bytes[1] = 110_000_000 }, "real image, cold: bytes"},
		{"cold slower than regctl", func(r *realResult) { r.run(realRegctl).Summary.WallMedian = time.Second }, "real image, cold: wall"},
		{"warm fetched a layer", func(r *realResult) { r.run(realWarm).LayerBytes[2] = 1 }, "real image, warm: bytes"},
		{"warm not 10x faster", func(r *realResult) { r.run(realWarm).Summary.WallMedian = time.Second }, "real image, warm: wall"},
		{"the new image fetched the base", func(r *realResult) { r.run(realNewApp).Sample.Bytes[0] = 50_000_000 }, "real image, a new application layer"},
		{"the fleet streamed a base twice", func(r *realResult) { r.FleetBaseFetches["arm64"] = 2 }, "real image, fleet"},
		{"a fleet verify failed", func(r *realResult) { r.FleetExits = map[int]int{0: 59, 2: 1} }, "real image, fleet"},
		{"cold verify failed", func(r *realResult) { r.run(realCold).Correct = false }, "real image, cold: bytes"},
	}
	for _, tt := range tests {
		r := syntheticReal()
		tt.spoil(r)
		found := false
		for goal, met := range judge(r) {
			if strings.HasPrefix(goal, tt.goal) {
				found = true
				if met {
					t.Errorf("%s: %q still met", tt.name, goal)
				}
			}
		}
		if !found {
			t.Errorf("%s: no target %q", tt.name, tt.goal)
		}
	}
	if realTargets(nil) != nil {
		t.Error("targets without benchmark 4")
	}
}
