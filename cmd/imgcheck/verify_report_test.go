package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

type reportJSON struct {
	ExitCode int `json:"exitCode"`
	Findings []struct {
		Rule     string `json:"rule"`
		Location *struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"location"`
	} `json:"findings"`
	Suppressed []struct {
		Rule       string `json:"rule"`
		Suppressed struct {
			By string `json:"by"`
		} `json:"suppressed"`
	} `json:"suppressed"`
	Errors []struct {
		Message  string `json:"message"`
		Location *struct {
			File   string `json:"file"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"location"`
	} `json:"errors"`
}

func (r reportJSON) rules() (findings, suppressed []string) {
	for _, f := range r.Findings {
		findings = append(findings, f.Rule)
	}
	for _, f := range r.Suppressed {
		suppressed = append(suppressed, f.Rule+"/"+f.Suppressed.By)
	}
	return findings, suppressed
}

// The task definition's own suppressions and the loader's warnings reach
// the report: suppressed findings are shown and not counted, warnings
// count only from --fail-on warning. IC204 (the binary's machine) stops
// the entrypoint's checks, so suppressing it leaves the run unable to
// pass: exit 2, naming it.
func TestVerifySuppressionAndInputWarnings(t *testing.T) {
	reg := imagetest.Registry(t)
	amdOnly := reg.PushImage(t, "app:amd64", koImage(t, "amd64"))
	td := fmt.Sprintf(`{
  "family": "app", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
  "runtimePlatform": {"cpuArchitecture": "arm64", "operatingSystemFamily": "LINUX"},
  "containerDefinitions": [{"name": "app", "image": %q, "essential": true,
    "dockerLabels": {"imgcheck.ignore": "IC102, IC204, IC999"}}]
}`, amdOnly)
	path := filepath.Join(t.TempDir(), "td.json")
	if err := os.WriteFile(path, []byte(td), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "verify", "--taskdef", path, "--format", "json")
	var rep reportJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("exit %d: %v\n%s\n%s", code, err, out, errOut)
	}
	findings, suppressed := rep.rules()
	if code != 2 || !slices.Contains(suppressed, "IC102/dockerLabels") || !slices.Contains(suppressed, "IC204/dockerLabels") ||
		!slices.Contains(findings, "enum-case") || !slices.Contains(findings, "unknown-ignored-rule") || slices.Contains(findings, "IC204") {
		t.Fatalf("exit %d, findings %v, suppressed %v", code, findings, suppressed)
	}
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "IC204 is suppressed") {
		t.Errorf("errors %+v, want one saying IC204 is suppressed but stopped the checks after it", rep.Errors)
	}
	for _, f := range rep.Findings {
		if f.Location == nil || f.Location.File != path || f.Location.Line == 0 {
			t.Errorf("finding %s has no line in the task definition: %+v", f.Rule, f.Location)
		}
	}
	// A suppressed stop is never a pass, at any --fail-on, ignored warnings
	// or not; the suppressions are still shown.
	if code, _, _ := runCLI(t, "verify", "--taskdef", path, "--fail-on", "warning"); code != 2 {
		t.Errorf("--fail-on warning: exit %d, want 2", code)
	}
	code, out, errOut = runCLI(t, "verify", "--taskdef", path, "--fail-on", "warning", "--ignore", "enum-case,unknown-ignored-rule")
	if code != 2 || !strings.Contains(out, "suppressed (shown, not counted)") || !strings.Contains(out, "ignored for this run") {
		t.Errorf("--ignore: exit %d\n%s\n%s", code, out, errOut)
	}
	// Without the label, --ignore alone suppresses the error findings.
	plain := verifyTaskFile(t, "ARM64", amdOnly)
	if code, out, _ := runCLI(t, "verify", "--taskdef", plain, "--ignore", "IC102", "--ignore", "IC204,IC309", "--format", "github"); code != 2 ||
		!strings.Contains(out, "::notice file="+plain) || !strings.Contains(out, "title=suppressed IC204 app linux/arm64") {
		t.Errorf("--ignore IC102 --ignore IC204,IC309: exit %d\n%s", code, out)
	}
	// A suppressed finding that stops nothing lets the run pass.
	if code, out, errOut := runCLI(t, "verify", "--taskdef", verifyTaskFile(t, "X86_64", amdOnly), "--ignore", "IC313"); code != 0 {
		t.Errorf("--ignore IC313 on a runnable task: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "verify", "--taskdef", plain, "--ignore", "IC999"); code != 2 || !strings.Contains(errOut, `--ignore: no such rule: "IC999"`) {
		t.Errorf("unknown rule: exit %d, %q", code, errOut)
	}
}

// A typo in the task definition stops the run (exit 2), and the report is
// still written in the format asked for, pointing at the line.
func TestVerifyInputErrorIsReported(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "td.json")
	td := "{\n  \"family\": \"app\",\n  \"containerDefinitions\": [\n    {\"name\": \"app\", \"image\": \"app:v1\", \"essential\": \"yes\"}\n  ]\n}\n"
	if err := os.WriteFile(path, []byte(td), 0o644); err != nil {
		t.Fatal(err)
	}
	for format, want := range map[string]string{
		"sarif":  `"startLine": 4`,
		"junit":  `<failure message="` + path + `:4:`,
		"github": "::error file=" + path + ",line=4,col=",
		"json":   `"exitCode": 2`,
		"text":   "[" + path + ":4:",
	} {
		t.Run(format, func(t *testing.T) {
			report := filepath.Join(dir, "report."+format)
			code, _, errOut := runCLI(t, "verify", "--taskdef", path, "--format", format, "--output", report)
			if code != 2 || !strings.Contains(errOut, "essential") {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			b, err := os.ReadFile(report)
			if err != nil || !strings.Contains(string(b), want) {
				t.Fatalf("report %s lacks %q: %v\n%s", report, want, err, b)
			}
		})
	}
	// Errors before any input is read are reported the same way.
	report := filepath.Join(dir, "failon.json")
	if code, _, _ := runCLI(t, "verify", "--taskdef", path, "--fail-on", "sometimes", "--format", "json", "--output", report); code != 2 {
		t.Fatalf("bad --fail-on: exit %d", code)
	}
	var rep reportJSON
	b, _ := os.ReadFile(report)
	if err := json.Unmarshal(b, &rep); err != nil || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "--fail-on") {
		t.Errorf("bad --fail-on report: %v %+v", err, rep)
	}
}
