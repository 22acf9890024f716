package taskdef

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imgcheck/imgcheck/internal/fakeecs"
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
	dir := t.TempDir()
	t.Setenv("AWS_ENDPOINT_URL_ECS", srv.URL)
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fake-secret-for-tests")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	return srv
}

func TestLoadLiveWithRealSDK(t *testing.T) {
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
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			td, err := LoadLive(ctx, tt.ref, LoadOptions{})
			if err != nil {
				t.Fatalf("LoadLive: %v", err)
			}
			if td.Source.Shape != ShapeLive || td.Source.File != tt.ref {
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
		if !strings.HasPrefix(r.Authorization, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") {
			t.Errorf("request not signed with the configured key: %q", r.Authorization)
		}
		if strings.Contains(r.Authorization, "fake-secret-for-tests") {
			t.Errorf("secret key leaked into the request")
		}
	}
}

func TestLoadLiveUnknownFamily(t *testing.T) {
	setupFakeECS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := LoadLive(ctx, "nosuchfamily:7", LoadOptions{})
	if err == nil {
		t.Fatal("LoadLive of an unknown family succeeded")
	}
	for _, want := range []string{"nosuchfamily:7", "ClientException", "Unable to describe task definition"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestLoadLiveUnsignedRequestRejected(t *testing.T) {
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

func TestIsLiveRef(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "web")
	if err := os.WriteFile(existing, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want bool
	}{
		{"web", true},
		{"web:12", true},
		{"arn:aws:ecs:us-east-1:123456789012:task-definition/web:3", true},
		{"arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/web", true},
		{"td.json", false},
		{"./web", false},
		{"dir/web:1", false},
		{existing, false},
		{"arn:aws:ec2:us-east-1:aws_account_id:task-definition/sleep360:1", false},
		{"web:latest", false},
	}
	for _, tt := range tests {
		if got := IsLiveRef(tt.in); got != tt.want {
			t.Errorf("IsLiveRef(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func hasField(fs []Field, name string) bool {
	for _, f := range fs {
		if f.Name == name {
			return true
		}
	}
	return false
}
