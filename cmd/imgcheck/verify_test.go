package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/taskdef"
)

func verifyTaskFile(t *testing.T, arch, ref string) string {
	t.Helper()
	td := fmt.Sprintf(`{
  "family": "app",
  "requiresCompatibilities": ["FARGATE"],
  "networkMode": "awsvpc",
  "cpu": "256",
  "memory": "512",
  "runtimePlatform": {"cpuArchitecture": %q, "operatingSystemFamily": "LINUX"},
  "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
  "containerDefinitions": [{"name": "app", "image": %q, "essential": true,
    "healthCheck": {"command": ["CMD", "/ko-app/app", "-healthcheck"]}}]
}
`, arch, ref)
	path := filepath.Join(t.TempDir(), "td.json")
	if err := os.WriteFile(path, []byte(td), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func koImage(t *testing.T, arch string) v1.Image {
	t.Helper()
	bin := imagetest.GoBinary(t, "linux", arch, false)
	return imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: arch, Entrypoint: []string{"/ko-app/app"},
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("ko-app"), imagetest.File("ko-app/app", 0o755, bin))}})
}

func TestVerifyCommandExitCodesAndPinning(t *testing.T) {
	reg := imagetest.Registry(t)
	multi := reg.PushIndex(t, "app:multi", imagetest.Index(t, false,
		imagetest.Child{Image: koImage(t, "amd64")}, imagetest.Child{Image: koImage(t, "arm64")}))
	amdOnly := reg.PushImage(t, "app:amd64", koImage(t, "amd64"))

	tdARM := verifyTaskFile(t, "ARM64", multi)
	code, out, errOut := runCLI(t, "verify", "--taskdef", tdARM)
	if code != 0 || !strings.Contains(out, "PASS") {
		t.Fatalf("good image: exit %d\n%s\n%s", code, out, errOut)
	}

	// The CI use: an image given on the command line for the only container.
	code, out, _ = runCLI(t, "verify", amdOnly, "--taskdef", tdARM, "--format", "json")
	var rep struct {
		ExitCode int `json:"exitCode"`
		Findings []struct {
			Rule string `json:"rule"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("json report: %v\n%s", err, out)
	}
	if code != 1 || rep.ExitCode != 1 || !hasRule(rep.Findings, "IC102") || !hasRule(rep.Findings, "IC204") {
		t.Fatalf("amd64 image on ARM64 task: exit %d, report %+v", code, rep)
	}

	// Could not verify: exit 2 with one line on stderr.
	code, _, errOut = runCLI(t, "verify", reg.Host+"/nope:v1", "--taskdef", tdARM)
	if code != 2 || !strings.Contains(errOut, "could not verify") {
		t.Fatalf("missing image: exit %d, stderr %q", code, errOut)
	}
	// Bad input: exit 2.
	if code, _, errOut = runCLI(t, "verify", "--taskdef", filepath.Join(t.TempDir(), "missing.json")); code != 2 {
		t.Fatalf("missing task definition file: exit %d, %q", code, errOut)
	}
	if code, _, _ = runCLI(t, "verify", multi, amdOnly, "--taskdef", tdARM); code != 2 {
		t.Fatalf("two images without --container: exit %d, want 2", code)
	}

	// --pin-out round trip: the pinned file loads, references the digest, and verifies.
	pinned := filepath.Join(t.TempDir(), "pinned.json")
	code, _, errOut = runCLI(t, "verify", "--taskdef", tdARM, "--pin-out", pinned)
	if code != 0 {
		t.Fatalf("pin: exit %d: %s", code, errOut)
	}
	td, err := taskdef.Load(t.Context(), pinned, taskdef.LoadOptions{})
	if err != nil {
		t.Fatalf("pinned file does not load: %v", err)
	}
	img := td.Containers[0].Image.Value
	if !strings.HasPrefix(img, reg.Host+"/app@sha256:") {
		t.Fatalf("pinned image %q is not a digest reference", img)
	}
	code, out, _ = runCLI(t, "verify", "--taskdef", pinned)
	if code != 0 || strings.Contains(out, "IC313") {
		t.Fatalf("pinned file: exit %d, output:\n%s", code, out)
	}

	// A pinned file that cannot be written fails the run, and the report
	// written beside it says so instead of "pass".
	reportFile := filepath.Join(t.TempDir(), "report.json")
	unwritable := filepath.Join(t.TempDir(), "no-such-dir", "pinned.json")
	if code, _, errOut = runCLI(t, "verify", "--taskdef", tdARM, "--pin-out", unwritable, "--format", "json", "-o", reportFile); code != 2 {
		t.Fatalf("unwritable --pin-out: exit %d: %s", code, errOut)
	}
	var pinRep struct {
		Verdict  string `json:"verdict"`
		ExitCode int    `json:"exitCode"`
	}
	if b, err := os.ReadFile(reportFile); err != nil || json.Unmarshal(b, &pinRep) != nil || pinRep.Verdict != "error" || pinRep.ExitCode != 2 {
		t.Errorf("report after a failed --pin-out: %+v (%v)", pinRep, err)
	}

	// A failing verification never writes a pinned file.
	noPin := filepath.Join(t.TempDir(), "nopin.json")
	if code, _, _ = runCLI(t, "verify", amdOnly, "--taskdef", tdARM, "--pin-out", noPin); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if _, err := os.Stat(noPin); !os.IsNotExist(err) {
		t.Fatalf("a pinned file was written for a failing image")
	}

	// Image-only mode.
	if code, out, _ = runCLI(t, "verify", multi, "--platform", "linux/arm64"); code != 0 || !strings.Contains(out, "linux/arm64") {
		t.Fatalf("image-only: exit %d\n%s", code, out)
	}
}

func hasRule(fs []struct {
	Rule string `json:"rule"`
}, id string) bool {
	for _, f := range fs {
		if f.Rule == id {
			return true
		}
	}
	return false
}

// An EC2 task without runtimePlatform: the instance decides the CPU
// architecture, so verify cannot pass without --platform (or a placement
// constraint), and names the flag that settles it.
func TestVerifyEC2TaskNeedsPlatform(t *testing.T) {
	reg := imagetest.Registry(t)
	amdOnly := reg.PushImage(t, "ec2:amd64", koImage(t, "amd64"))
	path := filepath.Join(t.TempDir(), "ec2.json")
	td := `{"family": "app", "requiresCompatibilities": ["EC2"],
  "containerDefinitions": [{"name": "app", "image": "` + amdOnly + `", "essential": true, "memory": 128}]}`
	if err := os.WriteFile(path, []byte(td), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "verify", "--taskdef", path)
	if code != 2 || !strings.Contains(errOut, "--platform") || !strings.Contains(errOut, "decided by the instance") {
		t.Fatalf("no platform: exit %d, stderr %s", code, errOut)
	}
	if code, out, errOut := runCLI(t, "verify", "--taskdef", path, "--platform", "linux/amd64"); code != 0 {
		t.Fatalf("--platform linux/amd64: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ := runCLI(t, "verify", "--taskdef", path, "--platform", "linux/amd64", "--platform", "linux/arm64"); code != 1 || !strings.Contains(out, "IC102") {
		t.Fatalf("both platforms on an amd64-only image: exit %d\n%s", code, out)
	}
}
