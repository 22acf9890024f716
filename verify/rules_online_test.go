package verify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/online"
	"github.com/imgcheck/imgcheck/taskdef"
)

// fakeAWS answers the online lookups from maps. errs overrides the answer
// for a key (a role name, secret ID, parameter name, log group, target
// group ARN or image); calls records every lookup.
type fakeAWS struct {
	roles   map[string]online.Role
	secrets map[string]online.Secret
	params  map[string]bool
	groups  map[string]bool
	tgs     map[string]online.TargetGroup
	images  map[string]online.ImageDetail
	errs    map[string]error
	calls   []string
}

func (f *fakeAWS) answer(key string) error {
	f.calls = append(f.calls, key)
	return f.errs[key]
}

func (f *fakeAWS) GetRole(_ context.Context, name string) (online.Role, error) {
	if err := f.answer(name); err != nil {
		return online.Role{}, err
	}
	r, ok := f.roles[name]
	if !ok {
		return r, fmt.Errorf("role %s: %w", name, online.ErrNotFound)
	}
	return r, nil
}

func (f *fakeAWS) DescribeSecret(_ context.Context, _, id string) (online.Secret, error) {
	if err := f.answer(id); err != nil {
		return online.Secret{}, err
	}
	s, ok := f.secrets[id]
	if !ok {
		return s, fmt.Errorf("secret %s: %w", id, online.ErrNotFound)
	}
	return s, nil
}

func (f *fakeAWS) FindParameter(_ context.Context, _ string, names []string, shared bool) (online.Parameter, error) {
	key := strings.Join(names, ",")
	if shared {
		key = "shared:" + key
	}
	if err := f.answer(key); err != nil {
		return online.Parameter{}, err
	}
	for _, n := range names {
		if f.params[n] && !shared || f.params["shared:"+n] && shared {
			return online.Parameter{Name: n}, nil
		}
	}
	return online.Parameter{}, fmt.Errorf("parameter %s: %w", key, online.ErrNotFound)
}

func (f *fakeAWS) LogGroup(_ context.Context, region, name string) error {
	if err := f.answer(name); err != nil {
		return err
	}
	if !f.groups[region+"/"+name] {
		return fmt.Errorf("log group %s in %s: %w", name, region, online.ErrNotFound)
	}
	return nil
}

func (f *fakeAWS) DescribeTargetGroup(_ context.Context, _, arn string) (online.TargetGroup, error) {
	if err := f.answer(arn); err != nil {
		return online.TargetGroup{}, err
	}
	tg, ok := f.tgs[arn]
	if !ok {
		return tg, fmt.Errorf("target group: %w", online.ErrNotFound)
	}
	return tg, nil
}

func (f *fakeAWS) DescribeImage(_ context.Context, img online.ECRImage) (online.ImageDetail, error) {
	if err := f.answer(img.String()); err != nil {
		return online.ImageDetail{}, err
	}
	d, ok := f.images[img.String()]
	if !ok {
		return d, fmt.Errorf("image %s: %w", img, online.ErrNotFound)
	}
	return d, nil
}

func (f *fakeAWS) clients() online.Clients {
	return online.Clients{IAM: f, SecretsManager: f, SSM: f, Logs: f, ELB: f, ECR: f}
}

const (
	onlineTG       = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/app/0123456789abcdef"
	onlineSecret   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
	onlineImageRef = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1"
	ecsTrust       = `%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ecs-tasks.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D`
)

// onlineAccount holds everything onlineTask names.
func onlineAccount() *fakeAWS {
	return &fakeAWS{
		roles: map[string]online.Role{"exec": {TrustPolicy: ecsTrust}, "app": {TrustPolicy: ecsTrust}},
		secrets: map[string]online.Secret{onlineSecret: {ARN: onlineSecret, Name: "db",
			Versions: map[string][]string{"v-1": {"AWSCURRENT"}, "v-0": {"AWSPREVIOUS"}}}},
		params: map[string]bool{"/app/token": true},
		groups: map[string]bool{"us-east-1//ecs/app": true},
		tgs: map[string]online.TargetGroup{onlineTG: {ARN: onlineTG, Name: "app", Protocol: "HTTP", Port: 80, TargetType: "ip",
			LoadBalancers: []string{"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/1"}, HealthCheckPort: "traffic-port"}},
		images: map[string]online.ImageDetail{"123456789012:app:v1": {Digest: "sha256:1", Status: "ACTIVE", ScanStatus: "COMPLETE",
			FindingCounts: map[string]int{"MEDIUM": 2}}},
	}
}

