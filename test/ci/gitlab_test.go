package ci

import (
	"encoding/xml"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// glJob is the part of a GitLab CI job the test runs.
type glJob struct {
	Stage        string   `yaml:"stage"`
	Extends      string   `yaml:"extends"`
	BeforeScript []string `yaml:"before_script"`
	Script       []string `yaml:"script"`
	Artifacts    struct {
		When    string   `yaml:"when"`
		Paths   []string `yaml:"paths"`
		Reports struct {
			JUnit string `yaml:"junit"`
		} `yaml:"reports"`
	} `yaml:"artifacts"`
}

// glKeywords are top-level keys of .gitlab-ci.yml that are not jobs.
var glKeywords = []string{"stages", "variables", "default", "include", "workflow", "image", "services", "cache", "before_script", "after_script"}

// parseGitLab returns the stages, the variables and the jobs (with extends
// resolved) of a .gitlab-ci.yml.
func parseGitLab(t *testing.T, b codeBlock) ([]string, map[string]string, map[string]glJob) {
	t.Helper()
	var doc map[string]yaml.Node
	if err := yaml.Unmarshal([]byte(b.Body), &doc); err != nil {
		t.Fatalf("docs/ci.md line %d (%s): %v", b.Line, b.Name, err)
	}
	var stages []string
	var vars map[string]string
	if n, ok := doc["stages"]; !ok || n.Decode(&stages) != nil || len(stages) == 0 {
		t.Fatalf("%s: stages: missing or not a list", b.Name)
	}
	if n, ok := doc["variables"]; ok {
		if err := n.Decode(&vars); err != nil {
			t.Fatalf("%s: variables: %v", b.Name, err)
		}
	}
	all := map[string]glJob{}
	for name, n := range doc {
		if slices.Contains(glKeywords, name) {
			continue
		}
		var j glJob
		if err := n.Decode(&j); err != nil {
			t.Fatalf("%s: job %s: %v", b.Name, name, err)
		}
		all[name] = j
	}
	jobs := map[string]glJob{}
	for name, j := range all {
		if strings.HasPrefix(name, ".") {
			continue
		}
		if j.Extends != "" {
			tmpl, ok := all[j.Extends]
			if !ok {
				t.Fatalf("%s: job %s extends %s, which is not defined", b.Name, name, j.Extends)
			}
			if j.BeforeScript == nil {
				j.BeforeScript = tmpl.BeforeScript
			}
		}
		if !slices.Contains(stages, j.Stage) {
			t.Fatalf("%s: job %s is in stage %q, not one of %v", b.Name, name, j.Stage, stages)
		}
		jobs[name] = j
	}
	return stages, vars, jobs
}

func TestGitLabExample(t *testing.T) {
	e := newCIEnv(t)
	block := namedBlock(t, readDoc(t, e), ".gitlab-ci.yml")
	stages, vars, jobs := parseGitLab(t, block)
	if _, ok := vars["IMAGE_REPO"]; !ok {
		t.Fatal(".gitlab-ci.yml does not define IMAGE_REPO")
	}
	vars = maps.Clone(vars)
	maps.Copy(vars, map[string]string{
		"IMAGE_REPO": e.registry + "/sample-server", "CI_COMMIT_SHORT_SHA": "0123abcd",
		"CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main",
	})
	dir := e.workspace(t)
	ran := 0
	// Jobs in stage order; artifacts stay in the one workspace, as GitLab
	// passes them to later stages.
	for _, stage := range stages {
		names := slices.Sorted(maps.Keys(jobs))
		for _, name := range names {
			j := jobs[name]
			if j.Stage != stage {
				continue
			}
			var lines []string
			for _, l := range append(slices.Clone(j.BeforeScript), j.Script...) {
				if !installLine.MatchString(l) {
					lines = append(lines, l)
				}
			}
			code, out := e.runScript(t, dir, strings.Join(lines, "\n"), vars)
			if code != 0 {
				t.Fatalf("job %s exited %d:\n%s", name, code, out)
			}
			ran++
			for _, p := range j.Artifacts.Paths {
				if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
					t.Errorf("job %s: artifact %s was not written: %v", name, p, err)
				}
			}
			if r := j.Artifacts.Reports.JUnit; r != "" {
				checkJUnit(t, filepath.Join(dir, r))
			}
		}
	}
	if ran != len(jobs) {
		t.Errorf("ran %d of %d jobs", ran, len(jobs))
	}
	e.checkDeployed(t)
}

// checkJUnit checks that file is a JUnit XML report with a test suite.
func checkJUnit(t *testing.T, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("JUnit report not written: %v", err)
	}
	var doc struct {
		XMLName xml.Name
		Suites  []struct {
			Tests int `xml:"tests,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s is not XML: %v", file, err)
	}
	if doc.XMLName.Local != "testsuites" || len(doc.Suites) == 0 || doc.Suites[0].Tests == 0 {
		t.Errorf("%s: want <testsuites> with a non-empty <testsuite>, got <%s> with %d suites", file, doc.XMLName.Local, len(doc.Suites))
	}
}

func TestShellScriptExample(t *testing.T) {
	e := newCIEnv(t)
	block := namedBlock(t, readDoc(t, e), "deploy.sh")
	dir := e.workspace(t)
	code, out := e.runScript(t, dir, block.Body, map[string]string{"IMAGE_REPO": e.registry + "/sample-server", "TAG": "v1"})
	if code != 0 {
		t.Fatalf("deploy.sh exited %d:\n%s", code, out)
	}
	if !strings.Contains(out, "deployed "+e.registry+"/sample-server@sha256:") {
		t.Errorf("deploy.sh did not report the deployed digest:\n%s", out)
	}
	checkJUnit(t, filepath.Join(dir, "imgcheck-junit.xml"))
	e.checkDeployed(t)
}

// TestDocBlocksParse checks every code block of docs/ci.md: YAML parses,
// shell passes bash -n.
func TestDocBlocksParse(t *testing.T) {
	e := &ciEnv{repo: mustAbs(t, filepath.Join("..", ".."))}
	blocks := readDoc(t, e)
	if len(blocks) < 5 {
		t.Fatalf("docs/ci.md has %d code blocks, want the action, two workflows, GitLab and a script", len(blocks))
	}
	for _, b := range blocks {
		switch b.Lang {
		case "yaml":
			var v any
			if err := yaml.Unmarshal([]byte(b.Body), &v); err != nil {
				t.Errorf("docs/ci.md line %d: %v", b.Line, err)
			}
		case "sh", "bash":
			code, out := (&ciEnv{}).runScript(t, t.TempDir(), "bash -n <<'EOF'\n"+b.Body+"\nEOF", nil)
			if code != 0 {
				t.Errorf("docs/ci.md line %d: bash -n: %s", b.Line, out)
			}
		case "":
		default:
			t.Errorf("docs/ci.md line %d: unexpected language %q", b.Line, b.Lang)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
