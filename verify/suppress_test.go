package verify

import (
	"context"
	"errors"
	"testing"

	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/taskdef"
)

func TestSuppressionFor(t *testing.T) {
	label := &taskdef.Ignore{Rules: []string{"IC204"}, Key: "dockerLabels.imgcheck.ignore", Pos: taskdef.Pos{File: "td.json", Line: 9, Column: 40}}
	taskMeta := &taskdef.Ignore{Rules: []string{"IC313"}, Key: "Resources.Task.Metadata.imgcheck.ignore", Pos: taskdef.Pos{File: "stack.yaml", Line: 5}}
	svcMeta := &taskdef.Ignore{Rules: []string{"IC401"}, Key: "Resources.Svc.Metadata.imgcheck.ignore", Pos: taskdef.Pos{File: "stack.yaml", Line: 20}}
	td := &taskdef.TaskDefinition{Ignore: taskMeta, Containers: []taskdef.Container{
		{Name: taskdef.String{Value: "app", Set: true}, Ignore: label},
		{Name: taskdef.String{Value: "side", Set: true}},
	}}
	in := Input{TaskDef: td, Service: &taskdef.Service{Ignore: svcMeta}}
	tests := []struct {
		name   string
		f      Finding
		ignore []string
		wantBy string // "" not suppressed
	}{
		{"the run's list first", Finding{RuleID: "IC204", Container: "app"}, []string{"IC204"}, SuppressedByRun},
		{"the container's label", Finding{RuleID: "IC204", Container: "app"}, nil, SuppressedByLabel},
		{"another container's label does not apply", Finding{RuleID: "IC204", Container: "side"}, nil, ""},
		{"the task's metadata", Finding{RuleID: "IC313", Container: "side"}, nil, SuppressedByMetadata},
		{"the service's metadata for a service rule", Finding{RuleID: "IC401"}, nil, SuppressedByMetadata},
		{"not named anywhere", Finding{RuleID: "IC101", Container: "app"}, []string{"IC204"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := suppressionFor(tt.f, in, tt.ignore)
			switch {
			case tt.wantBy == "" && s != nil:
				t.Fatalf("suppressed by %+v, want not suppressed", s)
			case tt.wantBy != "" && (s == nil || s.By != tt.wantBy):
				t.Fatalf("suppression %+v, want by %s", s, tt.wantBy)
			}
		})
	}
}

// Suppressed findings are shown apart and never counted; problems are never
// suppressed and keep the verdict at could not verify.
func TestFinishSetsSuppressedApart(t *testing.T) {
	target := Target{Image: "x", Platform: "linux/amd64", Checks: []string{FamilyPlatform}}
	r := Report{Targets: []Target{target}, Findings: []Finding{
		{RuleID: "IC204", Severity: Error, Suppressed: &Suppression{By: SuppressedByRun}},
		{RuleID: "IC105", Severity: Warning},
	}}
	r.Finish(Error)
	if r.Verdict != VerdictPass || len(r.Findings) != 1 || len(r.Suppressed) != 1 || r.Summary.Errors != 0 || r.Summary.Suppressed != 1 {
		t.Fatalf("verdict %s, findings %v, suppressed %v, summary %+v", r.Verdict, r.Findings, r.Suppressed, r.Summary)
	}
	withProblem := Report{Targets: []Target{target}, Errors: []Problem{{Message: "registry down"}},
		Findings: []Finding{{RuleID: "IC204", Severity: Error, Suppressed: &Suppression{By: SuppressedByRun}}}}
	withProblem.Finish(Error)
	if withProblem.Verdict != VerdictCouldNotVerify {
		t.Errorf("verdict %s with a problem, want %s", withProblem.Verdict, VerdictCouldNotVerify)
	}
}

func TestCheckRuleIDs(t *testing.T) {
	if err := CheckRuleIDs([]string{"IC313", "IC209", "enum-case"}); err != nil {
		t.Errorf("known IDs refused: %v", err)
	}
	// A problem is no rule: it cannot be suppressed.
	for _, id := range []string{"IC999", "ic313", "could-not-verify", ""} {
		if err := CheckRuleIDs([]string{id}); !errors.Is(err, ErrUnknownRule) {
			t.Errorf("CheckRuleIDs(%q) = %v, want ErrUnknownRule", id, err)
		}
	}
}

