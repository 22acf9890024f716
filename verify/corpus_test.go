package verify

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/internal/corpus"
	"github.com/imgcheck/imgcheck/taskdef"
)

// corpusServices say how the corpus's services are verified: the
// services of templates with several (by logical id), and the task
// definition files that go with a service file (the pairs of one source).
var (
	corpusServiceResources = map[string][]string{
		"nathanpeck-ecs-patterns-service-across-ec2-and-fargate.yml": {"Ec2Service", "FargateService"},
	}
	corpusServiceTasks = map[string]string{
		"aws-docs-service-connect-nginx-create-service.json":     "aws-docs-service-connect-nginx-taskdef.json",
		"kayac-ecspresso-ci-service-def-capacity-providers.json": "kayac-ecspresso-ci-task-def-must-env.json",
		"aws-docs-service-definition-template.json":              "aws-docs-task-definition-template-skeleton.json",
	}
)

// TestCorpusTaskAndServiceFindings lists what the task-level and service
// rules say about every file of the corpus (each task definition alone,
// each service with its task definition) and compares it with a reviewed
// golden file: a rule change that adds or drops a finding on a real file
// shows up here. Update with -update, then review every changed line.
func TestCorpusTaskAndServiceFindings(t *testing.T) {
	dir := corpus.TaskdefsDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || name == "SOURCES.md" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if td, err := taskdef.Parse(name, data, taskdef.LoadOptions{}); err == nil {
			writeCorpusRun(&b, name+" (task definition)", td, nil)
		} else if !strings.Contains(err.Error(), "not a task definition") {
			fmt.Fprintf(&b, "%s (task definition): does not load: %v\n", name, err)
		}
		resources := corpusServiceResources[name]
		if resources == nil {
			resources = []string{""}
		}
		for _, res := range resources {
			svc, err := taskdef.ParseService(name, data, taskdef.LoadOptions{Resource: res})
			if err != nil {
				continue // not a service definition (the task pass says whether it loads)
			}
			label := name + " (service" + strings.TrimSuffix(" "+res, " ") + ")"
			td := svc.Task
			if other, ok := corpusServiceTasks[name]; ok {
				otherData, err := os.ReadFile(filepath.Join(dir, other))
				if err != nil {
					t.Fatal(err)
				}
				if td, err = taskdef.Parse(other, otherData, taskdef.LoadOptions{}); err != nil {
					t.Fatalf("%s: %v", other, err)
				}
				label += " with " + other
			}
			if td == nil {
				fmt.Fprintf(&b, "%s: no task definition to verify it with\n", label)
				continue
			}
			writeCorpusRun(&b, label, td, svc)
		}
	}
	golden := filepath.Join("testdata", "corpus_findings.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./verify -run TestCorpusTaskAndServiceFindings -update)", err)
	}
	if b.String() != string(want) {
		t.Errorf("the corpus findings differ from %s (review, then -update):\n%s", golden, b.String())
	}
}

// writeCorpusRun writes what a run reports before reading any image: the
// values that are not known, or the task-level findings.
func writeCorpusRun(b *strings.Builder, label string, td *taskdef.TaskDefinition, svc *taskdef.Service) {
	f := newTaskFacts(td, svc)
	if us := unresolvedTaskInputs(f); len(us) > 0 {
		fmt.Fprintf(b, "%s: could not verify\n", label)
		for _, u := range us {
			fmt.Fprintf(b, "  %s\n", u.message())
		}
		return
	}
	fs := taskLevelFindings(&f)
	slices.SortStableFunc(fs, func(x, y Finding) int { return strings.Compare(x.RuleID, y.RuleID) })
	fmt.Fprintf(b, "%s: %d finding(s)\n", label, len(fs))
	for _, fd := range fs {
		where := ""
		if fd.Location != nil {
			where = fmt.Sprintf(" at %s:%d:%d", fd.Location.File, fd.Location.Line, fd.Location.Column)
		}
		fmt.Fprintf(b, "  %s %s%s: %s\n", fd.RuleID, fd.Severity, where, fd.Message)
	}
}
