package verify

import (
	"bytes"
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/internal/sarifcheck"
	"github.com/imgcheck/imgcheck/platform"
	"github.com/imgcheck/imgcheck/taskdef"
)

// Real runs, with a task definition and image-only, render SARIF that
// code scanning takes: schema-valid, and every result located at the line
// it is about (runtimePlatform for platform findings, the image line for
// the rest) or at the image.
func TestSARIFOfRealRunsIsAccepted(t *testing.T) {
	reg := imagetest.Registry(t)
	amdOnly := reg.PushImage(t, "app:amd64", appImage(t, "amd64", false))
	td := parseTask(t, taskJSON("arm64", amdOnly, `,
    "healthCheck": {"command": ["CMD", "/ko-app/app", "-health"]},
    "dockerLabels": {"imgcheck.ignore": "IC309"}`))
	withTask := runVerify(t, td, amdOnly)
	arm, err := platform.Parse("linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	// A registry on 127.0.0.1:PORT: the colon must be encoded in the URI.
	imageOnly := Run(context.Background(), Input{Subjects: []Subject{{Ref: amdOnly}}, Platforms: []v1.Platform{arm}}, Options{FailOn: Error})
	typo := InputErrorReport(taskdef.Errors{{Pos: taskdef.Pos{File: "deploy/td.json", Line: 3, Column: 7}, Key: "cpu", Msg: "bad"}}, ToolInfo{}, Error)

	for name, r := range map[string]*Report{"task": withTask, "image-only": imageOnly, "input error": typo} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, r, "sarif"); err != nil {
				t.Fatal(err)
			}
			if err := sarifcheck.Check(buf.Bytes()); err != nil {
				t.Fatalf("%v\n%s", err, buf.String())
			}
			if strings.Count(buf.String(), `"ruleId"`) == 0 {
				t.Fatalf("no results:\n%s", buf.String())
			}
		})
	}

	// Where each finding of the task run points.
	lines := map[string]int{}
	for _, f := range append(append([]Finding{}, withTask.Findings...), withTask.Suppressed...) {
		if f.Location == nil || f.Location.File != "td.json" {
			t.Errorf("%s has no location in td.json: %+v", f.RuleID, f.Location)
			continue
		}
		lines[f.RuleID] = f.Location.Line
	}
	const runtimePlatformLine, imageLine = 7, 11 // of taskJSON
	for id, want := range map[string]int{"IC102": runtimePlatformLine, "IC204": imageLine, "enum-case": runtimePlatformLine} {
		if lines[id] != want {
			t.Errorf("%s at line %d, want %d (all: %v)", id, lines[id], want, lines)
		}
	}
	if len(withTask.Suppressed) != 1 || withTask.Suppressed[0].RuleID != "IC309" || withTask.Suppressed[0].Suppressed.By != SuppressedByLabel {
		t.Errorf("suppressed = %+v, want IC309 by the container's label", withTask.Suppressed)
	}
	for _, f := range imageOnly.Findings {
		if f.Image == "" || f.Location != nil {
			t.Errorf("image-only finding %s: image %q, location %+v; want the image and no file", f.RuleID, f.Image, f.Location)
		}
	}
}

// sarifURI always gives a URI reference code scanning accepts.
func TestSARIFURI(t *testing.T) {
	for in, want := range map[string]string{
		"examples/taskdef-arm64.json":                              "examples/taskdef-arm64.json",
		"/home/runner/work/td.json":                                "file:///home/runner/work/td.json",
		`C:\work\td.json`:                                          "file:///C:/work/td.json",
		"arn:aws:ecs:us-east-1:123456789012:task-definition/app:7": "arn:aws:ecs:us-east-1:123456789012:task-definition/app:7",
		"registry.example/app:v1":                                  "registry.example/app:v1",
		"app@sha256:abc":                                           "app@sha256%3Aabc",
		"my dir/td#1.json":                                         "my%20dir/td%231.json",
		"":                                                         ".",
	} {
		if got := sarifURI(in); got != want {
			t.Errorf("sarifURI(%q) = %q, want %q", in, got, want)
		}
	}
}
