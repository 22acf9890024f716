package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/taskdef"
)

// updatePlanGolden rewrites the golden files: go test ./cmd/imgcheck -run Plan -update-plan
var updatePlanGolden = flag.Bool("update-plan", false, "rewrite testdata/plan/*.golden")

func planFile(name string) string { return filepath.Join("testdata", "plan", name) }

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := planFile(name)
	if *updatePlanGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update-plan to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

func TestPlanTwelveTasksGolden(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			code, out, errOut := runCLI(t, "plan", "--service", planFile("twelve.json"), "--format", format)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			checkGolden(t, "twelve."+format+".golden", out)
		})
	}
}

// TestPlanTwelveTasks checks the example from the JSON output, so
// the figures are computed, not only compared to a stored file.
func TestPlanTwelveTasks(t *testing.T) {
	code, out, errOut := runCLI(t, "plan", "--service", planFile("twelve.json"), "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res taskdef.SpreadPlan
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Count != 12 || !res.Valid || len(res.Allocations) != 2 {
		t.Fatalf("result %+v", res)
	}
	fg, spot := res.Allocations[0], res.Allocations[1]
	if fg.Provider != "FARGATE" || fg.Tasks != 6 || fg.FromBase != 3 || fg.FromWeight != 3 {
		t.Errorf("FARGATE = %+v, want 6 (3 base + 3)", fg)
	}
	if spot.Provider != "FARGATE_SPOT" || spot.Tasks != 6 || spot.FromBase != 0 {
		t.Errorf("FARGATE_SPOT = %+v, want 6", spot)
	}
	if !strings.Contains(res.Note, "estimate") {
		t.Errorf("note %q does not say the figure is an estimate", res.Note)
	}
}

func TestPlanCountAndCloudFormation(t *testing.T) {
	code, out, errOut := runCLI(t, "plan", "--service", planFile("twelve.json"), "--count", "1")
	if code != 0 || !strings.Contains(out, ": 1 tasks") {
		t.Fatalf("--count 1: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "plan", "--service", planFile("stack.yaml"), "--param", "Tasks=9")
	if code != 0 {
		t.Fatalf("stack.yaml: exit %d: %s", code, errOut)
	}
	checkGolden(t, "stack.text.golden", out)
}

func TestPlanRejectsInvalidStrategies(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantReason string
	}{
		{"two bases", []string{"--service", planFile("two-bases.json")}, "only one capacity provider may have a base greater than 0, but FARGATE and FARGATE_SPOT do"},
		{"all weights zero", []string{"--service", planFile("zero-weights.json")}, "every weight is 0"},
		{"more than six providers", []string{"--service", planFile("seven.json")}, "7 capacity providers; a strategy may have at most 6"},
		{"fargate mixed with asg", []string{"--service", planFile("mixed.json")}, "FARGATE/FARGATE_SPOT cannot be mixed with Auto Scaling group capacity providers"},
		{"unknown provider with fargate task", []string{"--service", planFile("asg.json"), "--taskdef", planFile("fargate-task.json")}, "capacity provider my-asg-provider is not FARGATE or FARGATE_SPOT, but the task definition requires FARGATE only"},
		{"spot with windows", []string{"--service", planFile("twelve.json"), "--taskdef", planFile("windows-task.json")}, "FARGATE_SPOT does not run Windows tasks (operatingSystemFamily WINDOWS_SERVER_2022_CORE)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"plan"}, tt.args...)...)
			if code != 1 {
				t.Fatalf("exit %d, want 1\nstdout %s\nstderr %s", code, out, errOut)
			}
			if !strings.Contains(errOut, tt.wantReason) || !strings.Contains(out, tt.wantReason) {
				t.Errorf("reason %q missing\nstdout %s\nstderr %s", tt.wantReason, out, errOut)
			}
		})
	}
}

func TestPlanBadInput(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"unknown key", []string{"--service", planFile("broken.json")}, "broken.json:1:104: capacityProviderStrategy[0].wieght: unknown key (did you mean weight?)"},
		{"missing file", []string{"--service", planFile("nope.json")}, "nope.json"},
		{"task definition given as service", []string{"--service", planFile("fargate-task.json")}, "not a service definition"},
		{"bad param", []string{"--service", planFile("stack.yaml"), "--param", "Tasks"}, `--param "Tasks": want Name=Value`},
		{"bad format", []string{"--service", planFile("twelve.json"), "--format", "xml"}, `unknown --format "xml"`},
		{"no service flag", nil, `required flag(s) "service" not set`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, append([]string{"plan"}, tt.args...)...)
			if code != 2 || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.wantErr)
			}
		})
	}
}

func TestRunPlanDirect(t *testing.T) {
	var out, errOut strings.Builder
	o := &planOptions{service: planFile("twelve.json"), format: "text", count: 3, countSet: true}
	if err := runPlan(context.Background(), o, streams{out: &out, err: &errOut}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "FARGATE_SPOT  0     2       0      0") {
		t.Errorf("3 tasks with base 3 should all go to FARGATE:\n%s", out.String())
	}
}
