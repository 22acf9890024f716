package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// ecspresso keeps ecs-service-def.json beside ecs-task-def.json: --taskdef
// DIR pairs them and the service's rules run, --service implied; the
// image comes from the command line, as the task definition's is a
// template ecspresso renders at deploy time.
func TestVerifyEcspressoLayout(t *testing.T) {
	reg := imagetest.Registry(t)
	img := reg.PushImage(t, "app:amd64", koImage(t, "amd64"))
	dir := t.TempDir()
	files := map[string]string{
		"ecs-task-def.json": `{"family": "app", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
  "containerDefinitions": [{"name": "app", "image": "repo/app:{{ must_env ` + "`TAG`" + ` }}", "portMappings": [{"containerPort": 8080}]}]}`,
		"ecs-service-def.json": `{"launchType": "FARGATE", "desiredCount": 1,
  "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0fake"]}},
  "loadBalancers": [{"containerName": "app", "containerPort": 9090, "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/app/0123456789abcdef"}]}`,
		"ecspresso.yml": "cluster: default\nservice: app\nservice_definition: ecs-service-def.json\ntask_definition: ecs-task-def.json\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := runCLI(t, "verify", img, "--taskdef", dir)
	if code != 1 || !strings.Contains(out, "IC404") || !strings.Contains(out, "port 9090") {
		t.Fatalf("exit %d, want 1 with the service's IC404\n%s\n%s", code, out, errOut)
	}

	code, _, errOut = runCLI(t, "verify", img, "--taskdef", dir, "--service", filepath.Join(dir, "ecs-service-def.json"))
	if code != 2 || !strings.Contains(errOut, "already paired with service definition") {
		t.Fatalf("--service with a paired directory: exit %d, want 2\n%s", code, errOut)
	}
}
