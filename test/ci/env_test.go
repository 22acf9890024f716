// Package ci tests the CI integration: action.yml and every example in
// docs/ci.md, run against a real local registry with the real imgcheck CLI.
package ci

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imgcheck/imgcheck/internal/distreg"
)

// scriptTimeout bounds one script of an example (a build included).
const scriptTimeout = 5 * time.Minute

// awsStub stands in for the AWS CLI: it logs its arguments and, for
// register-task-definition, checks the file:// input and keeps a copy.
const awsStub = `#!/usr/bin/env bash
set -euo pipefail
echo "$*" >> "$AWS_STUB_DIR/calls.log"
if [ "${1:-} ${2:-}" = "ecs register-task-definition" ]; then
  input=""
  while [ $# -gt 0 ]; do
    if [ "$1" = "--cli-input-json" ]; then input=$2; fi
    shift
  done
  case "$input" in
    file://*) cp "${input#file://}" "$AWS_STUB_DIR/registered.json" ;;
    *) echo "aws stub: --cli-input-json wants file://PATH, got '$input'" >&2; exit 254 ;;
  esac
  echo "arn:aws:ecs:us-east-1:123456789012:task-definition/sample-server-arm64:42"
fi
`

// ciEnv is what every example runs against.
type ciEnv struct {
	repo     string // repository root
	registry string // 127.0.0.1:PORT
	bin      string // directory with imgcheck and the aws stub
	awsDir   string // where the stub logs
}

func newCIEnv(t *testing.T) *ciEnv {
	t.Helper()
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	e := &ciEnv{repo: repo, bin: t.TempDir(), awsDir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(e.bin, "imgcheck"), "./cmd/imgcheck")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building imgcheck: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(e.bin, "aws"), []byte(awsStub), 0o755); err != nil {
		t.Fatal(err)
	}
	e.registry = distreg.Start(t, distreg.Options{}).Host
	return e
}

// withAWSDir is e with a fresh log directory for the aws stub, so each
// example's calls are checked on their own.
func (e *ciEnv) withAWSDir(t *testing.T) *ciEnv {
	c := *e
	c.awsDir = t.TempDir()
	return &c
}

// workspace is a fresh checkout-like directory: the module's go.mod and
// go.sum, the sample server's sources and deploy/taskdef.json (the repo's
// ARM64 example).
func (e *ciEnv) workspace(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum"} {
		copyFile(t, filepath.Join(e.repo, f), filepath.Join(dir, f))
	}
	src := filepath.Join(e.repo, "sample-server")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(e.repo, path)
		copyFile(t, path, filepath.Join(dir, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(e.repo, "examples", "taskdef-arm64.json"), filepath.Join(dir, "deploy", "taskdef.json"))
	return dir
}

// environ is the environment of a script: the test's, with imgcheck and
// the aws stub first on PATH, plus vars.
func (e *ciEnv) environ(vars map[string]string) []string {
	env := []string{"PATH=" + e.bin + string(os.PathListSeparator) + os.Getenv("PATH"), "AWS_STUB_DIR=" + e.awsDir}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "GITHUB_") && !strings.HasPrefix(kv, "CI_") {
			env = append(env, kv)
		}
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// runScript runs a bash script the way the CI systems do (-e, pipefail)
// and returns its exit code and combined output.
func (e *ciEnv) runScript(t *testing.T, dir, script string, vars map[string]string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = e.environ(vars)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("script timed out after %s:\n%s\n%s", scriptTimeout, script, out.String())
	}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), out.String()
	case err != nil:
		t.Fatalf("running bash: %v", err)
	}
	return 0, out.String()
}

// awsCalls returns the aws commands the stub saw, one per line.
func (e *ciEnv) awsCalls(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.awsDir, "calls.log"))
	if err != nil {
		t.Fatalf("the aws stub was never called: %v", err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// checkDeployed checks that a pinned task definition was registered and the
// service updated to it.
func (e *ciEnv) checkDeployed(t *testing.T) {
	t.Helper()
	calls := strings.Join(e.awsCalls(t), "\n")
	for _, want := range []string{"ecs register-task-definition --cli-input-json file://", "ecs update-service", "task-definition/sample-server-arm64:42", "ecs wait services-stable"} {
		if !strings.Contains(calls, want) {
			t.Errorf("aws calls lack %q:\n%s", want, calls)
		}
	}
	registered, err := os.ReadFile(filepath.Join(e.awsDir, "registered.json"))
	if err != nil {
		t.Fatalf("no task definition was registered: %v", err)
	}
	if !strings.Contains(string(registered), e.registry+"/sample-server@sha256:") {
		t.Errorf("registered task definition does not pin the built image by digest:\n%s", registered)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readDoc(t *testing.T, e *ciEnv) []codeBlock {
	t.Helper()
	md, err := os.ReadFile(filepath.Join(e.repo, "docs", "ci.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := codeBlocks(string(md))
	if err != nil {
		t.Fatalf("docs/ci.md: %v", err)
	}
	return blocks
}
