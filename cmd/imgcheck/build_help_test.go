package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/internal/ecrtest"
	"github.com/imgcheck/imgcheck/internal/examples"
)

// helpCommand is one command of a help example: its environment
// assignments and its words.
type helpCommand struct {
	env  map[string]string
	args []string
}

// helpExamples splits a cobra Example into command lines, and each line
// into the commands joined by "&&".
func helpExamples(t *testing.T, example string) [][]helpCommand {
	t.Helper()
	var out [][]helpCommand
	for _, ex := range examples.Lines("imgcheck build --help", example, "") {
		parsed, err := examples.Parse(ex.Line)
		if err != nil {
			t.Fatal(err)
		}
		var cmds []helpCommand
		for _, p := range parsed {
			c := helpCommand{env: map[string]string{}, args: p.Args}
			for _, kv := range p.Env {
				k, v, _ := strings.Cut(kv, "=")
				c.env[k] = v
			}
			cmds = append(cmds, c)
		}
		out = append(out, cmds)
	}
	return out
}

// exampleWorkspace makes a fresh directory for one example: a copy of the
// parts of this repository the examples name (go.mod, .ko.yaml,
// sample-server, examples) when it builds ./sample-server, else a user's
// module with a main package at ./cmd/app and no .ko.yaml.
func exampleWorkspace(t *testing.T, line []helpCommand) string {
	t.Helper()
	dir := t.TempDir()
	repoExample := false
	for _, c := range line {
		repoExample = repoExample || strings.Contains(strings.Join(c.args, " "), "./sample-server")
	}
	if !repoExample {
		main, err := os.ReadFile("../../build/testdata/hello/main.go")
		if err != nil {
			t.Fatal(err)
		}
		writeFiles(t, dir, map[string]string{"go.mod": "module example.com/app\n\ngo 1.26\n", "cmd/app/main.go": string(main)})
		return dir
	}
	for _, f := range []string{"go.mod", "go.sum", ".ko.yaml"} {
		data, err := os.ReadFile(filepath.Join("../..", f))
		if err != nil {
			t.Fatal(err)
		}
		writeFiles(t, dir, map[string]string{f: string(data)})
	}
	for _, d := range []string{"sample-server", "examples"} {
		if err := os.CopyFS(filepath.Join(dir, d), os.DirFS(filepath.Join("../..", d))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// ecrRoundTripper sends requests for the ECR host name through the ECR
// test path and everything else (127.0.0.1) directly.
type ecrRoundTripper struct{ ecr http.RoundTripper }

func (r ecrRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Hostname() == ecrtest.Host {
		return r.ecr.RoundTrip(req)
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestBuildHelpExamples runs every example of "imgcheck build --help" as
// written, on a fresh machine with no registry: the ECR host name of the
// examples reaches a local registry through the ECR test path (real SDK,
// keychain and repository creation against a local ECR API), and
// registry.example is a local registry for skopeo. Each must exit 0.
func TestBuildHelpExamples(t *testing.T) {
	needTools(t, "skopeo")
	backend := startTestRegistry(t)
	ecr := ecrtest.Start(t, backend.host)
	other := startTestRegistry(t)
	cmd := newBuildCmd(streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard}, &globalOptions{})
	lines := helpExamples(t, cmd.Example)
	if len(lines) < 5 {
		t.Fatalf("found %d examples in build --help", len(lines))
	}
	for _, line := range lines {
		t.Run(strings.Join(line[0].args, " "), func(t *testing.T) {
			t.Chdir(exampleWorkspace(t, line))
			for _, c := range line {
				t.Setenv("KO_DOCKER_REPO", "")
				t.Setenv("KO_CONFIG_PATH", "")
				for k, v := range c.env {
					t.Setenv(k, v)
				}
				switch {
				case len(c.args) >= 2 && c.args[0] == "imgcheck" && c.args[1] == "build":
					code, out, errOut := runBuildCmd(t, &buildOptions{transport: ecrRoundTripper{ecr: ecr.Transport}}, c.args[2:]...)
					if code != 0 {
						t.Fatalf("%s: exit %d:\n%s", strings.Join(c.args, " "), code, errOut)
					}
					if !digestRef.MatchString(strings.TrimSpace(out)) {
						t.Errorf("%s: stdout %q is not a reference by digest", strings.Join(c.args, " "), out)
					}
				case len(c.args) > 0 && c.args[0] == "skopeo":
					runSkopeoExample(t, c.args, other.host)
				default:
					t.Fatalf("example runs %q, which this test does not know", c.args)
				}
			}
		})
	}
	// The --create-repo example created its repository through the ECR API.
	if exists, scanOnPush := ecr.API.Repository("app"); !exists || !scanOnPush {
		t.Errorf("ECR repository app: exists %v, scan on push %v", exists, scanOnPush)
	}
}

// runSkopeoExample runs a skopeo command of an example with
// registry.example mapped to a local plain-HTTP registry.
func runSkopeoExample(t *testing.T, args []string, host string) {
	t.Helper()
	var real []string
	for i, a := range args[1:] {
		real = append(real, strings.ReplaceAll(a, "registry.example", host))
		if i == 0 && a == "copy" {
			real = append(real, "--dest-tls-verify=false")
		}
	}
	out, err := exec.Command("skopeo", real...).CombinedOutput()
	if err != nil {
		t.Fatalf("skopeo %s: %v\n%s", strings.Join(real, " "), err, out)
	}
	ref := strings.ReplaceAll(args[len(args)-1], "registry.example", host)
	if out, err := exec.Command("skopeo", "inspect", "--tls-verify=false", "--raw", ref).CombinedOutput(); err != nil {
		t.Errorf("skopeo inspect %s after the copy: %v\n%s", ref, err, out)
	}
}
