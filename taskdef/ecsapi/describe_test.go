package ecsapi

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imgcheck/imgcheck/internal/fakeecs"
	"github.com/imgcheck/imgcheck/taskdef"
)

const liveTaskJSON = `{
  "containerDefinitions": [{"name": "web", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.2.3", "essential": true,
    "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]}],
  "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "512", "memory": "1024",
  "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
  "status": "ACTIVE", "compatibilities": ["EC2", "FARGATE"], "registeredAt": 1700000000.5
}`

// setupFakeECS starts the fake endpoint and points the real SDK at it,
// isolated from any AWS configuration on the machine.
func setupFakeECS(t *testing.T) *fakeecs.Server {
	t.Helper()
	srv, err := fakeecs.New("eu-west-1", "123456789012",
		fakeecs.TaskDefinition{Family: "web", Revision: 3, JSON: []byte(liveTaskJSON)},
		fakeecs.TaskDefinition{Family: "web", Revision: 4, JSON: []byte(strings.Replace(liveTaskJSON, "web:1.2.3", "web:1.2.4", 1))},
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	srv.SetEnv(t)
	return srv
}

// openLive reads ref through taskdef.Open with the real SDK behind it.
func openLive(t *testing.T, ref string) (*taskdef.TaskDefinition, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tds, err := taskdef.Open(ctx, ref, taskdef.OpenOptions{ECS: Describer{}})
	if err != nil {
		return nil, err
	}
	if len(tds) != 1 {
		t.Fatalf("Open(%q) returned %d task definitions, want 1", ref, len(tds))
	}
	return tds[0], nil
}

func TestOpenLiveWithRealSDK(t *testing.T) {
	srv := setupFakeECS(t)
	tests := []struct {
		ref, wantImage string
	}{
		{"web:3", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.2.3"},
		{"web", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.2.4"},
		{"arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.2.3"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			td, err := openLive(t, tt.ref)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if td.Source.Shape != taskdef.ShapeLive || td.Source.File != tt.ref {
				t.Errorf("source = %+v", td.Source)
			}
			if len(td.Containers) != 1 || td.Containers[0].Image.Value != tt.wantImage {
				t.Fatalf("containers = %+v", td.Containers)
			}
			if td.CPU.Value != 512 || td.Memory.Value != 1024 || td.RuntimePlatform.CPUArchitecture.Value != "ARM64" {
				t.Errorf("cpu %v memory %v platform %+v", td.CPU, td.Memory, td.RuntimePlatform)
			}
			if !hasField(td.ReadOnlyFields, "taskDefinitionArn") || !hasField(td.ReadOnlyFields, "registeredAt") {
				t.Errorf("read-only fields = %+v", td.ReadOnlyFields)
			}
		})
	}
	reqs := srv.Requests()
	if len(reqs) != len(tests) {
		t.Fatalf("server saw %d requests, want %d", len(reqs), len(tests))
	}
	for _, r := range reqs {
		if !strings.HasPrefix(r.Authorization, "AWS4-HMAC-SHA256 Credential="+fakeecs.AccessKeyID+"/") {
			t.Errorf("request not signed with the configured key: %q", r.Authorization)
		}
		if strings.Contains(r.Authorization, fakeecs.SecretAccessKey) {
			t.Errorf("secret key leaked into the request")
		}
	}
}

func TestOpenLiveUnknownFamily(t *testing.T) {
	setupFakeECS(t)
	_, err := openLive(t, "nosuchfamily:7")
	if err == nil {
		t.Fatal("Open of an unknown family succeeded")
	}
	for _, want := range []string{"nosuchfamily:7", "ClientException", "Unable to describe task definition"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestFakeECSRejectsUnsignedRequest(t *testing.T) {
	srv := setupFakeECS(t)
	resp, err := srv.Client().Post(srv.URL, "application/x-amz-json-1.1", strings.NewReader(`{"taskDefinition":"web"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("unsigned request: status %d, want 403", resp.StatusCode)
	}
}

func hasField(fs []taskdef.Field, name string) bool {
	return slices.ContainsFunc(fs, func(f taskdef.Field) bool { return f.Name == name })
}
