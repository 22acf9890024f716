package ci

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/internal/sarifcheck"
)

// TestActionDeclarations checks action.yml's shape: a composite action
// whose every input is used and every output is set by the step it names.
func TestActionDeclarations(t *testing.T) {
	a := loadAction(t, &ciEnv{repo: mustAbs(t, filepath.Join("..", ".."))})
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", a.Runs.Using)
	}
	wantInputs := []string{"image", "taskdef", "service", "fail-on", "format", "ignore"}
	for _, in := range wantInputs {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("input %s is not declared", in)
		}
	}
	var used strings.Builder
	steps := map[string]ghStep{}
	for _, s := range a.Runs.Steps {
		fmt.Fprintln(&used, s.If, s.Run, s.With, s.Env)
		if s.Run != "" && s.Shell == "" {
			t.Errorf("step %q runs a script without shell: (composite actions require it)", s.Name)
		}
		if s.ID != "" {
			steps[s.ID] = s
		}
	}
	for in, decl := range a.Inputs {
		if !strings.Contains(used.String(), "inputs."+in+" ") && !strings.Contains(used.String(), "inputs."+in+"}") {
			t.Errorf("input %s is declared but no step uses it", in)
		}
		if decl.Description == "" {
			t.Errorf("input %s has no description", in)
		}
	}
	ref := regexp.MustCompile(`^\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}$`)
	for _, out := range []string{"pinned-taskdef", "report", "exit-code", "verdict"} {
		if _, ok := a.Outputs[out]; !ok {
			t.Errorf("output %s is not declared", out)
		}
	}
	for out, decl := range a.Outputs {
		m := ref.FindStringSubmatch(decl.Value)
		if m == nil {
			t.Errorf("output %s: value %q is not a step output", out, decl.Value)
			continue
		}
		s, ok := steps[m[1]]
		if !ok {
			t.Errorf("output %s names step %s, which does not exist", out, m[1])
			continue
		}
		if !strings.Contains(s.Run, `echo "`+m[2]+`=`) || !strings.Contains(s.Run, `>> "$GITHUB_OUTPUT"`) {
			t.Errorf("output %s: step %s never writes %s= to $GITHUB_OUTPUT", out, m[1], m[2])
		}
	}
	install := a.Runs.Steps[0]
	if !installLine.MatchString(install.Run) || !strings.Contains(install.Env["IMGCHECK_REF"], "github.action_ref") {
		t.Errorf("the first step must go install imgcheck at github.action_ref; it is %q with env %v", install.Run, install.Env)
	}
	uploads := slices.IndexFunc(a.Runs.Steps, func(s ghStep) bool { return strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") })
	if uploads < 0 || !strings.Contains(a.Runs.Steps[uploads].If, "inputs.format == 'sarif'") ||
		!strings.Contains(a.Runs.Steps[uploads].If, "steps.verify.outputs.report != ''") || !strings.Contains(a.Runs.Steps[uploads].If, "!cancelled()") {
		t.Error("no upload-sarif step conditioned on format: sarif, a report that exists, and running after a failed verify")
	}
}

// TestActionBehaviour runs the action's verify step against a real
// registry: passing, failing with findings, and unable to verify.
func TestActionBehaviour(t *testing.T) {
	e := newCIEnv(t)
	arm := imagetest.GoBinary(t, "linux", "arm64", false)
	img := imagetest.Image(t, imagetest.ImageSpec{
		OS: "linux", Architecture: "arm64", Entrypoint: []string{"/app"},
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.File("app", 0o755, arm))},
	})
	imageRef := e.registry + "/action/app:v1"
	ref, err := name.ParseReference(imageRef, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatalf("pushing the test image: %v", err)
	}
	dir := t.TempDir()
	// A typo on line 3: "essential": "yes".
	typo := "{\"family\":\"app\",\"requiresCompatibilities\":[\"FARGATE\"],\"cpu\":\"256\",\"memory\":\"512\",\n\"containerDefinitions\":[\n{\"name\":\"app\",\"image\":\"registry.example/app:v1\",\"essential\":\"yes\"}]}\n"
	if err := os.WriteFile(filepath.Join(dir, "typo.json"), []byte(typo), 0o644); err != nil {
		t.Fatal(err)
	}
	for arch, file := range map[string]string{"ARM64": "arm64.json", "X86_64": "x86.json"} {
		td := fmt.Sprintf(`{"family":"app","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","cpu":"256","memory":"512",
"runtimePlatform":{"cpuArchitecture":%q,"operatingSystemFamily":"LINUX"},
"containerDefinitions":[{"name":"app","image":"registry.example/app:v1","essential":true}]}`, arch)
		if err := os.WriteFile(filepath.Join(dir, file), []byte(td), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name       string
		with       map[string]string
		wantCode   int
		wantPinned bool
		wantReport string // "" none; else a substring of the report file
		wantOut    string // substring of the step's output
	}{
		{name: "pass, annotations", with: map[string]string{"image": imageRef, "taskdef": "arm64.json"},
			wantCode: 0, wantPinned: true},
		{name: "pass, sarif", with: map[string]string{"image": imageRef, "taskdef": "arm64.json", "format": "sarif"},
			wantCode: 0, wantPinned: true, wantReport: `"version": "2.1.0"`},
		{name: "wrong architecture, annotations", with: map[string]string{"image": imageRef, "taskdef": "x86.json"},
			wantCode: 1, wantOut: "::error"},
		{name: "wrong architecture, sarif", with: map[string]string{"image": imageRef, "taskdef": "x86.json", "format": "sarif"},
			wantCode: 1, wantReport: `"level": "error"`},
		{name: "wrong architecture, junit", with: map[string]string{"image": imageRef, "taskdef": "x86.json", "format": "junit"},
			wantCode: 1, wantReport: "<failure"},
		{name: "warnings pass at fail-on error", with: map[string]string{"image": imageRef, "taskdef": "arm64.json", "fail-on": "error", "format": "json"},
			wantCode: 0, wantPinned: true, wantReport: `"exitCode": 0`},
		// IC204 stops the entrypoint's checks: suppressing it is shown, but
		// the run cannot pass (and nothing is pinned).
		{name: "wrong architecture suppressed", with: map[string]string{"image": imageRef, "taskdef": "x86.json", "ignore": "IC102,IC204", "format": "sarif"},
			wantCode: 2, wantReport: `"suppressions"`},
		{name: "image missing: could not verify", with: map[string]string{"image": e.registry + "/action/missing:v1", "taskdef": "arm64.json"},
			wantCode: 2, wantOut: "::error"},
		{name: "image missing, sarif: the report is still written", with: map[string]string{"image": e.registry + "/action/missing:v1", "taskdef": "arm64.json", "format": "sarif"},
			wantCode: 2, wantReport: `"executionSuccessful": false`},
		{name: "typo in the task definition, annotations", with: map[string]string{"image": imageRef, "taskdef": "typo.json"},
			wantCode: 2, wantOut: "::error file=typo.json,line=3,col="},
		{name: "typo in the task definition, sarif", with: map[string]string{"image": imageRef, "taskdef": "typo.json", "format": "sarif"},
			wantCode: 2, wantReport: `"startLine": 3`},
		{name: "typo in the task definition, junit", with: map[string]string{"image": imageRef, "taskdef": "typo.json", "format": "junit"},
			wantCode: 2, wantReport: `<failure message="typo.json:3:`},
		{name: "bad fail-on", with: map[string]string{"image": imageRef, "taskdef": "arm64.json", "fail-on": "sometimes"},
			wantCode: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newGHRunner(t, e, dir)
			with := map[string]string{}
			for k, v := range tt.with {
				with[k] = v
			}
			code, out := r.runAction(t, ghStep{ID: "check", Uses: "imgcheck/imgcheck@main", With: with})
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d:\n%s", code, tt.wantCode, out)
			}
			if tt.wantOut != "" && !strings.Contains(out, tt.wantOut) {
				t.Errorf("output lacks %q:\n%s", tt.wantOut, out)
			}
			wantVerdict := map[int]string{0: "pass", 1: "fail", 2: "error"}[tt.wantCode]
			if got := r.ctx["steps.check.outputs.verdict"]; got != wantVerdict || r.ctx["steps.check.outputs.exit-code"] != fmt.Sprint(tt.wantCode) {
				t.Errorf("outputs verdict=%q exit-code=%q, want %s and %d", got, r.ctx["steps.check.outputs.exit-code"], wantVerdict, tt.wantCode)
			}
			pinned := r.ctx["steps.check.outputs.pinned-taskdef"]
			if tt.wantPinned {
				b, err := os.ReadFile(pinned)
				if err != nil || !strings.Contains(string(b), imageRef[:strings.LastIndex(imageRef, ":")]+"@sha256:") {
					t.Errorf("pinned-taskdef %q: %v\n%s", pinned, err, b)
				}
				var v map[string]any
				if err := json.Unmarshal(b, &v); err != nil || v["family"] != "app" {
					t.Errorf("pinned task definition is not the task definition: %v %v", err, v)
				}
			} else if pinned != "" {
				t.Errorf("pinned-taskdef = %q after a failed verification, want empty", pinned)
			}
			report := r.ctx["steps.check.outputs.report"]
			if tt.wantReport == "" {
				if report != "" {
					t.Errorf("report = %q, want none for annotations", report)
				}
				return
			}
			b, err := os.ReadFile(report)
			if err != nil || !strings.Contains(string(b), tt.wantReport) {
				t.Errorf("report %q lacks %q: %v\n%.2000s", report, tt.wantReport, err, b)
			}
			if tt.with["format"] == "sarif" {
				if err := sarifcheck.Check(b); err != nil {
					t.Errorf("code scanning would reject %s: %v", report, err)
				}
			}
		})
	}
}
