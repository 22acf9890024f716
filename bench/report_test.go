package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// syntheticResults is a fixed run: the report and the chart are rendered
// from it in the tests.
func syntheticResults() *results {
	start := time.Date(2026, 11, 25, 20, 30, 0, 0, time.UTC)
	one := func(ms int, bytes int64, req int) summary {
		var s sample
		for i := range 3 {
			s.add(time.Duration(ms+i)*time.Millisecond, bytes, req)
		}
		return s.summary()
	}
	res := &results{
		Started: start, Finished: start.Add(9 * time.Minute), Reps: 3, BuildReps: 3,
		Machine:  machineInfo{CPUs: 2, CPUModel: "Test CPU", MemoryGiB: 23.5, Kernel: "6.1", LoadAvg: "0.40 0.90 1.10", LoadAvgEnd: "1.50 1.20 1.10"},
		Versions: []toolVersion{{"imgcheck", "imgcheck (devel)"}, {"regctl", "v0.11.7"}},
		Fixtures: fixtures{
			Probes: []probeImage{
				{Key: "a", Description: "ko-style"}, {Key: "b", Description: "60 MB base"}, {Key: "c", Description: "20 MB upper"},
			},
			BinarySize: map[string]int64{"arm64": 8_500_000},
		},
	}
	bytesOf := map[string]map[string]int64{
		"a": {toolInspect: 67_000, toolVerify: 67_000, toolRegctl: 3_500_000, toolCrane: 3_500_000, toolSkopeo: 1_700, toolRegctlCut: 200_000, toolCraneCut: 300_000},
		"b": {toolInspect: 67_000, toolVerify: 67_000, toolRegctl: 3_500_000, toolCrane: 3_500_000, toolSkopeo: 1_900},
		"c": {toolInspect: 25_000_000, toolVerify: 25_000_000, toolRegctl: 24_500_000, toolCrane: 24_500_000, toolSkopeo: 1_900},
	}
	for _, key := range []string{"a", "b", "c"} {
		for i, tool := range probeTools {
			res.Probe = append(res.Probe, probeResult{Image: key, Tool: tool, Summary: one(20+10*i, bytesOf[key][tool], 3+i), Answer: "binary arm64", Correct: true})
		}
	}
	for _, sbom := range []bool{false, true} {
		res.Build = append(res.Build,
			buildResult{Tool: builderImgcheck, SBOM: sbom, WarmLayerBytes: []int64{0, 0, 0},
				Phases: map[string]summary{phaseCold: one(30_000, 14_000_000, 38), phaseWarm: one(900, 565, 14), phaseEdit: one(1100, 14_000_000, 36)}},
			buildResult{Tool: builderKo, SBOM: sbom, WarmLayerBytes: []int64{0, 0, 0},
				Phases: map[string]summary{phaseCold: one(26_000, 14_800_000, 36), phaseWarm: one(950, 0, 8), phaseEdit: one(1000, 14_800_000, 31)}})
	}
	res.Fleet = &fleetResult{TaskDefs: 20, Containers: 2, Images: 5, PerTaskDef: one(470, 2_360_000, 195), ImageSide: one(70, 669_000, 40),
		ExitCodes: map[int]int{0: 63}, MaxGets: 2, Repeated: map[string]int{"manifest": 10, "blob": 5}, RepeatedInSidecarTasks: 15}
	res.Real = syntheticReal()
	res.GoBench = "BenchmarkLoad/register-2   100   84625 ns/op"
	return res
}

func TestReportGolden(t *testing.T) {
	var got bytes.Buffer
	if err := renderReport(&got, syntheticResults(), "docs/benchmarks.png"); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "report.golden.md")
	if *update {
		if err := writeFile(golden, got.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./bench -run TestReportGolden -update)", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("report differs from %s (rerun with -update and review the diff):\n%s", golden, got.String())
	}
}

func TestJudgeTargets(t *testing.T) {
	res := syntheticResults()
	met := map[string]bool{}
	for _, tg := range judgeTargets(res) {
		met[tg.Goal] = tg.Met
	}
	tests := []struct {
		goal string
		want bool
	}{
		{"(a) imgcheck downloads at most 1/20 of regctl get-file", true}, // 67 KB vs 3.5 MB
		{"(c) imgcheck downloads no more than any peer that reads the binary", false},
		{"(a) imgcheck wall time no worse than regctl's", true},
		{"build --sbom=none, cold: within 10% of ko", false}, // 30 s vs 26 s: +15%
		{"build --sbom=none, warm: no slower than ko", true},
		{"build --sbom=none, one-line: no slower than ko", false},
		{"build --sbom=none, warm rebuild uploads no layer bytes", true},
		{"fleet, one task definition per invocation: shared manifests and blobs fetched once per invocation", false},
		{"fleet: one imgcheck verify invocation for all 20 task definitions", false},
		{"real image, warm: wall time at most 1/10 of cold", true},
	}
	for _, tt := range tests {
		got, ok := met[tt.goal]
		if !ok {
			t.Errorf("no target %q", tt.goal)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: met = %v, want %v", tt.goal, got, tt.want)
		}
	}
}