const onlineTask = `{"family": "app", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
  "executionRoleArn": "arn:aws:iam::123456789012:role/exec", "taskRoleArn": "app",
  "containerDefinitions": [{"name": "app", "image": "` + onlineImageRef + `",
    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
    "secrets": [{"name": "DB_PASSWORD", "valueFrom": "` + onlineSecret + `:password::"},
                {"name": "TOKEN", "valueFrom": "/app/token"}],
    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/app", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}}}]}`

const onlineService = `{"serviceName": "app", "launchType": "FARGATE",
  "loadBalancers": [{"targetGroupArn": "` + onlineTG + `", "containerName": "app", "containerPort": 8080}]}`

// runOnline runs the online family on task and service against aws.
func runOnline(t *testing.T, task, service string, aws *fakeAWS, scan bool) ([]string, []Problem) {
	t.Helper()
	td := parseTask(t, task)
	svc, err := taskdef.ParseService("svc.json", []byte(service), taskdef.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := newTaskFacts(td, svc)
	subjects, err := PairImages(td, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fs, ps := onlineFindings(t.Context(), Input{TaskDef: td, Service: svc, Subjects: subjects}, &f, &OnlineOptions{Scan: scan}, aws.clients())
	var ids []string
	for _, fd := range fs {
		ids = append(ids, fd.RuleID)
		if fd.Message == "" || fd.Evidence == "" || fd.Fix == "" || fd.Location == nil {
			t.Errorf("finding %s lacks a message, evidence, fix or location: %+v", fd.RuleID, fd)
		}
	}
	slices.Sort(ids)
	return ids, ps
}

var (
	errDenied    = fmt.Errorf("%w: api error AccessDeniedException: not authorized", online.ErrAccessDenied)
	errThrottled = errors.New("api error ThrottlingException: Rate exceeded")
)

func TestOnlineRules(t *testing.T) {
	replace := func(old, new string) func(string) string {
		return func(s string) string {
			if !strings.Contains(s, old) {
				t.Fatalf("test setup: %q not in the input", old)
			}
			return strings.Replace(s, old, new, 1)
		}
	}
	same := func(s string) string { return s }
	tests := []struct {
		name    string
		task    func(string) string
		service func(string) string
		account func(*fakeAWS)
		scan    bool
		want    []string
		problem string // a substring of the only problem, "" for none
	}{
		{"everything exists", same, same, func(*fakeAWS) {}, false, nil, ""},
		{"execution role missing", same, same, func(a *fakeAWS) { delete(a.roles, "exec") }, false, []string{"IC501"}, ""},
		{"task role trusts EC2 only", same, same, func(a *fakeAWS) {
			a.roles["app"] = online.Role{TrustPolicy: `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}
		}, false, []string{"IC502"}, ""},
		{"role lookup denied", same, same, func(a *fakeAWS) { a.errs = map[string]error{"exec": errDenied} }, false, nil, "iam:GetRole"},
		{"secret missing", same, same, func(a *fakeAWS) { delete(a.secrets, onlineSecret) }, false, []string{"IC503"}, ""},
		{"secret scheduled for deletion", same, same, func(a *fakeAWS) {
			s := a.secrets[onlineSecret]
			s.Deleted = true
			a.secrets[onlineSecret] = s
		}, false, []string{"IC503"}, ""},
		{"version stage missing", replace(":password::", ":password:AWSPENDING:"), same, func(*fakeAWS) {}, false, []string{"IC503"}, ""},
		{"version stage present", replace(":password::", "::AWSPREVIOUS:"), same, func(*fakeAWS) {}, false, nil, ""},
		{"version ID missing", replace(":password::", "::v-9"), same, func(*fakeAWS) {}, false, []string{"IC503"}, ""},
		{"secret lookup throttled", same, same, func(a *fakeAWS) { a.errs = map[string]error{onlineSecret: errThrottled} }, false, nil, "Rate exceeded"},
		{"secret lookup denied", same, same, func(a *fakeAWS) { a.errs = map[string]error{onlineSecret: errDenied} }, false, nil, "need secretsmanager:DescribeSecret"},
		{"parameter missing", replace(`"/app/token"`, `"/app/other"`), same, func(*fakeAWS) {}, false, []string{"IC504"}, ""},
		{"parameter shared by another account", replace(`"/app/token"`, `"arn:aws:ssm:us-east-1:999999999999:parameter/shared/token"`), same,
			func(a *fakeAWS) { a.params["shared:/shared/token"] = true }, false, nil, ""},
		{"parameter lookup denied", same, same, func(a *fakeAWS) { a.errs = map[string]error{"/app/token": errDenied} }, false, nil, "ssm:DescribeParameters"},
		{"log group missing", replace(`"/ecs/app"`, `"/ecs/other"`), same, func(*fakeAWS) {}, false, []string{"IC505"}, ""},
		{"log group in another region", replace(`"awslogs-region": "us-east-1"`, `"awslogs-region": "eu-west-1"`), same, func(*fakeAWS) {}, false, []string{"IC505"}, ""},
		{"log group created by the driver", replace(`"/ecs/app"`, `"/ecs/other", "awslogs-create-group": "true"`), same, func(*fakeAWS) {}, false, nil, ""},
		{"log group lookup throttled", same, same, func(a *fakeAWS) { a.errs = map[string]error{"/ecs/app": errThrottled} }, false, nil, "Rate exceeded"},
		{"log group lookup denied", same, same, func(a *fakeAWS) { a.errs = map[string]error{"/ecs/app": errDenied} }, false, nil, "need logs:DescribeLogGroups"},
		{"target group missing", same, same, func(a *fakeAWS) { delete(a.tgs, onlineTG) }, false, []string{"IC506"}, ""},
		{"target group without a load balancer", same, same, func(a *fakeAWS) {
			tg := a.tgs[onlineTG]
			tg.LoadBalancers = nil
			a.tgs[onlineTG] = tg
		}, false, []string{"IC507"}, ""},
		{"instance target group for awsvpc", same, same, func(a *fakeAWS) {
			tg := a.tgs[onlineTG]
			tg.TargetType = "instance"
			a.tgs[onlineTG] = tg
		}, false, []string{"IC508"}, ""},
		{"UDP target group for a tcp port", same, same, func(a *fakeAWS) {
			tg := a.tgs[onlineTG]
			tg.Protocol = "UDP"
			a.tgs[onlineTG] = tg
		}, false, []string{"IC508"}, ""},
		{"a template protocol for a UDP target group", replace(`"protocol": "tcp"`, `"protocol": "{{ must_env `+"`PROTO`"+` }}"`), same, func(a *fakeAWS) {
			tg := a.tgs[onlineTG]
			tg.Protocol = "UDP"
			a.tgs[onlineTG] = tg
		}, false, nil, "the value is not known"},
		{"health check on an unmapped port", same, same, func(a *fakeAWS) {
			tg := a.tgs[onlineTG]
			tg.HealthCheckPort = "9999"
			a.tgs[onlineTG] = tg
		}, false, []string{"IC509"}, ""},
		{"health check on a mapped port", same, same, func(a *fakeAWS) {
			tg := a.tgs[onlineTG]
			tg.HealthCheckPort = "8080"
			a.tgs[onlineTG] = tg
		}, false, nil, ""},
		{"target group lookup denied", same, same, func(a *fakeAWS) { a.errs = map[string]error{onlineTG: errDenied} }, false, nil, "elasticloadbalancing:DescribeTargetGroups"},
		{"image missing", same, same, func(a *fakeAWS) { delete(a.images, "123456789012:app:v1") }, false, []string{"IC510"}, ""},
		{"image archived", same, same, func(a *fakeAWS) {
			d := a.images["123456789012:app:v1"]
			d.Status = "ARCHIVED"
			a.images["123456789012:app:v1"] = d
		}, false, []string{"IC510"}, ""},
		{"image lookup throttled", same, same, func(a *fakeAWS) { a.errs = map[string]error{"123456789012:app:v1": errThrottled} }, false, nil, "Rate exceeded"},
		{"image lookup denied", same, same, func(a *fakeAWS) { a.errs = map[string]error{"123456789012:app:v1": errDenied} }, false, nil, "need ecr:DescribeImages"},
		{"scan: medium findings only", same, same, func(*fakeAWS) {}, true, nil, ""},
		{"scan: critical findings", same, same, func(a *fakeAWS) {
			a.images["123456789012:app:v1"] = online.ImageDetail{Status: "ACTIVE", ScanStatus: "COMPLETE", FindingCounts: map[string]int{"CRITICAL": 1, "LOW": 3}}
		}, true, []string{"IC511"}, ""},
		{"scan: never scanned", same, same, func(a *fakeAWS) { a.images["123456789012:app:v1"] = online.ImageDetail{Status: "ACTIVE"} }, true, []string{"IC512"}, ""},
		{"scan not asked: never scanned", same, same, func(a *fakeAWS) { a.images["123456789012:app:v1"] = online.ImageDetail{Status: "ACTIVE"} }, false, nil, ""},
		{"a template role", replace(`"taskRoleArn": "app"`, `"taskRoleArn": "arn:aws:iam::{{ must_env `+"`ACCOUNT`"+` }}:role/app"`), same, func(*fakeAWS) {}, false, nil,
			"the value is not known"},
		{"a malformed secret reference", replace(`"/app/token"`, `"arn:aws:s3:::bucket/token"`), same, func(*fakeAWS) {}, false, nil, "ECS reads secrets from"},
		{"repository credentials by name", replace(`"portMappings"`, `"repositoryCredentials": {"credentialsParameter": "db"}, "portMappings"`), same,
			func(a *fakeAWS) { a.secrets["db"] = online.Secret{Name: "db"} }, false, nil, ""},
		{"repository credentials missing", replace(`"portMappings"`, `"repositoryCredentials": {"credentialsParameter": "registry"}, "portMappings"`), same,
			func(*fakeAWS) {}, false, []string{"IC503"}, ""},
		{"not an ECR image: nothing to ask", replace(onlineImageRef, "docker.io/library/nginx:1"), same, func(*fakeAWS) {}, false, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			aws := onlineAccount()
			tt.account(aws)
			got, ps := runOnline(t, tt.task(onlineTask), tt.service(onlineService), aws, tt.scan)
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
			switch {
			case tt.problem == "" && len(ps) > 0:
				t.Errorf("unexpected problems %+v", ps)
			case tt.problem != "" && (len(ps) != 1 || !strings.Contains(ps[0].Message, tt.problem)):
				t.Errorf("problems %+v, want one containing %q", ps, tt.problem)
			}
		})
	}
}

// A driver that creates its group needs no lookup, and a lookup the
// caller gave no client for cannot pass.
func TestOnlineLookupsAndMissingClients(t *testing.T) {
	aws := onlineAccount()
	task := strings.Replace(onlineTask, `"awslogs-region"`, `"awslogs-create-group": "true", "awslogs-region"`, 1)
	if _, ps := runOnline(t, task, onlineService, aws, false); len(ps) != 0 {
		t.Fatalf("problems %+v", ps)
	}
	if slices.Contains(aws.calls, "/ecs/app") {
		t.Errorf("the log group was looked up although the driver creates it: %v", aws.calls)
	}

	td := parseTask(t, onlineTask)
	f := newTaskFacts(td, nil)
	subjects, _ := PairImages(td, nil, nil)
	_, ps := onlineFindings(t.Context(), Input{TaskDef: td, Subjects: subjects}, &f, &OnlineOptions{}, online.Clients{})
	// exec and task roles, two secrets, the log group and the image.
	if len(ps) != 6 {
		t.Fatalf("%d problems, want 6: %+v", len(ps), ps)
	}
	for _, p := range ps {
		if !errors.Is(p.Cause, errNoClient) {
			t.Errorf("problem %+v is not for a missing client", p)
		}
	}
}

// Run with Online: findings and problems reach the report; a lookup that
// could not tell makes the verdict "could not verify", never a pass.
func TestRunOnlineFailsClosed(t *testing.T) {
	td := parseTask(t, onlineTask)
	in := Input{TaskDef: td, Subjects: []Subject{{Container: "app", Ref: "registry.invalid/app:v1"}}}
	aws := onlineAccount()
	aws.errs = map[string]error{"exec": errDenied}
	delete(aws.roles, "app")
	r := Run(t.Context(), in, Options{FailOn: Error, Online: &OnlineOptions{Clients: aws.clients()}})
	if !slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.RuleID == "IC501" && f.Family() == FamilyOnline }) {
		t.Errorf("findings %+v, want IC501", r.Findings)
	}
	if r.Verdict != VerdictCouldNotVerify || !slices.ContainsFunc(r.Errors, func(p Problem) bool { return strings.Contains(p.Message, "iam:GetRole") }) {
		t.Errorf("verdict %s, errors %+v; want could not verify naming iam:GetRole", r.Verdict, r.Errors)
	}
}

// Without a task definition only the images are looked up: the subjects'.
func TestOnlineImageOnly(t *testing.T) {
	aws := onlineAccount()
	in := Input{Subjects: []Subject{{Ref: onlineImageRef}, {Ref: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:gone"}, {Ref: "oci:./out"}}}
	fs, ps := onlineFindings(t.Context(), in, nil, &OnlineOptions{Scan: true}, aws.clients())
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.RuleID)
	}
	if !slices.Equal(ids, []string{"IC510"}) || len(ps) != 0 {
		t.Errorf("findings %v, problems %+v; want IC510 for the missing tag only", ids, ps)
	}
	if want := []string{"123456789012:app:v1", "123456789012:app:gone"}; !slices.Equal(aws.calls, want) {
		t.Errorf("lookups %v, want %v", aws.calls, want)
	}
}

// A CloudFormation template's own roles, secret, log group and target
// group are created by the stack: there is nothing to ask AWS before it
// exists, and nothing unknown about it either. A value that is merely
// unknown (a parameter without a value) still cannot pass.
func TestOnlineSkipsWhatTheStackCreates(t *testing.T) {
	const template = `{"Parameters": {"TaskRole": {"Type": "String"}}, "Resources": {
  "Exec": {"Type": "AWS::IAM::Role", "Properties": {}},
  "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {}},
  "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
  "TG": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"TargetType": "ip", "Port": 8080, "Protocol": "HTTP"}},
  "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
    "Family": "app", "RequiresCompatibilities": ["FARGATE"], "NetworkMode": "awsvpc", "Cpu": "256", "Memory": "512",
    "ExecutionRoleArn": {"Fn::GetAtt": ["Exec", "Arn"]}, "TaskRoleArn": {"Ref": "TaskRole"},
    "ContainerDefinitions": [{"Name": "app", "Image": "` + onlineImageRef + `", "PortMappings": [{"ContainerPort": 8080}],
      "Secrets": [{"Name": "DB", "ValueFrom": {"Ref": "Secret"}}],
      "LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": {"Ref": "Logs"}, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}}}]}},
  "Service": {"Type": "AWS::ECS::Service", "Properties": {"TaskDefinition": {"Ref": "Task"}, "LaunchType": "FARGATE",
    "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": ["subnet-1"]}},
    "LoadBalancers": [{"TargetGroupArn": {"Ref": "TG"}, "ContainerName": "app", "ContainerPort": 8080}]}}}}`
	svc, err := taskdef.ParseService("stack.json", []byte(template), taskdef.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	td := svc.Task
	f := newTaskFacts(td, svc)
	subjects, _ := PairImages(td, nil, nil)
	aws := onlineAccount()
	fs, ps := onlineFindings(t.Context(), Input{TaskDef: td, Service: svc, Subjects: subjects}, &f, &OnlineOptions{}, aws.clients())
	if len(fs) != 0 || len(ps) != 1 || !strings.Contains(ps[0].Message, "taskRoleArn") || !errors.Is(ps[0].Cause, ErrUnresolvedValue) {
		t.Errorf("findings %+v, problems %+v; want only the task role (a parameter without a value) unknown", fs, ps)
	}
	if want := []string{"123456789012:app:v1"}; !slices.Equal(aws.calls, want) {
		t.Errorf("lookups %v, want only the image %v", aws.calls, want)
	}
}
