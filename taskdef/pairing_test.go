package taskdef

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ecspresso's own file names and its configuration.
const (
	ecspressoTask = `{"family": "app", "containerDefinitions": [{"name": "app", "image": "repo/app:{{ must_env ` + "`TAG`" + ` }}"}]}`
	ecspressoSvc  = `{"launchType": "FARGATE", "desiredCount": 2, "deploymentConfiguration": {"maximumPercent": 200},
  "loadBalancers": [{"containerName": "app", "containerPort": 8080, "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/app/0123456789abcdef"}]}`
	ecspressoYML = "region: us-east-1\ncluster: default\nservice: app\nservice_definition: ecs-service-def.json\ntask_definition: ecs-task-def.json\ntimeout: 10m0s\n"
)

func taskNamed(family string) string {
	return `{"family": "` + family + `", "containerDefinitions": [{"name": "` + family + `", "image": "repo/` + family + `:1"}]}`
}

func serviceFor(name, taskDefinition string) string {
	return `{"serviceName": "` + name + `", "taskDefinition": "` + taskDefinition + `", "launchType": "FARGATE"}`
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// describePairs names each task definition file with its service file
// ("-" when none), for comparison.
func describePairs(t *testing.T, dir string, tds []*TaskDefinition) string {
	t.Helper()
	rel := func(p string) string {
		r, err := filepath.Rel(dir, p)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	var out []string
	for _, td := range tds {
		s := rel(td.Source.File) + "="
		if td.Service == nil {
			s += "-"
		} else {
			s += rel(td.Service.Source.File)
			if td.Service.Task != td {
				t.Errorf("service %s does not point back at %s", td.Service.Source.File, td.Source.File)
			}
			if td.Service.Name.Set {
				s += "(" + td.Service.Name.Value + ")"
			}
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestOpenPairsServicesWithTaskDefinitions(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		ref   string // relative to the directory; "" opens the directory
		want  string
	}{
		{"ecspresso layout without its configuration: the only task definition",
			map[string]string{"ecs-task-def.json": ecspressoTask, "ecs-service-def.json": ecspressoSvc},
			"", "ecs-task-def.json=ecs-service-def.json"},
		{"ecspresso layout with ecspresso.yml: the files it names, the service named from it",
			map[string]string{"ecs-task-def.json": ecspressoTask, "ecs-service-def.json": ecspressoSvc, "ecspresso.yml": ecspressoYML},
			"", "ecs-task-def.json=ecs-service-def.json(app)"},
		{"ecspresso.yml given as the file",
			map[string]string{"ecs-task-def.json": ecspressoTask, "ecs-service-def.json": ecspressoSvc, "ecspresso.yml": ecspressoYML},
			"ecspresso.yml", "ecs-task-def.json=ecs-service-def.json(app)"},
		{"ecspresso.yml naming files in another directory",
			map[string]string{"deploy/ecspresso.yml": "service: api\nservice_definition: ../defs/svc.json\ntask_definition: ../defs/td.json\n",
				"defs/td.json": ecspressoTask, "defs/svc.json": ecspressoSvc},
			"deploy", "defs/td.json=defs/svc.json(api)"},
		{"ecspresso.yml without a service definition",
			map[string]string{"ecspresso.yaml": "task_definition: td.json\n", "td.json": ecspressoTask},
			"", "td.json=-"},
		{"ecspresso.yml with an empty service definition (a run-task configuration)",
			map[string]string{"ecspresso.yml": "service_definition: ''\ntask_definition: td.json\n", "td.json": ecspressoTask},
			"", "td.json=-"},
		{"a fleet: each service with the family it names (ARN, family:revision, family)",
			map[string]string{
				"web.json": taskNamed("web"), "worker.json": taskNamed("worker"), "batch.json": taskNamed("batch"),
				"web-svc.json":    serviceFor("web", "arn:aws:ecs:us-east-1:123456789012:task-definition/web:12"),
				"worker-svc.yaml": "serviceName: worker\ntaskDefinition: worker:3\nlaunchType: FARGATE\n",
			},
			"", "batch.json=- web.json=web-svc.json(web) worker.json=worker-svc.yaml(worker)"},
		{"describe-services output",
			map[string]string{"web.json": taskNamed("web"), "services.json": `{"services": [{"serviceName": "web", "taskDefinition": "web"}]}`},
			"", "web.json=services.json(web)"},
		{"a directory without services is unchanged",
			map[string]string{"a.json": taskNamed("a"), "b.json": taskNamed("b")},
			"", "a.json=- b.json=-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			tds, err := Open(t.Context(), filepath.Join(dir, tt.ref), OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := describePairs(t, dir, tds); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// A service that cannot be paired with exactly one task definition fails
// the directory: checking it against a guess would judge another deployment.
func TestOpenRefusesUnclearPairs(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		want      string
		ambiguous bool
	}{
		{"no taskDefinition and two task definitions",
			map[string]string{"a.json": taskNamed("a"), "b.json": taskNamed("b"), "svc.json": ecspressoSvc},
			"the service names no task definition (taskDefinition) and directory", true},
		{"a template taskDefinition counts as none",
			map[string]string{"a.json": taskNamed("a"), "b.json": taskNamed("b"), "svc.json": serviceFor("s", "{{ must_env `TD` }}")},
			"holds 2", true},
		{"a family the directory lacks",
			map[string]string{"a.json": taskNamed("a"), "svc.json": serviceFor("s", "web:3")},
			`the service deploys task definition family "web" (taskDefinition at `, false},
		{"two task definitions of the family",
			map[string]string{"a.json": taskNamed("web"), "b.json": taskNamed("web"), "svc.json": serviceFor("s", "web")},
			`holds 2 of it`, true},
		{"two services for one task definition",
			map[string]string{"a.json": taskNamed("web"), "s1.json": serviceFor("s1", "web"), "s2.json": serviceFor("s2", "web")},
			"both deploy", false},
		{"services only",
			map[string]string{"s1.json": serviceFor("s1", "web")},
			"holds service definitions but no task definition", false},
		{"ecspresso.yml naming a missing file",
			map[string]string{"ecspresso.yml": "task_definition: nope.json\n"},
			"task_definition of", false},
		{"ecspresso.yml naming Jsonnet",
			map[string]string{"ecspresso.yml": "task_definition: td.jsonnet\n"},
			"Jsonnet is not read", false},
		{"ecspresso.yml with a task_definition that is not a string",
			map[string]string{"ecspresso.yml": "task_definition: [a, b]\n"},
			"want a file name", false},
		{"ecspresso.yml without task_definition",
			map[string]string{"ecspresso.yml": "service_definition: svc.json\n"},
			"names no task_definition", false},
		{"ecspresso.yml with a template file name",
			map[string]string{"ecspresso.yml": "task_definition: '{{ must_env `TD` }}'\n"},
			"the file name is not known", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			_, err := Open(t.Context(), dir, OpenOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if errors.Is(err, ErrAmbiguous) != tt.ambiguous {
				t.Errorf("errors.Is(err, ErrAmbiguous) = %v, want %v", !tt.ambiguous, tt.ambiguous)
			}
		})
	}
}

func TestFamilyOf(t *testing.T) {
	for ref, want := range map[string]string{
		"arn:aws:ecs:us-east-1:123456789012:task-definition/web:12":  "web",
		"arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/web": "web",
		"web:3": "web",
		"web":   "web",
	} {
		if got := FamilyOf(ref); got != want {
			t.Errorf("FamilyOf(%q) = %q, want %q", ref, got, want)
		}
	}
}

// Load and LoadService name an ecspresso configuration for what it is.
func TestEcspressoConfigIsNotADefinition(t *testing.T) {
	dir := writeFiles(t, map[string]string{"ecspresso.yml": ecspressoYML})
	path := filepath.Join(dir, "ecspresso.yml")
	if _, err := Load(t.Context(), path, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "ecspresso configuration, not a task definition") {
		t.Errorf("Load: %v", err)
	}
	if _, err := LoadService(t.Context(), path, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "ecspresso configuration, not a service definition") {
		t.Errorf("LoadService: %v", err)
	}
}
