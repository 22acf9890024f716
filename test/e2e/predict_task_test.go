package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// taskSpec is the task definition a prediction case is verified against,
// and so how reality runs the image: on which architecture, as which
// user, with which health check.
type taskSpec struct {
	arch        string   // runtimePlatform.cpuArchitecture; "" is X86_64 on Fargate and none on EC2
	ec2         bool     // requiresCompatibilities EC2 (bridge network, container memory)
	placedOn    string   // EC2: the memberOf constraint attribute:ecs.cpu-architecture == placedOn
	user        string   // the container's user, over the image's USER
	healthCheck []string // the container's healthCheck.command
}

// hostArch is the GOARCH of the hosts ECS can start the task on.
func (s taskSpec) hostArch(t *testing.T) string {
	t.Helper()
	switch {
	case s.arch == "ARM64":
		return "arm64"
	case s.arch == "X86_64" || (s.arch == "" && !s.ec2):
		return "amd64"
	case s.placedOn == "arm64":
		return "arm64"
	case s.placedOn == "x86_64":
		return "amd64"
	}
	t.Fatalf("task %s: the architecture of its hosts is not known, so reality cannot be judged", s)
	return ""
}

// String is the task's row in the prediction table.
func (s taskSpec) String() string {
	var parts []string
	switch {
	case s.ec2 && s.arch == "":
		parts = append(parts, "EC2, no runtimePlatform")
	case s.ec2:
		parts = append(parts, "EC2 "+s.arch)
	case s.arch == "":
		parts = append(parts, "Fargate X86_64")
	default:
		parts = append(parts, "Fargate "+s.arch)
	}
	if s.placedOn != "" {
		parts = append(parts, "placed on cpu-architecture "+s.placedOn)
	}
	if s.user != "" {
		parts = append(parts, "user "+s.user)
	}
	if len(s.healthCheck) > 0 {
		parts = append(parts, "health check "+strings.Join(s.healthCheck, " "))
	}
	return strings.Join(parts, ", ")
}

// json is the task definition with one essential container running image.
func (s taskSpec) json(image string) ([]byte, error) {
	container := map[string]any{"name": "app", "image": image, "essential": true}
	td := map[string]any{"family": "predict", "containerDefinitions": []any{container}}
	if s.ec2 {
		td["requiresCompatibilities"] = []string{"EC2"}
		td["networkMode"] = "bridge"
		container["memory"] = 512
	} else {
		td["requiresCompatibilities"] = []string{"FARGATE"}
		td["networkMode"] = "awsvpc"
		td["cpu"], td["memory"] = "256", "512"
		td["executionRoleArn"] = "arn:aws:iam::123456789012:role/exec"
	}
	if arch := s.arch; arch != "" || !s.ec2 {
		if arch == "" {
			arch = "X86_64"
		}
		td["runtimePlatform"] = map[string]string{"cpuArchitecture": arch, "operatingSystemFamily": "LINUX"}
	}
	if s.placedOn != "" {
		td["placementConstraints"] = []any{map[string]string{"type": "memberOf",
			"expression": "attribute:ecs.cpu-architecture == " + s.placedOn}}
	}
	if s.user != "" {
		container["user"] = s.user
	}
	if len(s.healthCheck) > 0 {
		container["healthCheck"] = map[string]any{"command": s.healthCheck}
	}
	return json.MarshalIndent(td, "", "  ")
}

// healthCheckArgs is the process the runtime starts for the health check
// (CMD-SHELL through /bin/sh -c, as Docker does), or nil without one.
func (s taskSpec) healthCheckArgs(t *testing.T) []string {
	t.Helper()
	if len(s.healthCheck) == 0 {
		return nil
	}
	switch s.healthCheck[0] {
	case "CMD-SHELL":
		return []string{"/bin/sh", "-c", strings.Join(s.healthCheck[1:], " ")}
	case "CMD":
		return s.healthCheck[1:]
	}
	t.Fatalf("health check %q: want CMD or CMD-SHELL", s.healthCheck)
	return nil
}

// prediction is what imgcheck verify said.
type prediction struct {
	verdict string   // starts, fails, or could not verify
	rules   []string // the rules of its error findings, each once
	output  string   // its findings and errors, for a disagreement's report
}

// verifyJSONReport is the part of imgcheck verify's JSON report the
// prediction tests read.
type verifyJSONReport struct {
	Findings []struct {
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		Message  string `json:"message"`
		Evidence string `json:"evidence"`
	} `json:"findings"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// checkFailsClosed fails the test when verify exited 0 or 1 although its
// report lists checks that could not run: that must be exit 2.
func (r verifyJSONReport) checkFailsClosed(t *testing.T, code int) {
	t.Helper()
	if code != 2 && len(r.Errors) > 0 {
		t.Errorf("imgcheck verify exited %d with checks that could not run (it must exit 2): %+v", code, r.Errors)
	}
}

// predict runs the real imgcheck CLI against the task definition.
func predict(t *testing.T, reg *authRegistry, ref string, task taskSpec) prediction {
	t.Helper()
	td, err := task.json(ref)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "td.json")
	if err := os.WriteFile(path, td, 0o644); err != nil {
		t.Fatal(err)
	}
	res := imgcheck(t, []string{reg.dockerEnv}, "verify", "--taskdef", path, "--format", "json")
	var rep verifyJSONReport
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil && res.code == 2 {
		return prediction{verdict: "could not verify", output: res.stderr}
	} else if err != nil {
		t.Fatalf("verify output (exit %d): %v\nstdout %s\nstderr %s", res.code, err, res.stdout, res.stderr)
	}
	var p prediction
	var out strings.Builder
	for _, f := range rep.Findings {
		if f.Severity == "error" && !slices.Contains(p.rules, f.Rule) {
			p.rules = append(p.rules, f.Rule)
		}
		fmt.Fprintf(&out, "%s %s: %s", f.Severity, f.Rule, f.Message)
		if f.Evidence != "" {
			fmt.Fprintf(&out, " [evidence: %s]", f.Evidence)
		}
		out.WriteString("\n")
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(&out, "could not verify: %s\n", e.Message)
	}
	p.output = out.String()
	switch res.code {
	case 0:
		p.verdict = "starts"
	case 1:
		p.verdict = "fails"
	case 2:
		p.verdict = "could not verify"
	default:
		t.Fatalf("imgcheck verify exited %d: %s", res.code, res.stderr)
	}
	rep.checkFailsClosed(t, res.code)
	return p
}
