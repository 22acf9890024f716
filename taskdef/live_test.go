package taskdef

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// describeJSON is DescribeTaskDefinition output as ecsapi returns it.
const describeJSON = `{"taskDefinition": {
  "family": "web", "revision": 3, "taskDefinitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3",
  "containerDefinitions": [{"name": "web", "image": "repo/web:1.2.3", "essential": true}],
  "requiresCompatibilities": ["FARGATE"], "cpu": "512", "memory": "1024", "status": "ACTIVE"
}}`

// fakeDescriber answers every reference with the same response and
// records what it was asked.
type fakeDescriber struct {
	response string
	err      error
	asked    []string
}

func (f *fakeDescriber) DescribeTaskDefinition(_ context.Context, ref string) ([]byte, error) {
	f.asked = append(f.asked, ref)
	return []byte(f.response), f.err
}

func TestOpenLive(t *testing.T) {
	ecs := &fakeDescriber{response: describeJSON}
	tds, err := Open(t.Context(), "web:3", OpenOptions{ECS: ecs})
	if err != nil {
		t.Fatal(err)
	}
	if len(tds) != 1 || len(ecs.asked) != 1 || ecs.asked[0] != "web:3" {
		t.Fatalf("got %d task definitions, describer asked %q", len(tds), ecs.asked)
	}
	td := tds[0]
	if td.Source != (Source{File: "web:3", Shape: ShapeLive, Format: "json"}) {
		t.Errorf("source = %+v", td.Source)
	}
	if len(td.Containers) != 1 || td.Containers[0].Image.Value != "repo/web:1.2.3" || td.CPU.Value != 512 {
		t.Errorf("containers %+v cpu %v", td.Containers, td.CPU)
	}
	pinned, err := td.RewriteImages(map[string]string{"web": "repo/web@sha256:" + strings.Repeat("a", 64)})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(pinned), "taskDefinitionArn") || !strings.Contains(string(pinned), "@sha256:") {
		t.Errorf("a live task definition pins as register input without read-only fields:\n%s", pinned)
	}
}

func TestOpenLiveErrors(t *testing.T) {
	tests := []struct {
		name string
		ecs  ECSDescriber
		want string
	}{
		{"no describer", nil, "web:3: no such file or directory, and reading registered task definitions from ECS is not enabled"},
		{"API error", &fakeDescriber{err: errors.New("ExpiredTokenException")}, "describing task definition web:3: ExpiredTokenException"},
		{"not describe output", &fakeDescriber{response: `{"containerDefinitions": [{"name": "a", "image": "a"}]}`}, "the response is register, not DescribeTaskDefinition output"},
		{"invalid response", &fakeDescriber{response: `{"taskDefinition": {"containerDefinitions": 1}}`}, "reading task definition web:3 from ECS: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(t.Context(), "web:3", OpenOptions{ECS: tt.ecs})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "--") {
				t.Errorf("library error names a flag: %v", err)
			}
		})
	}
}

// TestOpenChoosesSource covers the choice between a path and ECS: a path
// that exists always wins; otherwise only an ARN or family[:revision] goes
// to ECS.
func TestOpenChoosesSource(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "web")
	if err := os.WriteFile(existing, []byte(`{"containerDefinitions": [{"name": "file", "image": "a"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ref  string
		live bool
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
		{strings.Repeat("f", 255) + ":1", true},
		{"arn:aws:ecs:us-east-1:123456789012:task-definition/" + strings.Repeat("f", 256) + ":1", false},
		{"arn:aws:ecs:us-east-1:123456789012:task-definition/", false},
		{"web:", false},
		{":1", false},
		{"web:1:2", false},
	}
	for _, tt := range tests {
		ecs := &fakeDescriber{response: describeJSON}
		tds, err := Open(t.Context(), tt.ref, OpenOptions{ECS: ecs})
		if got := len(ecs.asked) == 1; got != tt.live {
			t.Errorf("Open(%q) asked ECS: %v, want %v", tt.ref, got, tt.live)
		}
		switch {
		case tt.live && (err != nil || tds[0].Source.Shape != ShapeLive):
			t.Errorf("Open(%q): %v", tt.ref, err)
		case !tt.live && tt.ref == existing && (err != nil || tds[0].Containers[0].Name.Value != "file"):
			t.Errorf("Open(%q) of an existing file: %v", tt.ref, err)
		case !tt.live && tt.ref != existing && (err == nil || !strings.Contains(err.Error(), "no such file")):
			t.Errorf("Open(%q) of a missing file: %v, want a read error", tt.ref, err)
		}
	}
}

func TestOpenDirectory(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	task := func(name string) string {
		return `{"containerDefinitions": [{"name": "` + name + `", "image": "a"}]}`
	}
	// Two task definitions and a parameter: Resource and Params reach every file.
	write("b.yaml", "Parameters:\n  Tag: {Type: String, Default: '1'}\nResources:\n"+
		"  Other:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions: [{Name: other, Image: x}]\n"+
		"  Web:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions: [{Name: b, Image: !Sub 'repo/app:${Tag}'}]\n")
	write("a.json", task("a"))
	write("c.YML", "containerDefinitions: [{name: c, image: a}]\n")
	write("notes.txt", "not a task definition")
	write("sub/d.json", task("d"))

	tds, err := Open(t.Context(), dir, OpenOptions{LoadOptions: LoadOptions{Resource: "Web", Params: map[string]string{"Tag": "2"}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, td := range tds {
		got = append(got, filepath.Base(td.Source.File)+"="+td.Containers[0].Name.Value+"@"+td.Containers[0].Image.Value)
	}
	if want := "a.json=a@a b.yaml=b@repo/app:2 c.YML=c@a"; strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}

	// A bad member fails the whole directory, naming the file.
	write("b2.json", `{"containerDefinitions": 1}`)
	if _, err := Open(t.Context(), dir, OpenOptions{LoadOptions: LoadOptions{Resource: "Web"}}); err == nil || !strings.Contains(err.Error(), "b2.json") {
		t.Errorf("bad member: %v", err)
	}

	empty := filepath.Join(dir, "sub", "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Open(t.Context(), empty, OpenOptions{})
	if want := "task definition directory " + empty + " holds no .json, .yaml or .yml file"; err == nil || err.Error() != want {
		t.Errorf("empty directory: %v, want %q", err, want)
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
