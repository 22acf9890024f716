package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imgcheck/imgcheck/internal/runctest"
)

// capsProgram reports the capabilities it got and exits 0: whether it
// started at all is the verdict; the sets are evidence.
const capsProgram = `package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

func main() {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		fmt.Println("no /proc/self/status:", err)
		return
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "Cap") {
			fmt.Println(sc.Text())
		}
	}
}
`

// runtimeDefault is the capability set Docker and containerd give a
// container; the test applies linuxParameters.capabilities to it itself,
// the way Docker does (drop, then add; drop ALL leaves what add names).
var runtimeDefault = []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"}

func ociCapName(s string) string {
	s = strings.ToUpper(s)
	if s == "ALL" || strings.HasPrefix(s, "CAP_") {
		return s
	}
	return "CAP_" + s
}

func applyCapabilities(add, drop []string) []string {
	for i := range add {
		add[i] = ociCapName(add[i])
	}
	for i := range drop {
		drop[i] = ociCapName(drop[i])
	}
	if slices.Contains(drop, "ALL") {
		return add
	}
	var out []string
	for _, c := range runtimeDefault {
		if !slices.Contains(drop, c) {
			out = append(out, c)
		}
	}
	return append(out, add...)
}

// capsCase is a build's linux_capabilities and a task definition's
// capabilities.
type capsCase struct {
	name       string
	build      string // linux_capabilities, as one string
	fargate    bool
	add, drop  []string
	wantVerify string // "starts" or "fails"
}

