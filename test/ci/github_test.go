package ci

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/imgcheck/imgcheck/internal/sarifcheck"
)

// ghStep is a step of a workflow or of a composite action.
type ghStep struct {
	ID    string            `yaml:"id"`
	Name  string            `yaml:"name"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	Run   string            `yaml:"run"`
	Shell string            `yaml:"shell"`
	With  map[string]string `yaml:"with"`
	Env   map[string]string `yaml:"env"`
}

type ghWorkflow struct {
	Name        string            `yaml:"name"`
	On          yaml.Node         `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Env         map[string]string `yaml:"env"`
	Jobs        map[string]struct {
		RunsOn string            `yaml:"runs-on"`
		Env    map[string]string `yaml:"env"`
		Steps  []ghStep          `yaml:"steps"`
	} `yaml:"jobs"`
}

type ghAction struct {
	Name   string `yaml:"name"`
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Required    bool   `yaml:"required"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string   `yaml:"using"`
		Steps []ghStep `yaml:"steps"`
	} `yaml:"runs"`
}

// installLine is how every example installs imgcheck; the tests skip it
// (imgcheck is already built from this tree) after checking its module path.
var installLine = regexp.MustCompile(`go install "?github\.com/imgcheck/imgcheck/cmd/imgcheck@\S+`)

var expression = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// ghContext holds what ${{ }} expressions may name: env.X, inputs.X,
// steps.ID.outputs.X, github.X.
type ghContext map[string]string

// eval replaces every ${{ name }} in s; an expression the test does not
// know fails the test, so a doc cannot use one the runner would not check.
func (c ghContext) eval(t *testing.T, s string) string {
	t.Helper()
	return expression.ReplaceAllStringFunc(s, func(m string) string {
		key := expression.FindStringSubmatch(m)[1]
		v, ok := c[key]
		if !ok {
			t.Fatalf("expression ${{ %s }} names nothing known to the test (in %q)", key, s)
		}
		return v
	})
}

func (c ghContext) evalMap(t *testing.T, m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = c.eval(t, v)
	}
	return out
}

// ghRunner runs the steps of a workflow in a workspace.
type ghRunner struct {
	e      *ciEnv
	dir    string
	temp   string
	ctx    ghContext
	env    map[string]string
	action ghAction
}

func newGHRunner(t *testing.T, e *ciEnv, dir string) *ghRunner {
	return &ghRunner{e: e, dir: dir, temp: t.TempDir(), action: loadAction(t, e),
		ctx: ghContext{"github.sha": "0123456789abcdef0123456789abcdef01234567", "github.action_ref": "main"}}
}

