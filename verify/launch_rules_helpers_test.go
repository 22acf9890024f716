package verify

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/imgcheck/imgcheck/taskdef"
)

// The launch type rule tests run a task and a service through the same
// steps as a run (unknown values first, then the task-level families) and
// compare the rule IDs and where each finding points.

const digestImage = "registry.example/app@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

// fargateStack is a valid Fargate service with its task definition and
// target group in one template.
const fargateStack = `Parameters:
  P: {Type: String}
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: "256"
      Memory: "512"
      ExecutionRoleArn: arn:aws:iam::123456789012:role/exec
      ContainerDefinitions:
        - Name: app
          Image: ` + digestImage + `
          PortMappings:
            - ContainerPort: 8080
          LogConfiguration:
            LogDriver: awslogs
            Options: {awslogs-group: g, awslogs-region: us-east-1}
  TG:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: ip
      Port: 80
      Protocol: HTTP
  Service:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !Ref Task
      LaunchType: FARGATE
      NetworkConfiguration: {AwsvpcConfiguration: {Subnets: [subnet-1]}}
      LoadBalancers:
        - ContainerName: app
          ContainerPort: 8080
          TargetGroupArn: !Ref TG
`

// fargateTaskJSON and fargateServiceJSON are the same in the API shapes
// (register-task-definition and create-service input).
const fargateTaskJSON = `{
  "family": "app",
  "requiresCompatibilities": ["FARGATE"],
  "networkMode": "awsvpc",
  "cpu": "256",
  "memory": "512",
  "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
  "containerDefinitions": [{
    "name": "app",
    "image": "` + digestImage + `",
    "portMappings": [{"containerPort": 8080}],
    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g", "awslogs-region": "us-east-1"}}
  }]
}`

const fargateServiceJSON = `{
  "serviceName": "app",
  "taskDefinition": "app",
  "launchType": "FARGATE",
  "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}},
  "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1", "containerName": "app", "containerPort": 8080}]
}`

// edit replaces old with new in s, failing the test when old is missing.
func edit(t *testing.T, s string, pairs ...string) string {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("test bug: %q not in the source", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

// ruleRun is what the task-level families say about a task and service:
// the findings, or the fields that are not known (and then no finding).
type ruleRun struct {
	findings []Finding
	unknown  []string
	src      map[string]string // file name -> source, to locate positions
}

// ids lists the rule IDs found, sorted, without IC313 (every test image
// is by digest, but other files may not be).
func (r ruleRun) ids() string {
	var ids []string
	for _, f := range r.findings {
		if f.RuleID != "IC313" {
			ids = append(ids, f.RuleID)
		}
	}
	slices.Sort(ids)
	return strings.Join(ids, ",")
}

func runRules(t *testing.T, td *taskdef.TaskDefinition, svc *taskdef.Service, src map[string]string) ruleRun {
	t.Helper()
	f := newTaskFacts(td, svc)
	r := ruleRun{src: src}
	for _, u := range unresolvedTaskInputs(f) {
		r.unknown = append(r.unknown, u.field)
	}
	if len(r.unknown) == 0 {
		r.findings = taskLevelFindings(&f)
	}
	for _, fd := range r.findings {
		if fd.Message == "" || fd.Fix == "" || fd.Location == nil || fd.Location.Line == 0 {
			t.Errorf("finding %s lacks a message, fix or location: %+v", fd.RuleID, fd)
		}
	}
	return r
}

// runStack loads a CloudFormation template's service (and its task).
func runStack(t *testing.T, name, src string, params map[string]string) ruleRun {
	t.Helper()
	svc, err := taskdef.ParseService(name, []byte(src), taskdef.LoadOptions{Params: params})
	if err != nil {
		t.Fatalf("service: %v", err)
	}
	if svc.Task == nil {
		t.Fatal("test bug: the template's service has no task definition")
	}
	return runRules(t, svc.Task, svc, map[string]string{name: src})
}

// runAPI loads register-task-definition and create-service JSON; service
// may be empty.
func runAPI(t *testing.T, task, service string) ruleRun {
	t.Helper()
	td, err := taskdef.Parse("td.json", []byte(task), taskdef.LoadOptions{})
	if err != nil {
		t.Fatalf("task definition: %v", err)
	}
	var svc *taskdef.Service
	if service != "" {
		if svc, err = taskdef.ParseService("svc.json", []byte(service), taskdef.LoadOptions{}); err != nil {
			t.Fatalf("service: %v", err)
		}
	}
	return runRules(t, td, svc, map[string]string{"td.json": task, "svc.json": service})
}

// checkAt checks that the finding of rule id points at the place marked
// by "|" in marker, a piece of the named file's source ("LaunchType: |FARGATE").
func (r ruleRun) checkAt(t *testing.T, id, file, marker string) {
	t.Helper()
	want := markedPos(t, r.src[file], marker)
	for _, f := range r.findings {
		if f.RuleID != id {
			continue
		}
		if got := fmt.Sprintf("%s:%d:%d", f.Location.File, f.Location.Line, f.Location.Column); got == file+":"+want {
			return
		}
	}
	var got []string
	for _, f := range r.findings {
		if f.RuleID == id {
			got = append(got, fmt.Sprintf("%s:%d:%d", f.Location.File, f.Location.Line, f.Location.Column))
		}
	}
	t.Errorf("%s at %v, want %s:%s (%q)", id, got, file, want, marker)
}

// markedPos returns "line:column" of the "|" in marker within src.
func markedPos(t *testing.T, src, marker string) string {
	t.Helper()
	bar := strings.Index(marker, "|")
	plain := strings.Replace(marker, "|", "", 1)
	i := strings.Index(src, plain)
	if bar < 0 || i < 0 || strings.Count(src, plain) != 1 {
		t.Fatalf("test bug: marker %q is not once in the source", marker)
	}
	off := i + bar
	line := strings.Count(src[:off], "\n") + 1
	col := utf8.RuneCountInString(src[strings.LastIndex(src[:off], "\n")+1:off]) + 1
	return fmt.Sprintf("%d:%d", line, col)
}