// TestCapabilities builds a program with ko's linux_capabilities
// (imgcheck build, twice: the digest must not change), checks the binary's
// attribute with getcap on the unpacked file, then for each task
// definition compares imgcheck verify with runc running the program with
// the capability sets the task definition gives it (as Docker and
// containerd apply linuxParameters.capabilities). The user is the static
// base's 65532. The table goes to docs/prediction-capabilities.md.
func TestCapabilities(t *testing.T) {
	runctest.Require(t, "runc", "umoci", "getcap")
	mod := t.TempDir()
	for name, content := range map[string]string{"go.mod": "module example.com/capsapp\n\ngo 1.26\n", "main.go": capsProgram} {
		if err := os.WriteFile(filepath.Join(mod, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	images := map[string]capsImage{}
	for _, build := range []string{"net_bind_service=ep", "net_bind_service"} {
		images[build] = buildCapsImage(t, mod, build)
	}
	cases := []capsCase{
		{name: "default set", build: "net_bind_service=ep", fargate: true, wantVerify: "starts"},
		{name: "drop ALL", build: "net_bind_service=ep", fargate: true, drop: []string{"ALL"}, wantVerify: "fails"},
		{name: "drop NET_BIND_SERVICE", build: "net_bind_service=ep", drop: []string{"NET_BIND_SERVICE"}, wantVerify: "fails"},
		{name: "drop ALL, add NET_BIND_SERVICE (EC2)", build: "net_bind_service=ep", add: []string{"NET_BIND_SERVICE"}, drop: []string{"ALL"}, wantVerify: "starts"},
		{name: "default set", build: "net_bind_service", fargate: true, wantVerify: "starts"},
		{name: "drop ALL", build: "net_bind_service", fargate: true, drop: []string{"ALL"}, wantVerify: "starts"},
	}
	var rows []string
	for i, c := range cases {
		t.Run(c.build+" "+c.name, func(t *testing.T) {
			img := images[c.build]
			predicted, rules := predictCaps(t, img.ref, c)
			actual := runCaps(t, img, c, i)
			agree := (predicted == "starts") == strings.HasPrefix(actual, "starts")
			launch := "EC2"
			if c.fargate {
				launch = "Fargate"
			}
			rows = append(rows, fmt.Sprintf("| `%s` | %s | %s | %s | %s | %s | %s |", img.getcap, launch, capsSpec(c),
				predicted, strings.Join(rules, ", "), actual, yesNo(agree)))
			if predicted != c.wantVerify {
				t.Errorf("imgcheck verify says %q (%v), want %q", predicted, rules, c.wantVerify)
			}
			if !agree {
				t.Errorf("imgcheck verify says %q (%v) but runc says %q", predicted, rules, actual)
			}
		})
	}
	table := "| file capabilities (getcap) | launch type | linuxParameters.capabilities | imgcheck verify | rules | runc on this host | agree |\n" +
		"|---|---|---|---|---|---|---|\n" + strings.Join(rows, "\n") + "\n"
	t.Logf("file capabilities, prediction vs reality:\n%s", table)
	checkCapsDoc(t, table)
}

// capsImage is one build of the program.
type capsImage struct {
	ref    string // oci:LAYOUT@sha256:... as imgcheck build printed it
	layout string
	getcap string // what getcap says of the unpacked binary
}

func buildCapsImage(t *testing.T, mod, caps string) capsImage {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "ko.yaml")
	// The single-string form, as ko users write it.
	if err := os.WriteFile(cfg, []byte("builds:\n- main: example.com/capsapp\n  linux_capabilities: "+caps+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"KO_CONFIG_PATH=" + cfg, "SOURCE_DATE_EPOCH=1700000000"}
	var refs []string
	var layout string
	for i := range 2 {
		layout = filepath.Join(t.TempDir(), fmt.Sprintf("layout%d", i))
		res := imgcheck(t, env, "build", mod, "--base", "static", "--platform", "linux/amd64", "--oci-layout", layout)
		if res.code != 0 {
			t.Fatalf("build with linux_capabilities %q: exit %d\n%s", caps, res.code, res.stderr)
		}
		refs = append(refs, strings.TrimSpace(res.stdout))
	}
	digest := func(ref string) string { _, d, _ := strings.Cut(ref, "@"); return d }
	if digest(refs[0]) == "" || digest(refs[0]) != digest(refs[1]) {
		t.Fatalf("rebuild gave another image: %s, then %s", refs[0], refs[1])
	}
	b := runctest.UnpackRaw(t, layout, "capsapp:latest")
	bin := filepath.Join(b.Rootfs(), "ko-app", "capsapp")
	out := strings.TrimSpace(runctest.Command(t, time.Minute, "getcap", bin))
	got := strings.TrimSpace(strings.TrimPrefix(out, bin))
	want := "cap_net_bind_service=ep"
	if !strings.HasSuffix(caps, "=ep") {
		want = "cap_net_bind_service=p"
	}
	if got != want {
		t.Fatalf("getcap %s: %q, want %q", bin, out, want)
	}
	return capsImage{ref: refs[0], layout: layout, getcap: got}
}

func capsSpec(c capsCase) string {
	if len(c.add) == 0 && len(c.drop) == 0 {
		return "not set"
	}
	return fmt.Sprintf("add %v, drop %v", c.add, c.drop)
}

// predictCaps runs imgcheck verify on the image with the case's task
// definition; rules lists its error and warning findings.
func predictCaps(t *testing.T, ref string, c capsCase) (string, []string) {
	t.Helper()
	capsJSON, _ := json.Marshal(map[string]any{"add": nonNil(c.add), "drop": nonNil(c.drop)})
	launch := `"requiresCompatibilities": ["EC2"], "networkMode": "bridge", "memory": "512"`
	if c.fargate {
		launch = `"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
  "executionRoleArn": "arn:aws:iam::123456789012:role/exec"`
	}
	td := fmt.Sprintf(`{"family": "caps", %s,
  "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
  "containerDefinitions": [{"name": "app", "image": "capsapp", "essential": true,
    "linuxParameters": {"capabilities": %s}}]}`, launch, capsJSON)
	path := filepath.Join(t.TempDir(), "td.json")
	if err := os.WriteFile(path, []byte(td), 0o644); err != nil {
		t.Fatal(err)
	}
	res := imgcheck(t, nil, "verify", ref, "--taskdef", path, "--format", "json")
	var rep verifyJSONReport
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatalf("verify output: %v\nstdout %s\nstderr %s", err, res.stdout, res.stderr)
	}
	rep.checkFailsClosed(t, res.code)
	var rules []string
	for _, f := range rep.Findings {
		if f.Severity == "error" || f.Severity == "warning" {
			rules = append(rules, f.Rule+" ("+f.Severity+")")
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

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// runCaps starts the program with runc with the capabilities the task
// definition gives the container.
func runCaps(t *testing.T, img capsImage, c capsCase, i int) string {
	t.Helper()
	b := runctest.UnpackRaw(t, img.layout, "capsapp:latest")
	b.SetCapabilities(applyCapabilities(slices.Clone(c.add), slices.Clone(c.drop)))
	b.SetNoNewPrivileges(false)
	res := b.Run(t, fmt.Sprintf("imgcheck-caps-%d-%d", os.Getpid(), i), time.Minute)
	if res.ExitCode != 0 {
		if strings.Contains(res.Output, "operation not permitted") {
			return "fails: operation not permitted"
		}
		return fmt.Sprintf("fails: exit %d", res.ExitCode)
	}
	eff, prm := capLine(res.Output, "CapEff"), capLine(res.Output, "CapPrm")
	const bind = 1 << 10 // CAP_NET_BIND_SERVICE
	switch {
	case eff&bind != 0:
		return "starts, NET_BIND_SERVICE effective"
	case prm&bind != 0:
		return "starts, NET_BIND_SERVICE permitted only"
	}
	return "starts without NET_BIND_SERVICE"
}

// capLine reads a capability mask line of /proc/self/status.
func capLine(out, name string) uint64 {
	for line := range strings.SplitSeq(out, "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, _ := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return n
		}
	}
	return 0
}

func checkCapsDoc(t *testing.T, table string) {
	t.Helper()
	doc := "# File capabilities: prediction matches reality\n\n" +
		"Generated by `go test ./test/e2e -run TestCapabilities -update`; the test fails when this file is out of date.\n\n" +
		"A program that prints its capabilities is built by `imgcheck build` with ko's `linux_capabilities` " +
		"(twice: the digest must not change) on the static base (user 65532); `getcap` from libcap2-bin reads the attribute of the unpacked binary. " +
		"Each row is judged by `imgcheck verify` against a one-container X86_64 task definition, then the program is started with runc " +
		"with the capability sets the task definition gives it (the runtime's default set, minus drop, plus add, as Docker and containerd apply them; " +
		"nothing inheritable or ambient). \"starts\" means the process ran and exited 0.\n\n" + table
	checkGeneratedDoc(t, "docs/prediction-capabilities.md", "TestCapabilities", doc)
}
