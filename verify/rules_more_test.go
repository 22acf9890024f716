package verify

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/taskdef"
)

// verifyTask runs the engine for one container task definition.
func verifyTask(t *testing.T, task string, strict bool) *Report {
	t.Helper()
	td := parseTask(t, task)
	subjects, err := PairImages(td, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Run(context.Background(), Input{TaskDef: td, Subjects: subjects}, Options{FailOn: Error, Image: image.Options{Strict: strict}})
}

func findingIDs(r *Report) string {
	var ids []string
	for _, f := range r.Findings {
		if f.RuleID != "IC313" {
			ids = append(ids, f.RuleID)
		}
	}
	return strings.Join(ids, ",")
}

func TestMoreImageRules(t *testing.T) {
	reg := imagetest.Registry(t)
	amd := imagetest.GoBinary(t, "linux", "amd64", false)
	arm := imagetest.GoBinary(t, "linux", "arm64", false)
	bin := imagetest.Layer(t, imagetest.Dir("ko-app"), imagetest.File("ko-app/app", 0o755, amd),
		imagetest.File("ko-app/probe-arm", 0o755, arm))
	spec := imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Entrypoint: []string{"/ko-app/app"}, Layers: []v1.Layer{bin}}
	app := reg.PushImage(t, "app:1", imagetest.Image(t, spec))
	spec.Entrypoint = nil
	nothing := reg.PushImage(t, "nothing:1", imagetest.Image(t, spec))
	winARM := reg.PushImage(t, "winarm:1", imagetest.WindowsImage(t, "10.0.20348.2000", 0xaa64))
	v3 := reg.PushImage(t, "v3:1", imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64",
		Entrypoint: []string{"/app"}, Layers: []v1.Layer{imagetest.Layer(t, imagetest.File("app", 0o755, goamd64v3Binary(t)))}}))

	tests := []struct {
		name   string
		task   string
		strict bool
		want   string
	}{
		{"nothing to run", taskJSON("X86_64", nothing, ""), false, "IC201"},
		{"CMD health check program missing", taskJSON("X86_64", app, `, "healthCheck": {"command": ["CMD", "/bin/curl", "-f", "http://localhost/"]}`), false, "IC309"},
		{"CMD health check program of another arch", taskJSON("X86_64", app, `, "healthCheck": {"command": ["CMD", "/ko-app/probe-arm"]}`), false, "IC309"},
		{"CMD health check fine", taskJSON("X86_64", app, `, "healthCheck": {"command": ["CMD", "/ko-app/app", "-healthcheck"]}`), false, ""},
		{"Windows on ARM64", strings.NewReplacer(`"ARM64", "operatingSystemFamily": "LINUX"`, `"ARM64", "operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"`,
			`"cpu": "256",
  "memory": "512"`, `"cpu": "1024", "memory": "2048"`).Replace(taskJSON("ARM64", winARM, "")), false, "IC302,IC107"},
		{"GOAMD64 v3 in strict mode", taskJSON("X86_64", v3, ""), true, "IC208"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := verifyTask(t, tt.task, tt.strict)
			if len(r.Errors) > 0 {
				t.Fatalf("could not verify: %+v", r.Errors)
			}
			if got := findingIDs(r); got != tt.want {
				t.Errorf("rules %q, want %q\n%+v", got, tt.want, r.Findings)
			}
		})
	}
}

// goamd64v3Binary compiles a tiny static program with GOAMD64=v3.
func goamd64v3Binary(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	src := "package main\n\nfunc main() { println(\"v3\") }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "app")
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "main.go")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOAMD64=v3", "GOFLAGS=", "GO111MODULE=off")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestSchema1IsAFinding(t *testing.T) {
	reg := imagetest.Registry(t)
	manifest := `{"schemaVersion": 1, "name": "old", "tag": "v1", "architecture": "amd64",
  "fsLayers": [{"blobSum": "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"}],
  "history": [{"v1Compatibility": "{}"}], "signatures": []}`
	req, _ := http.NewRequest(http.MethodPut, "http://"+reg.Host+"/v2/old/manifests/v1", bytes.NewReader([]byte(manifest)))
	req.Header.Set("Content-Type", "application/vnd.docker.distribution.manifest.v1+prettyjws")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("storing a schema 1 manifest: %s", resp.Status)
	}
	r := verifyTask(t, taskJSON("X86_64", reg.Host+"/old:v1", ""), false)
	if r.Verdict != VerdictFindings || findingIDs(r) != "IC104" {
		t.Fatalf("verdict %s, findings %+v, errors %+v; want findings with IC104", r.Verdict, r.Findings, r.Errors)
	}
}