func loadAction(t *testing.T, e *ciEnv) ghAction {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(e.repo, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a ghAction
	if err := yaml.Unmarshal(raw, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

// runStep runs one workflow step and returns its exit code and output.
func (r *ghRunner) runStep(t *testing.T, s ghStep) (int, string) {
	t.Helper()
	switch {
	case strings.HasPrefix(s.Uses, "imgcheck/imgcheck@"):
		return r.runAction(t, s)
	case s.Uses != "":
		return 0, "" // checkout, setup-go, credentials: nothing to do here
	case installLine.MatchString(s.Run):
		return 0, ""
	}
	vars := maps.Clone(r.env)
	maps.Copy(vars, r.ctx.evalMap(t, s.Env))
	return r.runScript(t, s.ID, r.ctx.eval(t, s.Run), vars, r.ctx)
}

// runScript runs a run: script with the runner's GITHUB_* files and records
// what it wrote to GITHUB_OUTPUT as steps.ID.outputs.
func (r *ghRunner) runScript(t *testing.T, id, script string, vars map[string]string, into ghContext) (int, string) {
	t.Helper()
	output := filepath.Join(r.temp, "output-"+id)
	os.Remove(output)
	vars = maps.Clone(vars)
	maps.Copy(vars, map[string]string{
		"GITHUB_OUTPUT": output, "GITHUB_PATH": filepath.Join(r.temp, "path"), "GITHUB_ENV": filepath.Join(r.temp, "env"),
		"GITHUB_SHA": r.ctx["github.sha"], "GITHUB_WORKSPACE": r.dir, "RUNNER_TEMP": r.temp,
	})
	code, out := r.e.runScript(t, r.dir, script, vars)
	if b, err := os.ReadFile(output); err == nil && id != "" {
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				into["steps."+id+".outputs."+k] = v
			}
		}
	}
	return code, out
}

// runAction runs action.yml's steps with the step's with: values, and
// exposes the action's outputs as the step's outputs.
func (r *ghRunner) runAction(t *testing.T, s ghStep) (int, string) {
	t.Helper()
	actx := ghContext{"github.action_ref": r.ctx["github.action_ref"]}
	with := r.ctx.evalMap(t, s.With)
	for name, in := range r.action.Inputs {
		actx["inputs."+name] = in.Default
		if v, ok := with[name]; ok {
			actx["inputs."+name] = v
		}
	}
	for name := range with {
		if _, ok := r.action.Inputs[name]; !ok {
			t.Fatalf("step %s passes %s, which action.yml does not declare", s.ID, name)
		}
	}
	code, out := 0, ""
	for i, as := range r.action.Runs.Steps {
		if as.Uses != "" || installLine.MatchString(as.Run) {
			continue // the SARIF upload; the install (imgcheck is built from this tree)
		}
		id := as.ID
		if id == "" {
			id = "action-step-" + string(rune('a'+i))
		}
		code, out = r.runScript(t, id, actx.eval(t, as.Run), actx.evalMap(t, as.Env), actx)
		if code != 0 {
			break
		}
	}
	for name, o := range r.action.Outputs {
		v := expression.ReplaceAllStringFunc(o.Value, func(m string) string { return actx[expression.FindStringSubmatch(m)[1]] })
		r.ctx["steps."+s.ID+".outputs."+name] = v
	}
	return code, out
}

func TestGitHubWorkflowExamples(t *testing.T) {
	base := newCIEnv(t)
	blocks := readDoc(t, base)

	t.Run("deploy", func(t *testing.T) {
		e := base.withAWSDir(t)
		wf := parseWorkflow(t, namedBlock(t, blocks, ".github/workflows/deploy.yml"))
		dir := e.workspace(t)
		r := newGHRunner(t, e, dir)
		r.env = workflowEnv(t, wf, map[string]string{"IMAGE_REPO": e.registry + "/sample-server"})
		for k, v := range r.env {
			r.ctx["env."+k] = v
		}
		job := wf.Jobs["deploy"]
		for _, s := range job.Steps {
			if code, out := r.runStep(t, s); code != 0 {
				t.Fatalf("step %q exited %d:\n%s", s.Name+s.Uses, code, out)
			}
		}
		if img := r.ctx["steps.build.outputs.image"]; !strings.HasPrefix(img, e.registry+"/sample-server@sha256:") {
			t.Errorf("build step output image = %q, want the pushed digest", img)
		}
		sarif := r.ctx["steps.verify.outputs.report"]
		if b, err := os.ReadFile(sarif); err != nil || !strings.Contains(string(b), `"version": "2.1.0"`) {
			t.Errorf("format: sarif did not leave a SARIF 2.1.0 report at %q: %v", sarif, err)
		} else if err := sarifcheck.Check(b); err != nil {
			t.Errorf("code scanning would reject the deploy workflow's SARIF: %v", err)
		}
		e.checkDeployed(t)
	})

	t.Run("verify on pull requests", func(t *testing.T) {
		e := base.withAWSDir(t)
		wf := parseWorkflow(t, namedBlock(t, blocks, ".github/workflows/verify.yml"))
		r := newGHRunner(t, e, e.workspace(t))
		r.env = workflowEnv(t, wf, nil)
		for _, s := range wf.Jobs["verify"].Steps {
			if code, out := r.runStep(t, s); code != 0 {
				t.Fatalf("step %q exited %d:\n%s", s.Name+s.Uses, code, out)
			}
		}
	})
}

func parseWorkflow(t *testing.T, b codeBlock) ghWorkflow {
	t.Helper()
	var wf ghWorkflow
	dec := yaml.NewDecoder(strings.NewReader(b.Body))
	dec.KnownFields(true)
	if err := dec.Decode(&wf); err != nil {
		t.Fatalf("docs/ci.md line %d (%s): %v", b.Line, b.Name, err)
	}
	if len(wf.Jobs) == 0 || wf.On.Kind == 0 {
		t.Fatalf("docs/ci.md line %d (%s): a workflow needs on: and jobs:", b.Line, b.Name)
	}
	return wf
}

// workflowEnv is the workflow's env with the test's values for the keys in
// override (which the workflow must define).
func workflowEnv(t *testing.T, wf ghWorkflow, override map[string]string) map[string]string {
	t.Helper()
	env := maps.Clone(wf.Env)
	if env == nil {
		env = map[string]string{}
	}
	for k, v := range override {
		if _, ok := env[k]; !ok {
			t.Fatalf("the workflow does not define env %s", k)
		}
		env[k] = v
	}
	return env
}
