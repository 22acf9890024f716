package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/internal/fakeecs"
)

// TestPlanLiveTaskdef reads the task definition from the ECS API (the real
// SDK against a local endpoint): the command injects the SDK describer.
func TestPlanLiveTaskdef(t *testing.T) {
	windows, err := os.ReadFile(planFile("windows-task.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := fakeecs.New("eu-west-1", "123456789012", fakeecs.TaskDefinition{Family: "iis", Revision: 1, JSON: windows})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	srv.SetEnv(t)

	code, out, errOut := runCLI(t, "plan", "--service", planFile("twelve.json"), "--taskdef", "iis:1")
	if code != 1 || !strings.Contains(out, "FARGATE_SPOT does not run Windows tasks") {
		t.Fatalf("exit %d, want 1 with the Windows reason\nstdout %s\nstderr %s", code, out, errOut)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("ECS saw %d requests, want 1", n)
	}
	code, _, errOut = runCLI(t, "plan", "--service", planFile("twelve.json"), "--taskdef", "nosuch:1")
	if code != exitError || !strings.Contains(errOut, "--taskdef nosuch:1: describing task definition nosuch:1") {
		t.Errorf("unknown family: exit %d, stderr %q", code, errOut)
	}
}

// TestBuildVerifyTaskdefLoadOptions checks that build reads --verify-taskdef
// as verify reads --taskdef: directories expanded, --param and --resource
// applied, errors naming the flag.
func TestBuildVerifyTaskdefLoadOptions(t *testing.T) {
	dir := t.TempDir()
	stack := "Parameters:\n  Tag: {Type: String}\nResources:\n" +
		"  Other:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions: [{Name: other, Image: x}]\n" +
		"  Web:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions: [{Name: web, Image: !Sub 'repo/app:${Tag}'}]\n"
	if err := os.WriteFile(filepath.Join(dir, "stack.yaml"), []byte(stack), 0o600); err != nil {
		t.Fatal(err)
	}
	tds, err := loadTaskdefs(t.Context(), &buildOptions{verifyTaskdefs: []string{dir}, params: []string{"Tag=v2"}, resource: "Web"})
	if err != nil {
		t.Fatal(err)
	}
	if len(tds) != 1 || tds[0].ref != filepath.Join(dir, "stack.yaml") || tds[0].td.Containers[0].Image.Value != "repo/app:v2" {
		t.Fatalf("got %+v", tds)
	}

	tests := []struct {
		name string
		o    buildOptions
		want string
	}{
		{"bad param", buildOptions{verifyTaskdefs: []string{dir}, params: []string{"Tag"}}, `--param "Tag": want Name=Value`},
		{"several resources", buildOptions{verifyTaskdefs: []string{dir}}, "--verify-taskdef " + dir + ": "},
		{"empty directory", buildOptions{verifyTaskdefs: []string{t.TempDir()}}, "holds no .json, .yaml or .yml file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := loadTaskdefs(t.Context(), &tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}

	// The flags exist on build with verify's types.
	build, verify := newBuildCmd(streams{}, &globalOptions{}).Flags(), newVerifyCmd(streams{}, &globalOptions{}).Flags()
	for _, name := range []string{"param", "resource"} {
		b, v := build.Lookup(name), verify.Lookup(name)
		if b == nil || v == nil || b.Value.Type() != v.Value.Type() {
			t.Errorf("flag --%s: build %v, verify %v", name, b, v)
		}
	}
}