func TestSizeRule(t *testing.T) {
	td := parseTask(t, taskJSON("X86_64", "nginx:1", ""))
	f := newTaskFacts(td, nil)
	for _, tt := range []struct {
		layers []image.Layer
		want   int
	}{
		{[]image.Layer{{Size: 1 << 30, Uncompressed: 3 << 30}}, 0},
		{[]image.Layer{{Size: 8 << 30, Uncompressed: 21 << 30}}, 1},
		{[]image.Layer{{Size: 21 << 30}}, 1}, // compressed alone already exceeds 20 GiB
	} {
		c := &checker{facts: &f, container: &td.Containers[0], p: &image.Image{Layers: tt.layers}}
		c.sizeRule()
		if len(c.findings) != tt.want || tt.want == 1 && c.findings[0].RuleID != "IC314" {
			t.Errorf("layers %+v: findings %+v, want %d IC314", tt.layers, c.findings, tt.want)
		}
	}
}

func TestSpotWindowsIsIC402(t *testing.T) {
	task := strings.NewReplacer(`"ARM64", "operatingSystemFamily": "LINUX"`, `"X86_64", "operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"`,
		`"cpu": "256",
  "memory": "512"`, `"cpu": "1024", "memory": "2048"`).Replace(taskJSON("ARM64", "nginx:1", ""))
	svc, err := taskdef.ParseService("svc.json", []byte(`{"serviceName": "s", "taskDefinition": "app",
  "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
  "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}}`), taskdef.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range runFamily(newTaskFacts(parseTask(t, task), svc), (*checker).serviceRules) {
		ids = append(ids, f.RuleID)
	}
	if strings.Join(ids, ",") != "IC402" {
		t.Errorf("rules %v, want IC402", ids)
	}
}

// Windows entrypoints: the PE machine is judged; what cannot be resolved
// the way Windows would is "could not verify", never a guess.
func TestWindowsEntrypoint(t *testing.T) {
	reg := imagetest.Registry(t)
	win := func(tag string, machine uint16) string {
		return reg.PushImage(t, tag, imagetest.WindowsImage(t, "10.0.20348.2000", machine))
	}
	task := func(ref, extra string) string {
		return strings.NewReplacer(`"X86_64", "operatingSystemFamily": "LINUX"`, `"X86_64", "operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"`,
			`"cpu": "256",
  "memory": "512"`, `"cpu": "1024", "memory": "2048"`).Replace(taskJSON("X86_64", ref, extra))
	}
	tests := []struct {
		name     string
		task     string
		wantExit Verdict
		want     string
	}{
		{"amd64 PE on X86_64", task(win("good:1", 0x8664), ""), VerdictPass, ""},
		{"ARM64 image and PE on X86_64", task(win("arm:1", 0xaa64), ""), VerdictFindings, "IC102,IC204"},
		{"entrypoint override not in the image", task(win("good:2", 0x8664), `, "entryPoint": ["C:\\app\\missing.exe"]`), VerdictCouldNotVerify, ""},
		{"health check not judged", task(win("good:3", 0x8664), `, "healthCheck": {"command": ["CMD-SHELL", "exit 0"]}`), VerdictCouldNotVerify, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := verifyTask(t, tt.task, false)
			if r.Verdict != tt.wantExit || findingIDs(r) != tt.want {
				t.Fatalf("verdict %s rules %q, want %s %q\nfindings %+v\nerrors %+v", r.Verdict, findingIDs(r), tt.wantExit, tt.want, r.Findings, r.Errors)
			}
		})
	}
}

// A field the checks depend on that is still a template cannot be judged.
// (List elements such as entryPoint ["${X}"] stay literal: ECS runs them
// as written, and a missing path is the finding.)
func TestUnresolvedContainerFieldsFailClosed(t *testing.T) {
	reg := imagetest.Registry(t)
	ref := reg.PushImage(t, "app:1", appImage(t, "amd64", false))
	for _, extra := range []string{
		`, "user": "{{ must_env ` + "`USER`" + ` }}"`,
		`, "workingDirectory": "${WORKDIR}"`,
		`, "environment": [{"name": "PATH", "value": "${PATH_FROM_CI}"}]`,
	} {
		r := verifyTask(t, taskJSON("X86_64", ref, extra), false)
		if r.Verdict != VerdictCouldNotVerify || len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "is not known") {
			t.Errorf("%s: verdict %s, errors %+v; want could not verify naming the unresolved field", extra, r.Verdict, r.Errors)
		}
	}
}
