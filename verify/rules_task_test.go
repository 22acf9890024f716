package verify

import (
	"slices"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/taskdef"
)

// taskOnly runs the rules that need no image.
func taskOnly(t *testing.T, task, service string) []string {
	t.Helper()
	td := parseTask(t, task)
	var svc *taskdef.Service
	if service != "" {
		var err error
		svc, err = taskdef.ParseService("svc.json", []byte(service), taskdef.LoadOptions{})
		if err != nil {
			t.Fatalf("service: %v", err)
		}
	}
	f := newTaskFacts(td, svc)
	var ids []string
	for _, fd := range taskLevelFindings(&f) {
		if fd.RuleID == "IC313" {
			continue // every test image is referenced by tag; TestTagRule covers it
		}
		ids = append(ids, fd.RuleID)
		if fd.Message == "" || fd.Fix == "" && fd.Severity == Error {
			t.Errorf("finding %s lacks a message or fix: %+v", fd.RuleID, fd)
		}
	}
	slices.Sort(ids)
	return ids
}

func TestTaskAndServiceRules(t *testing.T) {
	const img = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1"
	task := func(mutate func(string) string) string {
		return mutate(`{"family": "app", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
  "cpu": "256", "memory": "512",
  "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
  "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
  "containerDefinitions": [{"name": "app", "image": "` + img + `", "essential": true,
    "portMappings": [{"containerPort": 8080, "hostPort": 8080}],
    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "p"}}}]}`)
	}
	same := func(s string) string { return s }
	repl := func(old, new string) func(string) string {
		return func(s string) string {
			if !strings.Contains(s, old) {
				t.Fatalf("test bug: %q not in task", old)
			}
			return strings.Replace(s, old, new, 1)
		}
	}
	svc := func(strategy, platform string) string {
		return `{"serviceName": "app", "cluster": "c", "taskDefinition": "app", "desiredCount": 2, "platformVersion": "` + platform + `",
  "capacityProviderStrategy": ` + strategy + `,
  "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}},
  "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1", "containerName": "app", "containerPort": 8080}]}`
	}
	fargate := `[{"capacityProvider": "FARGATE", "weight": 1}]`
	tests := []struct {
		name    string
		task    string
		service string
		want    string
	}{
		{"clean", task(same), "", ""},
		{"bad fargate size", task(repl(`"memory": "512"`, `"memory": "4096"`)), "", "IC301"},
		{"windows too small", task(repl(`"ARM64", "operatingSystemFamily": "LINUX"`, `"X86_64", "operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"`)), "", "IC302"},
		{"hostPort differs", task(repl(`"hostPort": 8080`, `"hostPort": 80`)), "", "IC304"},
		{"no execution role", task(repl(`"executionRoleArn": "arn:aws:iam::123456789012:role/exec",`, "")), "", "IC305,IC306"},
		{"no essential container", task(repl(`"essential": true`, `"essential": false`)), "", "IC307"},
		{"runtimePlatform in container", task(repl(`"essential": true,`, `"essential": true, "runtimePlatform": {"cpuArchitecture": "ARM64"},`)), "", "IC311"},
		{"service ok", task(same), svc(fargate, "LATEST"), ""},
		{"ARM64 on old platform", task(same), svc(fargate, "1.3.0"), "IC303"},
		{"spot ARM64 on old platform", task(same), svc(`[{"capacityProvider": "FARGATE_SPOT", "weight": 1}]`, "1.3.0"), "IC303,IC403"},
		{"two bases", task(same), svc(`[{"capacityProvider": "FARGATE", "base": 1, "weight": 1}, {"capacityProvider": "FARGATE_SPOT", "base": 1, "weight": 1}]`, "LATEST"), "IC401"},
		{"load balancer port missing", task(repl(`"containerPort": 8080, "hostPort": 8080`, `"containerPort": 9090`)), svc(fargate, "LATEST"), "IC404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(taskOnly(t, tt.task, tt.service), ",")
			if got != tt.want {
				t.Errorf("rules %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDescribeOutputReadOnlyFields(t *testing.T) {
	td := parseTask(t, `{"taskDefinition": {"taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/app:3",
  "family": "app", "revision": 3, "status": "ACTIVE", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
  "cpu": "256", "memory": "512", "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
  "containerDefinitions": [{"name": "app", "image": "nginx:1", "essential": true}]}}`)
	var fs []Finding
	for _, f := range runFamily(newTaskFacts(td, nil), (*checker).taskRules) {
		if f.RuleID != "IC313" {
			fs = append(fs, f)
		}
	}
	if len(fs) != 1 || fs[0].RuleID != "IC312" || fs[0].Location == nil || fs[0].Location.Line == 0 {
		t.Fatalf("findings %+v, want one IC312 with a line", fs)
	}
}

func TestTagRule(t *testing.T) {
	for ref, want := range map[string]int{
		"nginx:1": 1,
		"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1":                                1,
		"123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + strings.Repeat("a", 64): 0,
		"${IMAGE}": 0, // unresolved: the run cannot verify it at all
	} {
		td := parseTask(t, `{"family": "f", "containerDefinitions": [{"name": "app", "image": "`+ref+`"}]}`)
		var n int
		for _, f := range runFamily(newTaskFacts(td, nil), (*checker).taskRules) {
			if f.RuleID == "IC313" {
				n++
				if f.Location == nil || f.Location.Line == 0 {
					t.Errorf("%s: IC313 without a line", ref)
				}
			}
		}
		if n != want {
			t.Errorf("%s: %d IC313 findings, want %d", ref, n, want)
		}
	}
}
