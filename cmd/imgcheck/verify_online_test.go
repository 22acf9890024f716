package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/internal/fakeaws"
	"github.com/imgcheck/imgcheck/internal/fakeecr"
	"github.com/imgcheck/imgcheck/internal/imagetest"
)

const (
	onlineAccountID = "123456789012"
	onlineRegion    = "us-east-1"
	onlineTGARN     = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/app/0123456789abcdef"
	onlineSidecar   = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/sidecar:v1"
	// onlineSecretValue is held by the fake account and must never be asked
	// for or printed.
	onlineSecretValue = "s3cr3t-value-that-must-never-be-printed"
	onlineTrust       = `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)

// onlineWorld is a task definition, its service, its image in a local
// registry, and a fake AWS account holding what they name (with change
// applied first).
func onlineWorld(t *testing.T, change func(*fakeaws.Account, *fakeecr.Server) bool) (img, dir string, aws *fakeaws.Account) {
	t.Helper()
	reg := imagetest.Registry(t)
	img = reg.PushImage(t, "app:amd64", koImage(t, "amd64"))
	ecr := fakeecr.Start(t, fakeecr.Options{Account: onlineAccountID})
	ecr.SetEnv(t, onlineRegion)
	aws = fakeaws.Start(t, onlineRegion, onlineAccountID)
	aws.SetEnv(t)
	if change == nil || change(aws, ecr) {
		aws.AddRole(fakeaws.Role{Name: "exec", TrustPolicy: onlineTrust})
		aws.AddRole(fakeaws.Role{Name: "app", TrustPolicy: onlineTrust})
		aws.AddSecret(fakeaws.Secret{Name: "db", Suffix: "AbCdEf", Value: onlineSecretValue, Versions: map[string][]string{"v1": {"AWSCURRENT"}}})
		aws.AddParameter(fakeaws.Parameter{Name: "/app/token", Type: "SecureString", Value: onlineSecretValue})
		aws.AddLogGroup(onlineRegion, "/ecs/app")
		aws.AddTargetGroup(fakeaws.TargetGroup{ARN: onlineTGARN, Name: "app", Protocol: "HTTP", Port: 8080, TargetType: "ip",
			HealthCheckPort: "traffic-port", LoadBalancers: []string{"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/1"}})
		ecr.AddImage("team/sidecar", fakeecr.Image{Digest: "sha256:" + strings.Repeat("ab", 32), Tags: []string{"v1"}, Status: "ACTIVE"})
	}
	dir = t.TempDir()
	// ecspresso's layout: the service is paired with the task definition.
	files := map[string]string{
		"ecs-task-def.json": `{"family": "app", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
  "executionRoleArn": "arn:aws:iam::123456789012:role/exec", "taskRoleArn": "arn:aws:iam::123456789012:role/app",
  "containerDefinitions": [
    {"name": "app", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:{{ must_env ` + "`TAG`" + ` }}",
     "portMappings": [{"containerPort": 8080}],
     "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::"},
                 {"name": "TOKEN", "valueFrom": "/app/token"}],
     "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/app", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}}},
    {"name": "sidecar", "image": "` + onlineSidecar + `", "essential": false}]}`,
		"ecs-service-def.json": `{"launchType": "FARGATE", "desiredCount": 1,
  "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0fake"], "securityGroups": ["sg-0fake"]}},
  "loadBalancers": [{"containerName": "app", "containerPort": 8080, "targetGroupArn": "` + onlineTGARN + `"}]}`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return img, dir, aws
}

func TestVerifyOnline(t *testing.T) {
	tests := []struct {
		name     string
		change   func(*fakeaws.Account, *fakeecr.Server) bool // false: leave the account empty
		flags    []string
		wantCode int
		want     []string
	}{
		{"everything exists", nil, nil, 0, []string{"PASS"}},
		{"an empty account", func(*fakeaws.Account, *fakeecr.Server) bool { return false }, nil, 1,
			[]string{"IC501", "IC503", "IC504", "IC505", "IC506", "IC510"}},
		{"secrets cannot be described", func(a *fakeaws.Account, _ *fakeecr.Server) bool {
			a.Fail("DescribeSecret", fakeaws.AccessDenied)
			return true
		}, nil, 2, []string{"AccessDenied", "the AWS credentials need secretsmanager:DescribeSecret"}},
		{"target groups throttled", func(a *fakeaws.Account, _ *fakeecr.Server) bool {
			a.Fail("DescribeTargetGroups", fakeaws.Throttled)
			return true
		}, nil, 2, []string{"could not check target group", "Throttling: Rate exceeded"}},
		{"scan asked, never scanned", nil, []string{"--online-scan"}, 0, []string{"IC512"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, dir, aws := onlineWorld(t, tt.change)
			args := append([]string{"verify", img, "--container", "app", "--taskdef", dir, "--online", "-v"}, tt.flags...)
			code, out, errOut := runCLI(t, args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.wantCode, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output lacks %q\n%s\n%s", w, out, errOut)
				}
			}
			// Only metadata is ever asked for, and no value is printed.
			if f := aws.Forbidden(); len(f) > 0 {
				t.Errorf("values were asked for: %+v", f)
			}
			if strings.Contains(out+errOut, onlineSecretValue) {
				t.Error("a secret value reached the output")
			}
			if len(aws.Calls()) == 0 {
				t.Error("--online asked AWS nothing")
			}
		})
	}
}

// Offline is the default: without --online, AWS is never asked.
func TestVerifyOfflineAsksNoAWS(t *testing.T) {
	img, dir, aws := onlineWorld(t, nil)
	code, out, errOut := runCLI(t, "verify", img, "--container", "app", "--taskdef", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if c := aws.Calls(); len(c) > 0 {
		t.Errorf("offline verify called AWS: %+v", c)
	}
}

// Without credentials --online stops at once, could not verify.
func TestVerifyOnlineWithoutCredentials(t *testing.T) {
	img, dir, _ := onlineWorld(t, nil)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	code, _, errOut := runCLI(t, "verify", img, "--container", "app", "--taskdef", dir, "--online")
	if code != 2 || !strings.Contains(errOut, "--online: no AWS credentials") {
		t.Fatalf("exit %d, want 2 naming the missing credentials\n%s", code, errOut)
	}
}
