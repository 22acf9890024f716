package verify

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func sampleReport(withProblem bool) *Report {
	loc := &Location{File: "examples/taskdef-arm64.json", Line: 12, Column: 7}
	r := &Report{
		Tool:    ToolInfo{Name: "imgcheck", Version: "v0.0.0-test"},
		TaskDef: &Source{File: "examples/taskdef-arm64.json", Shape: "register", Family: "sample-server-arm64"},
		Targets: []Target{
			{Container: "sidecar", Image: "registry.example/sidecar:1", Digest: "sha256:" + strings.Repeat("b", 64),
				Platform: "linux/arm64", Executable: "/bin/agent", Binary: "ELF 64-bit LSB executable, ARM aarch64, static",
				ReadMode: "prefix-read", Checks: []string{FamilyPlatform, FamilyEntrypoint, FamilyTask}},
			{Container: "app", Image: "registry.example/app:latest", Digest: "sha256:" + strings.Repeat("a", 64),
				PlatformDigest: "sha256:" + strings.Repeat("c", 64), Platform: "linux/arm64", Executable: "/ko-app/app",
				Binary: "ELF 64-bit LSB executable, x86-64, static", ReadMode: "prefix-read",
				Checks: []string{FamilyPlatform, FamilyEntrypoint, FamilyTask}},
		},
		Findings: []Finding{
			{RuleID: "IC313", Severity: Info, Container: "app", Platform: "linux/arm64", Message: "image registry.example/app:latest is referenced by tag", Location: loc},
			{RuleID: "IC204", Severity: Error, Container: "app", Platform: "linux/arm64",
				Message:  "entrypoint /ko-app/app is an x86-64 binary but the task runs ARM64: the container will fail with \"exec format error\"",
				Evidence: "e_machine=EM_X86_64 at /ko-app/app (layer 2)", Fix: "build with GOARCH=arm64, or set runtimePlatform.cpuArchitecture to X86_64"},
			{RuleID: "IC311", Severity: Warning, Container: "app", Message: "runtimePlatform inside the container definition is ignored by ECS, 100%: move it, ok",
				Location: &Location{File: "examples/taskdef-arm64.json", Line: 30, Column: 9}},
		},
	}
	if withProblem {
		r.Errors = append(r.Errors, Problem{Container: "sidecar", Image: "registry.example/sidecar:1", Platform: "linux/arm64",
			Message: "reading layer sha256:bbbb: unexpected EOF (truncated body); retry, or check the registry"})
	}
	return r
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range []struct {
		name        string
		withProblem bool
		failOn      Severity
		exitCode    int // set by the program that acts on the verdict
	}{
		{"findings", false, Error, 1},
		{"problem", true, Warning, 2},
	} {
		for _, format := range Formats() {
			t.Run(tc.name+"."+format, func(t *testing.T) {
				r := sampleReport(tc.withProblem)
				r.Finish(tc.failOn)
				r.ExitCode = tc.exitCode
				var buf bytes.Buffer
				if err := Render(&buf, r, format); err != nil {
					t.Fatal(err)
				}
				checkWellFormed(t, format, buf.Bytes())
				golden := filepath.Join("testdata", "report", tc.name+"."+format)
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./verify -run TestRenderGolden -update)", err)
				}
				if got := buf.String(); got != string(want) {
					t.Errorf("%s differs from golden file %s:\n%s", format, golden, got)
				}
			})
		}
	}
}

func checkWellFormed(t *testing.T, format string, out []byte) {
	t.Helper()
	switch format {
	case "json", "sarif":
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("%s output is not JSON: %v", format, err)
		}
		if format == "sarif" && v["version"] != "2.1.0" {
			t.Errorf("sarif version %v", v["version"])
		}
	case "junit":
		var v junitSuites
		if err := xml.Unmarshal(out, &v); err != nil {
			t.Fatalf("junit output is not XML: %v", err)
		}
	case "github":
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if strings.HasPrefix(line, "::") && strings.Count(line, "::") < 2 {
				t.Errorf("malformed workflow command %q", line)
			}
		}
	}
}

func TestFinishVerdicts(t *testing.T) {
	target := Target{Image: "x", Platform: "linux/amd64", Checks: []string{FamilyPlatform}}
	tests := []struct {
		name     string
		r        Report
		failOn   Severity
		wantExit Verdict
	}{
		{"clean", Report{Targets: []Target{target}}, Error, VerdictPass},
		{"no targets cannot pass", Report{}, Error, VerdictCouldNotVerify},
		{"problem wins over findings", Report{Targets: []Target{target}, Errors: []Problem{{Message: "x"}},
			Findings: []Finding{{RuleID: "IC204", Severity: Error}}}, Error, VerdictCouldNotVerify},
		{"error finding", Report{Targets: []Target{target}, Findings: []Finding{{RuleID: "IC204", Severity: Error}}}, Error, VerdictFindings},
		{"warning below fail-on", Report{Targets: []Target{target}, Findings: []Finding{{RuleID: "IC105", Severity: Warning}}}, Error, VerdictPass},
		{"warning at fail-on", Report{Targets: []Target{target}, Findings: []Finding{{RuleID: "IC105", Severity: Warning}}}, Warning, VerdictFindings},
		{"info never fails at warning", Report{Targets: []Target{target}, Findings: []Finding{{RuleID: "IC313", Severity: Info}}}, Warning, VerdictPass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			r.Finish(tt.failOn)
			if r.Verdict != tt.wantExit {
				t.Errorf("verdict %s, want %s", r.Verdict, tt.wantExit)
			}
		})
	}
}

func TestRulesAreWellFormedAndDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := WriteRulesMarkdown(&want); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(filepath.Join("..", "docs", "rules.md"), want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		doc = want.Bytes()
	}
	if string(doc) != want.String() {
		t.Errorf("docs/rules.md is out of date; run go test ./verify -run TestRulesAreWellFormedAndDocumented -update")
	}
	seen := map[string]bool{}
	for _, r := range Rules() {
		if len(r.ID) != 5 || !strings.HasPrefix(r.ID, "IC") || seen[r.ID] {
			t.Errorf("bad or duplicate rule ID %q", r.ID)
		}
		seen[r.ID] = true
		if r.Title == "" || r.Help == "" || r.Family == "" {
			t.Errorf("rule %s lacks title, help or family", r.ID)
		}
	}
}