// In an image-only run two images share container "" and a platform: each
// finding belongs to the target of its own image.
func TestSameTargetTellsImagesApart(t *testing.T) {
	a := Target{Image: "reg/a:1", Platform: "linux/arm64"}
	b := Target{Image: "reg/b:1", Platform: "linux/arm64"}
	f := Finding{RuleID: "IC204", Platform: "linux/arm64", Image: "reg/b:1"}
	if f.sameTarget(a) || !f.sameTarget(b) {
		t.Errorf("finding of reg/b:1 matches a=%v b=%v", f.sameTarget(a), f.sameTarget(b))
	}
	if g := (Finding{RuleID: "IC204", Platform: "linux/arm64"}); !g.sameTarget(a) {
		t.Error("a finding without an image must still match by container and platform")
	}
}

// Suppressing a finding that stopped every other check of its image cannot
// pass the run: what it stopped was never checked.
func TestSuppressedStopCannotPass(t *testing.T) {
	stopped := Target{Container: "app", Image: "reg/a:1", Platform: "linux/arm64", Checks: []string{FamilyPlatform}}
	checked := Target{Container: "app", Image: "reg/a:1", Platform: "linux/amd64", Checks: []string{FamilyPlatform, FamilyEntrypoint, FamilyTask}}
	ignored := &Suppression{By: SuppressedByRun}
	tests := []struct {
		name     string
		target   Target
		finding  Finding
		problems int
	}{
		{"suppressed IC101 stopped the checks", stopped, Finding{RuleID: "IC101", Container: "app", Platform: "linux/arm64", Suppressed: ignored, stopped: true}, 1},
		{"suppressed IC104 stopped the checks", stopped, Finding{RuleID: "IC104", Container: "app", Platform: "linux/arm64", Suppressed: ignored, stopped: true}, 1},
		{"suppressed IC204 stopped the entrypoint's checks", checked, Finding{RuleID: "IC204", Container: "app", Platform: "linux/amd64", Suppressed: ignored, stopped: true}, 1},
		{"IC101 not suppressed: the finding fails the run", stopped, Finding{RuleID: "IC101", Container: "app", Platform: "linux/arm64", stopped: true}, 0},
		{"another target's finding", stopped, Finding{RuleID: "IC101", Container: "side", Platform: "linux/arm64", Suppressed: ignored, stopped: true}, 0},
		{"a suppressed finding that stops nothing", checked, Finding{RuleID: "IC313", Container: "app", Platform: "linux/amd64", Suppressed: ignored}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := suppressedStops([]Target{tt.target}, []Finding{tt.finding})
			if len(ps) != tt.problems {
				t.Fatalf("problems %+v, want %d", ps, tt.problems)
			}
			r := Report{Targets: []Target{tt.target}, Findings: []Finding{tt.finding}, Errors: ps}
			r.Finish(Error)
			if tt.problems > 0 && r.Verdict != VerdictCouldNotVerify {
				t.Errorf("verdict %s, want %s", r.Verdict, VerdictCouldNotVerify)
			}
		})
	}
}

// End to end: an arm64 binary on an amd64 task with IC204 suppressed stops
// the entrypoint's checks (the loader, the run user); with IC102 suppressed
// too, nothing else fails the run, and yet it cannot pass.
// A suppressed finding that stops nothing (IC313) still lets it pass.
func TestSuppressedEntrypointStopCannotPass(t *testing.T) {
	reg := imagetest.Registry(t)
	armOnly := reg.PushImage(t, "stop/arm:v1", appImage(t, "arm64", false))
	amdOnly := reg.PushImage(t, "stop/amd:v1", appImage(t, "amd64", false))
	for _, tc := range []struct {
		image   string
		ignore  []string
		verdict Verdict
	}{
		{armOnly, []string{"IC102", "IC204"}, VerdictCouldNotVerify},
		{amdOnly, []string{"IC313"}, VerdictPass},
	} {
		td := parseTask(t, `{"family": "f", "requiresCompatibilities": ["EC2"], "runtimePlatform": {"cpuArchitecture": "X86_64"}, "containerDefinitions": [{"name": "app", "image": "`+tc.image+`", "essential": true, "memory": 128}]}`)
		subjects, err := PairImages(td, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		r := Run(context.Background(), Input{TaskDef: td, Subjects: subjects}, Options{FailOn: Error, Ignore: tc.ignore})
		if r.Verdict != tc.verdict {
			t.Errorf("%s with %s suppressed: verdict %s, want %s; errors %+v; findings %+v", tc.image, tc.ignore, r.Verdict, tc.verdict, r.Errors, r.Findings)
		}
	}
}
