package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/imgcheck/imgcheck/build"
)

// helloDir copies the build package's fixture module to a temporary
// directory (outside any VCS) and makes it the working directory.
func helloDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "hello")
	if err := os.CopyFS(dir, os.DirFS("../../build/testdata/hello")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	return dir
}

var digestRef = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)

func TestBuildDefaultTargetIsOCILayout(t *testing.T) {
	dir := helloDir(t)
	code, out, errOut := runCLI(t, "build", "--platform", "linux/amd64,linux/arm64")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	line := strings.TrimSpace(out)
	if !strings.HasPrefix(line, "oci:out@sha256:") || !digestRef.MatchString(line) || strings.Count(out, "\n") != 1 {
		t.Fatalf("stdout = %q, want one oci:out@sha256:... line", out)
	}
	for _, want := range []string{"linux/amd64: compile ", "linux/arm64: compile ", "linux/arm64: layer ", " MB"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if !strings.Contains(errOut, "verify hello: image checks passed on 2 platform(s)") {
		t.Errorf("stderr lacks the image-side verify line:\n%s", errOut)
	}
	if strings.Contains(errOut, "\r") {
		t.Errorf("stderr is not a terminal but got live updates: %q", errOut)
	}
	idx := builtLayoutIndex(t, dir, line)
	if err := validate.Index(idx); err != nil {
		t.Fatal(err)
	}
}

func TestBuildPushWithKODockerRepo(t *testing.T) {
	helloDir(t)
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	t.Setenv("KO_DOCKER_REPO", host+"/team")
	refs := filepath.Join(t.TempDir(), "refs.txt")
	code, out, errOut := runCLI(t, "build", ".", "--platform", "linux/amd64", "--tag", "v1", "--image-refs", refs)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, host+"/team/hello@sha256:") || !digestRef.MatchString(strings.TrimSpace(out)) {
		t.Errorf("stdout = %q, want %s/team/hello@sha256:...", out, host)
	}
	if !strings.Contains(errOut, "upload ") {
		t.Errorf("stderr lacks the upload line:\n%s", errOut)
	}
	written, err := os.ReadFile(refs)
	if err != nil || string(written) != out {
		t.Errorf("--image-refs wrote %q (%v), want %q", written, err, out)
	}
	resp, err := http.Get(srv.URL + "/v2/team/hello/manifests/v1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("tag v1 not pushed: %s", resp.Status)
	}
}

func TestBuildFlagErrors(t *testing.T) {
	helloDir(t)
	if err := os.WriteFile(".ko.yaml", []byte("defaultPlatforms: [linux/amd64]\nbuilds:\n- id: x\n  ldflag: [-s]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{name: "ko.yaml unknown key", args: []string{"build"}, wantErr: `.ko.yaml:4:3: ldflag: unknown key (did you mean "ldflags"?)`},
		{name: "sbom", args: []string{"build", "--sbom", "cyclonedx"}, wantErr: `unknown --sbom "cyclonedx"`},
		{name: "verify-taskdef missing file", args: []string{"build", "--verify-taskdef", "missing-td.json"}, wantErr: "--verify-taskdef missing-td.json"},
		{name: "create-repo without registry", args: []string{"build", "--create-repo"}, wantErr: "needs a registry target"},
		{name: "ko.local", args: []string{"build"}, env: map[string]string{"KO_DOCKER_REPO": "ko.local"}, wantErr: "does not do"},
		{name: "push digest", args: []string{"build", "--push", "example.com/a@sha256:" + strings.Repeat("a", 64)}, wantErr: "not a digest"},
		{name: "bad platform", args: []string{"build", "--platform", "linux/arm/v9"}, wantErr: "variant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if tt.name != "ko.yaml unknown key" {
				t.Setenv("KO_CONFIG_PATH", t.TempDir()+"/none.yaml")
				if err := os.WriteFile(os.Getenv("KO_CONFIG_PATH"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, _, errOut := runCLI(t, tt.args...)
			if code != exitError || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.wantErr)
			}
		})
	}
}

// amd64Compiler builds amd64 whatever is asked: the wrong-binary seam.
type amd64Compiler struct{}

