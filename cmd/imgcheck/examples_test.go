package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/imgcheck/imgcheck/internal/examples"
	"github.com/imgcheck/imgcheck/internal/fakeecs"
	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/internal/sarifcheck"
)

// exampleVerbs are the verbs whose help and README examples this test runs
// (build's examples compile and push, and are build's tests' business).
var exampleVerbs = []string{"verify", "inspect", "plan", "version"}

// TestExamplesWorkAsWritten runs every imgcheck command of the verbs' help
// examples and of the README, as written, against a local registry, a fake
// ECS endpoint and OCI layouts shaped like imgcheck build's. Only registry
// hosts that cannot be reached here are rewritten to the local registry;
// files and layouts the examples name are made in a temporary directory.
func TestExamplesWorkAsWritten(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	x86Task, err := os.ReadFile(filepath.Join("..", "..", "examples", "taskdef-x86_64.json"))
	if err != nil {
		t.Fatal(err)
	}
	twelve, err := os.ReadFile(filepath.Join("testdata", "plan", "twelve.json"))
	if err != nil {
		t.Fatal(err)
	}
	var found []examples.Example
	root := newRootCmd(streams{})
	for _, c := range root.Commands() {
		found = append(found, examples.Lines("imgcheck "+c.Name()+" --help", c.Example, "")...)
	}
	found = append(found, examples.Markdown("README.md", string(readme))...)
	var run []examples.Example
	readmeCount := 0
	for _, ex := range found {
		if slices.Contains(exampleVerbs, ex.Verb()) {
			run = append(run, ex)
			if ex.Block > 0 {
				readmeCount++
			}
		}
	}
	if readmeCount < 5 {
		t.Fatalf("found %d imgcheck commands in README.md; the parser lost them", readmeCount)
	}

	reg := imagetest.Registry(t)
	sample := sampleIndex(t)
	armOnly := imagetest.Index(t, false, imagetest.Child{Image: koImage(t, "arm64")})
	for _, repoTag := range []string{"app:v1", "acme/app:latest", "app:1.4.2", "fleet/api:1", "fleet/worker:1"} {
		reg.PushIndex(t, repoTag, sample)
	}
	// Hosts an example names that cannot be reached here.
	rewrite := map[string]string{
		"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1": reg.Host + "/app:v1",
		"app:v1":                  reg.Host + "/app:v1",
		"ghcr.io/acme/app:latest": reg.Host + "/acme/app:latest",
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.4.2": reg.Host + "/app:1.4.2",
	}
	task := func(image string) string {
		return fmt.Sprintf(`{"family": "app", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
  "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
  "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
  "containerDefinitions": [{"name": "app", "image": %q, "essential": true}]}`, image)
	}
	ecs, err := fakeecs.New("us-east-1", "123456789012", fakeecs.TaskDefinition{Family: "app", Revision: 7, JSON: []byte(task(reg.Host + "/app:v1"))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ecs.Close)
	ecs.SetEnv(t)

	dir := t.TempDir()
	t.Chdir(dir)
	files := map[string]string{
		"taskdef.json":                           task("registry.example/app:v1"),
		"td.json":                                task("registry.example/app:v1"),
		"examples/taskdef-x86_64.json":           string(x86Task),
		"deploy/taskdefs/api.json":               task(reg.Host + "/fleet/api:1"),
		"deploy/taskdefs/worker.json":            task(reg.Host + "/fleet/worker:1"),
		"svc.json":                               string(twelve),
		"cmd/imgcheck/testdata/plan/twelve.json": string(twelve),
		"stack.yaml":                             planStack,
	}
	for name, content := range files {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// imgcheck build's default layout: one entry per package, "<name>:<tag>".
	imagetest.WriteLayoutIndex(t, "out", "sample-server:latest", sample)
	imagetest.WriteLayoutIndex(t, "arm-only", "sample-server:latest", armOnly)

	// What an example must do beyond "not exit 2".
	wantCode := map[string]int{
		"imgcheck verify oci:arm-only --taskdef examples/taskdef-x86_64.json": 1, // the README shows the failure
	}
	for _, ex := range run {
		t.Run(ex.Where+": "+ex.Line, func(t *testing.T) {
			cmds, err := examples.Parse(ex.Line)
			if err != nil {
				t.Fatal(err)
			}
			args, _ := cmds[0].Imgcheck()
			if len(cmds) != 1 || len(cmds[0].Env) > 0 {
				t.Fatalf("%d commands, environment %q: this test runs one imgcheck command with no environment", len(cmds), cmds[0].Env)
			}
			for i, a := range args {
				if r, ok := rewrite[a]; ok {
					args[i] = r
				}
			}
			code, out, errOut := runCLI(t, args...)
			if want := wantCode[ex.Line]; code != want {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, want, out, errOut)
			}
			if i := slices.IndexFunc(args, func(a string) bool { return a == "-o" || a == "--output" }); i > 0 && slices.Contains(args, "sarif") {
				b, err := os.ReadFile(args[i+1])
				if err != nil {
					t.Fatal(err)
				}
				if err := sarifcheck.Check(b); err != nil {
					t.Errorf("%s: %v", args[i+1], err)
				}
			}
		})
	}
}

// planStack holds what plan's --resource/--param example names.
const planStack = `Parameters:
  ImageUri:
    Type: String
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      RequiresCompatibilities: [FARGATE]
      Cpu: 256
      Memory: 512
      NetworkMode: awsvpc
      ContainerDefinitions:
        - Name: web
          Image: !Ref ImageUri
  WebService:
    Type: AWS::ECS::Service
    Properties:
      ServiceName: web
      DesiredCount: 4
      TaskDefinition: !Ref Task
      CapacityProviderStrategy:
        - CapacityProvider: FARGATE
          Base: 1
          Weight: 1
        - CapacityProvider: FARGATE_SPOT
          Weight: 3
`
