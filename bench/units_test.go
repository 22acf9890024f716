package main

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/imgcheck/imgcheck/taskdef"
)

func TestMedianSpread(t *testing.T) {
	tests := []struct {
		in          []int64
		med, lo, hi int64
	}{
		{nil, 0, 0, 0},
		{[]int64{7}, 7, 7, 7},
		{[]int64{3, 1, 2}, 2, 1, 3},
		{[]int64{4, 1, 3, 2}, 2, 1, 4}, // (2+3)/2 in integers
		{[]int64{10, 10, 10, 10, 90}, 10, 10, 90},
	}
	for _, tt := range tests {
		med, lo, hi := medianSpread(tt.in)
		if med != tt.med || lo != tt.lo || hi != tt.hi {
			t.Errorf("medianSpread(%v) = %d, %d, %d; want %d, %d, %d", tt.in, med, lo, hi, tt.med, tt.lo, tt.hi)
		}
	}
	in := []time.Duration{3, 1, 2}
	medianSpread(in)
	if in[0] != 3 {
		t.Error("medianSpread sorted its input in place")
	}
}

func TestElfMachine(t *testing.T) {
	header := func(machine uint16) []byte {
		h := make([]byte, 64)
		copy(h, "\x7fELF\x02\x01\x01")
		h[18], h[19] = byte(machine), byte(machine>>8)
		return h
	}
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"arm64", header(183), "arm64"},
		{"amd64", header(62), "amd64"},
		{"riscv", header(243), "other"},
		{"empty (the pipeline printed nothing)", nil, "unreadable"},
		{"short", header(183)[:19], "unreadable"},
		{"not ELF", append([]byte("MZ"), make([]byte, 62)...), "unreadable"},
		{"a script", []byte("#!/bin/sh\necho hello world, this is long enough\n"), "unreadable"},
	}
	for _, tt := range tests {
		if got := elfMachine(tt.in); got != tt.want {
			t.Errorf("%s: elfMachine = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestByteLabels(t *testing.T) {
	tests := []struct {
		n              int64
		human, compact string
	}{
		{0, "0 B", "0B"},
		{999, "999 B", "999B"},
		{1_000, "1.00 KB", "1.0KB"},
		{67_234, "67.2 KB", "67KB"},
		{3_519_775, "3.52 MB", "3.5MB"},
		{20_978_107, "21.0 MB", "21MB"},
		{123_456_789_012, "123 GB", "123GB"},
	}
	for _, tt := range tests {
		if got := humanBytes(tt.n); got != tt.human {
			t.Errorf("humanBytes(%d) = %q, want %q", tt.n, got, tt.human)
		}
		if got := compactBytes(tt.n); got != tt.compact {
			t.Errorf("compactBytes(%d) = %q, want %q", tt.n, got, tt.compact)
		}
	}
	for e, want := range map[int]string{0: "1 B", 2: "100 B", 3: "1 KB", 4: "10 KB", 7: "10 MB", 9: "1 GB"} {
		if got := decadeLabel(e); got != want {
			t.Errorf("decadeLabel(%d) = %q, want %q", e, got, want)
		}
	}
}

func TestRenderChart(t *testing.T) {
	res := syntheticResults()
	b, err := renderChart(res.Probe)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got.X != chartW || got.Y != chartH {
		t.Fatalf("chart is %v, want %dx%d", got, chartW, chartH)
	}
	// Every tool's bar colour is in the first group, image (a), and a
	// larger value makes a taller bar.
	heights := map[string]int{}
	for x := plotLeft; x < plotLeft+(plotRight-plotLeft)/3; x++ {
		for tool, c := range toolColors {
			run := 0
			for y := plotTop; y < plotBottom; y++ {
				r, g, bb, _ := img.At(x, y).RGBA()
				if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bb>>8) == c.B {
					run++
				}
			}
			heights[tool] = max(heights[tool], run)
		}
	}
	for _, tool := range chartTools {
		if heights[tool] == 0 {
			t.Errorf("no bar of %s on the chart", tool)
		}
	}
	if heights[toolRegctl] <= heights[toolInspect] || heights[toolInspect] <= heights[toolSkopeo] {
		t.Errorf("bar heights %v do not follow the bytes (regctl > imgcheck > skopeo)", heights)
	}
}

func TestFleetShape(t *testing.T) {
	used := map[int]bool{}
	same := 0
	for i := range fleetTaskDefs {
		c := fleetContainerImages(i, fleetImages)
		used[c[0]], used[c[1]] = true, true
		if sameImageTwice(i) {
			same++
		}
	}
	if len(used) != fleetImages {
		t.Errorf("the fleet uses %d of %d images", len(used), fleetImages)
	}
	if same == 0 || same == fleetTaskDefs {
		t.Errorf("%d of %d task definitions run one image twice; want some, not all", same, fleetTaskDefs)
	}
}

// TestTaskDefsParse checks the harness's task definitions with the
// project's own parser: what verify reads must be what the harness meant.
func TestTaskDefsParse(t *testing.T) {
	refs := []string{"127.0.0.1:5000/bench/fleet-0:v1", "127.0.0.1:5000/bench/fleet-1:v1"}
	for _, arch := range []string{"ARM64", "X86_64"} {
		td, err := taskdef.Parse("bench.json", taskDefJSON("svc", arch, refs), taskdef.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if td.RuntimePlatform.CPUArchitecture.Value != arch || len(td.Containers) != len(refs) {
			t.Errorf("%s: parsed %s with %d containers", arch, td.RuntimePlatform.CPUArchitecture.Value, len(td.Containers))
		}
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{nil, ""},
		{[]string{"-reps", "1", "-suites", "probe"}, ""},
		{[]string{"-suites", "probe,speed"}, `unknown benchmark "speed"`},
		{[]string{"-reps", "0"}, "at least 1"},
		{[]string{"-nonsense"}, "not defined"},
	}
	for _, tt := range tests {
		_, err := parseFlags(tt.args)
		if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("parseFlags(%q) = %v, want error %q", tt.args, err, tt.wantErr)
		}
	}
}
