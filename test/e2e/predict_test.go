package e2e

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/internal/runctest"
)

var update = flag.Bool("update", false, "rewrite docs/prediction.md")

// predictionCase is an image, a task definition, and what to start in the
// container to see what the runtime does.
type predictionCase struct {
	name   string
	image  v1.Image
	extra  string   // container definition fields, JSON, starting with a comma
	runArg []string // process args to run instead of the image's (the health check); nil: the entrypoint
}

// TestPredictionMatchesReality runs imgcheck verify on a matrix of images
// and then starts each with runc on this amd64 machine, where (without a
// binfmt_misc registration) a foreign binary fails exactly as on a Fargate
// task of the other architecture. The verdicts must agree case by case.
func TestPredictionMatchesReality(t *testing.T) {
	runctest.Require(t, "runc", "umoci", "skopeo", "docker-registry")
	if runctest.BinfmtRegistered() {
		t.Fatal("binfmt_misc has qemu handlers registered: foreign binaries would run, so this machine cannot show exec format error")
	}
	amd := imagetest.GoBinary(t, "linux", "amd64", false)
	arm := imagetest.GoBinary(t, "linux", "arm64", false)
	cgo := imagetest.GoBinary(t, "linux", "amd64", true)
	app := func(bin []byte, mode int64, more ...v1.Layer) v1.Image {
		layers := append([]v1.Layer{imagetest.Layer(t, imagetest.Dir("app"), imagetest.File("app/server", mode, bin))}, more...)
		return imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Entrypoint: []string{"/app/server"}, Layers: layers})
	}
	script := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Entrypoint: []string{"/app/start.sh"},
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("app"), imagetest.File("app/start.sh", 0o755, []byte("#!/bin/bash\necho started\n")))}})
	symlinked := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Entrypoint: []string{"server"}, Env: []string{"PATH=/usr/bin"},
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("app"), imagetest.File("app/server", 0o755, amd),
			imagetest.Dir("usr"), imagetest.Dir("usr/bin"), imagetest.Symlink("usr/bin/server", "../../app/server"))}})
	cases := []predictionCase{
		{name: "good static amd64 binary", image: app(amd, 0o755)},
		{name: "entrypoint found through PATH and a symlink", image: symlinked},
		{name: "arm64 binary on an X86_64 task", image: imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64",
			Entrypoint: []string{"/app/server"}, Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("app"), imagetest.File("app/server", 0o755, arm))}})},
		{name: "cgo binary without its ELF interpreter", image: app(cgo, 0o755)},
		{name: "script whose interpreter is missing", image: script},
		{name: "entrypoint removed by a whiteout", image: app(amd, 0o755, imagetest.Layer(t, imagetest.Whiteout("app/server")))},
		{name: "entrypoint without execute permission", image: app(amd, 0o644)},
		{name: "CMD-SHELL health check without a shell", image: app(amd, 0o755),
			extra:  `, "healthCheck": {"command": ["CMD-SHELL", "exit 0"]}`,
			runArg: []string{"/bin/sh", "-c", "exit 0"}},
	}

	reg := startAuthRegistry(t)
	var rows []string
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ref := reg.push(t, fmt.Sprintf("predict/case%d:v1", i), c.image)
			predicted, rules := predict(t, reg, ref, c.extra)
			actual := reality(t, reg, ref, i, c.runArg)
			agree := (predicted == "starts") == (actual == "starts")
			rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s |", c.name, predicted, strings.Join(rules, ", "), actual, yesNo(agree)))
			if !agree {
				t.Errorf("imgcheck predicted %q (%v) but runc says %q", predicted, rules, actual)
			}
		})
	}
	table := "| image | imgcheck verify | rules | runc on this amd64 host | agree |\n|---|---|---|---|---|\n" + strings.Join(rows, "\n") + "\n"
	t.Logf("prediction vs reality:\n%s", table)
	checkPredictionDoc(t, table)
}

// predict runs the real imgcheck CLI against an X86_64 Fargate task.
func predict(t *testing.T, reg *authRegistry, ref, extra string) (string, []string) {
	t.Helper()
	td := fmt.Sprintf(`{"family": "predict", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
  "cpu": "256", "memory": "512", "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
  "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
  "containerDefinitions": [{"name": "app", "image": %q, "essential": true%s}]}`, ref, extra)
	path := filepath.Join(t.TempDir(), "td.json")
	if err := os.WriteFile(path, []byte(td), 0o644); err != nil {
		t.Fatal(err)
	}
	res := imgcheck(t, []string{reg.dockerEnv}, "verify", "--taskdef", path, "--format", "json")
	var rep struct {
		Findings []struct {
			Rule     string `json:"rule"`
			Severity string `json:"severity"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatalf("verify output: %v\nstdout %s\nstderr %s", err, res.stdout, res.stderr)
	}
	var rules []string
	for _, f := range rep.Findings {
		if f.Severity == "error" {
			rules = append(rules, f.Rule)
		}
	}
	switch res.code {
	case 0:
		return "starts", rules
	case 1:
		return "fails", rules
	}
	t.Fatalf("imgcheck verify could not verify (exit %d): %s", res.code, res.stderr)
	return "", nil
}

// reality copies the image out of the registry with skopeo, unpacks it with
// umoci and starts it with runc.
func reality(t *testing.T, reg *authRegistry, ref string, i int, args []string) string {
	t.Helper()
	layout := filepath.Join(t.TempDir(), "layout")
	runctest.Command(t, 2*time.Minute, "skopeo", "copy", "--src-tls-verify=false",
		"--src-creds", "e2e:e2e-registry-password", "docker://"+ref, "oci:"+layout+":img")
	b := runctest.Unpack(t, layout, "img")
	if args != nil {
		b.SetArgs(args...)
	}
	res := b.Run(t, fmt.Sprintf("imgcheck-predict-%d-%d", os.Getpid(), i), time.Minute)
	if res.ExitCode == 0 {
		return "starts"
	}
	for _, phrase := range []string{"exec format error", "no such file or directory", "permission denied"} {
		if strings.Contains(res.Output, phrase) {
			return "fails: " + phrase
		}
	}
	return fmt.Sprintf("fails: exit %d", res.ExitCode)
}

func checkPredictionDoc(t *testing.T, table string) {
	t.Helper()
	doc := "# Prediction matches reality\n\n" +
		"Generated by `go test ./test/e2e -run TestPredictionMatchesReality -update`; the test fails when this file is out of date.\n\n" +
		"Each image is pushed to a real CNCF distribution registry, judged by `imgcheck verify` against an X86_64 Fargate task definition, " +
		"then copied out with skopeo, unpacked with umoci and started with runc on an amd64 host without binfmt_misc emulation. " +
		"\"starts\" means the process (or, for the health check row, the health check command) ran and exited 0.\n\n" + table
	path := filepath.Join(repoRoot(t), "docs", "prediction.md")
	if *update {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != doc {
		t.Errorf("docs/prediction.md is out of date (run go test ./test/e2e -run TestPredictionMatchesReality -update)")
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}