func (amd64Compiler) Compile(ctx context.Context, req build.CompileRequest) (string, error) {
	req.Platform = v1.Platform{OS: "linux", Architecture: "amd64"}
	return build.GoCompiler{}.Compile(ctx, req)
}

func TestBuildRefusedExitsOne(t *testing.T) {
	dir := helloDir(t)
	var out, errOut bytes.Buffer
	o := &buildOptions{
		platforms: []string{"linux/arm64"}, sbom: "spdx", jobs: 1,
		global: &globalOptions{}, workDir: dir, environ: os.Environ(), compiler: amd64Compiler{},
	}
	err := runBuild(context.Background(), o, streams{in: strings.NewReader(""), out: &out, err: &errOut})
	var ce *exitCodeError
	if !errors.As(err, &ce) || exitCodeFor(err) != exitFindings {
		t.Fatalf("err = %v, want a findings error (exit 1)", err)
	}
	if !strings.Contains(err.Error(), "linux/arm64: binary-arch") || out.Len() != 0 {
		t.Errorf("err %q stdout %q", err, out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Errorf("refused build wrote ./out: %v", err)
	}
}

// TestBuildVerifyTaskdef verifies the sample server, in memory, against
// both example Fargate task definitions before writing the layout.
func TestBuildVerifyTaskdef(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	out := filepath.Join(t.TempDir(), "layout")
	code, stdout, errOut := runCLI(t, "build", "./sample-server", "--base", "static", "--oci-layout", out,
		"--verify-taskdef", "examples/taskdef-arm64.json", "--verify-taskdef", "examples/taskdef-x86_64.json")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	if !strings.HasPrefix(stdout, "oci:"+out+"@sha256:") {
		t.Errorf("stdout = %q", stdout)
	}
	if n := strings.Count(errOut, "PASS"); n != 2 {
		t.Errorf("want two passing verify reports on stderr, got %d:\n%s", n, errOut)
	}
}

// TestBuildVerifyTaskdefChecksOtherPlatforms builds two platforms against
// an arm64 task definition: the amd64 image, which no task runs, must still
// get the image checks before it is published.
func TestBuildVerifyTaskdefChecksOtherPlatforms(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	out := filepath.Join(t.TempDir(), "layout")
	code, _, errOut := runCLI(t, "build", "./sample-server", "--base", "static", "--oci-layout", out,
		"--platform", "linux/amd64,linux/arm64", "--verify-taskdef", "examples/taskdef-arm64.json")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "verify sample-server: image checks passed on 1 platform(s)") {
		t.Errorf("want the image checks of linux/amd64 on stderr:\n%s", errOut)
	}
}

func TestBuildVerifyTaskdefRefuses(t *testing.T) {
	td, err := filepath.Abs("../../examples/taskdef-arm64.json")
	if err != nil {
		t.Fatal(err)
	}
	helloDir(t)
	code, stdout, errOut := runCLI(t, "build", "--platform", "linux/amd64", "--verify-taskdef", td)
	if code != exitFindings || stdout != "" {
		t.Fatalf("exit %d stdout %q, want 1 and nothing:\n%s", code, stdout, errOut)
	}
	if !strings.Contains(errOut, "nothing was published") {
		t.Errorf("stderr:\n%s", errOut)
	}
	if _, err := os.Stat("out"); !os.IsNotExist(err) {
		t.Errorf("refused build wrote ./out: %v", err)
	}
}

// builtLayoutIndex opens the index build printed as oci:LAYOUT@DIGEST, the
// layout being relative to dir.
func builtLayoutIndex(t *testing.T, dir, printed string) v1.ImageIndex {
	t.Helper()
	layout, digest, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(printed), "oci:"), "@")
	if !ok {
		t.Fatalf("build printed %q, want oci:LAYOUT@DIGEST", printed)
	}
	h, err := v1.NewHash(digest)
	if err != nil {
		t.Fatalf("build printed %q: %v", printed, err)
	}
	idx, err := build.LayoutIndex(filepath.Join(dir, layout), h)
	if err != nil {
		t.Fatal(err)
	}
	return idx
}
