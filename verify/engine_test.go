package verify

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/internal/ecrtest"
	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/registry"
	"github.com/imgcheck/imgcheck/taskdef"
)

// taskJSON is a register-shape Fargate task definition for one container.
func taskJSON(arch, ref string, extra string) string {
	return fmt.Sprintf(`{
  "family": "app",
  "requiresCompatibilities": ["FARGATE"],
  "networkMode": "awsvpc",
  "cpu": "256",
  "memory": "512",
  "runtimePlatform": {"cpuArchitecture": %q, "operatingSystemFamily": "LINUX"},
  "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
  "containerDefinitions": [{
    "name": "app",
    "image": %q,
    "essential": true%s
  }]
}`, arch, ref, extra)
}

func parseTask(t *testing.T, data string) *taskdef.TaskDefinition {
	t.Helper()
	td, err := taskdef.Parse("td.json", []byte(data), taskdef.LoadOptions{})
	if err != nil {
		t.Fatalf("task definition: %v", err)
	}
	return td
}

func appImage(t *testing.T, arch string, cgo bool, extra ...v1.Layer) v1.Image {
	t.Helper()
	bin := imagetest.GoBinary(t, "linux", arch, cgo)
	layers := append([]v1.Layer{imagetest.Layer(t, imagetest.Dir("ko-app"), imagetest.File("ko-app/app", 0o755, bin))}, extra...)
	return imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: arch,
		Entrypoint: []string{"/ko-app/app"}, Env: []string{"PATH=/ko-app:/usr/bin:/bin"}, Layers: layers})
}

func runVerify(t *testing.T, td *taskdef.TaskDefinition, ref string) *Report {
	t.Helper()
	return runVerifyWith(t, td, registry.Options{})
}

func runVerifyWith(t *testing.T, td *taskdef.TaskDefinition, ropts registry.Options) *Report {
	t.Helper()
	subjects, err := PairImages(td, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Run(context.Background(), Input{TaskDef: td, Subjects: subjects}, Options{FailOn: Error, Image: image.Options{Registry: ropts}})
}

func ruleIDs(r *Report) []string {
	var ids []string
	for _, f := range r.Findings {
		if f.Severity >= Warning {
			ids = append(ids, f.RuleID)
		}
	}
	slices.Sort(ids)
	return ids
}

func TestVerifyMatrix(t *testing.T) {
	reg := imagetest.Registry(t)
	amd, arm := appImage(t, "amd64", false), appImage(t, "arm64", false)
	good := reg.PushIndex(t, "good:v1", imagetest.Index(t, false, imagetest.Child{Image: amd}, imagetest.Child{Image: arm},
		imagetest.AttestationChild(t, imagetest.Digest(t, amd))))
	amdOnly := reg.PushIndex(t, "amdonly:v1", imagetest.Index(t, false, imagetest.Child{Image: amd}))
	armSingle := reg.PushImage(t, "armsingle:v1", arm)
	liar := reg.PushIndex(t, "liar:v1", imagetest.Index(t, false,
		imagetest.Child{Image: amd, Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}))
	cgo := reg.PushImage(t, "cgo:v1", appImage(t, "amd64", true))
	cgoARM := reg.PushImage(t, "cgoarm:v1", appImage(t, "arm64", true))
	whiteout := reg.PushImage(t, "whiteout:v1", appImage(t, "amd64", false, imagetest.Layer(t, imagetest.Whiteout("ko-app/app"))))
	script := reg.PushImage(t, "script:v1", imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64",
		Entrypoint: []string{"/start.sh"}, Layers: []v1.Layer{imagetest.Layer(t, imagetest.File("start.sh", 0o755, []byte("#!/bin/bash\nexec app\n")))}}))
	ecr := ecrtest.Start(t, reg.Host)
	for _, access := range []struct {
		name string
		ref  func(string) string
		opts registry.Options
	}{
		{"in-memory registry", func(r string) string { return r }, registry.Options{}},
		// The same images through the ECR host name, keychain, SDK and token.
		{"ECR path", func(r string) string { return strings.Replace(r, reg.Host, ecr.Host, 1) }, ecr.RegistryOptions()},
	} {
		t.Run(access.name, func(t *testing.T) {
			r := access.ref
			const shellCheck = `, "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]}`
			const binCheck = `, "healthCheck": {"command": ["CMD", "/ko-app/app", "-healthcheck"]}`
			tests := []struct {
				name     string
				task     string
				wantExit Verdict
				wantIDs  []string
			}{
				{"good vs ARM64", taskJSON("ARM64", r(good), binCheck), VerdictPass, nil},
				{"good vs X86_64", taskJSON("X86_64", r(good), binCheck), VerdictPass, nil},
				{"amd64-only vs ARM64", taskJSON("ARM64", r(amdOnly), ""), VerdictFindings, []string{"IC101"}},
				{"single arm64 vs X86_64", taskJSON("X86_64", r(armSingle), ""), VerdictFindings, []string{"IC102", "IC204"}},
				{"descriptor lies", taskJSON("ARM64", r(liar), ""), VerdictFindings, []string{"IC103", "IC204"}},
				{"cgo without interpreter", taskJSON("X86_64", r(cgo), ""), VerdictFindings, []string{"IC205"}},
				{"arm64 cgo without interpreter", taskJSON("ARM64", r(cgoARM), ""), VerdictFindings, []string{"IC205"}},
				{"CMD-SHELL without /bin/sh", taskJSON("X86_64", r(amdOnly), shellCheck), VerdictFindings, []string{"IC308"}},
				{"entrypoint whited out", taskJSON("X86_64", r(whiteout), ""), VerdictFindings, []string{"IC202"}},
				{"script without interpreter", taskJSON("X86_64", r(script), ""), VerdictFindings, []string{"IC206"}},
				{"user name not in passwd", taskJSON("X86_64", r(amdOnly), `, "user": "appuser"`), VerdictFindings, []string{"IC310"}},
				{"numeric user", taskJSON("X86_64", r(amdOnly), `, "user": "65532:65532"`), VerdictPass, nil},
				{"task entryPoint override missing", taskJSON("X86_64", r(amdOnly), `, "entryPoint": ["/bin/server"]`), VerdictFindings, []string{"IC202"}},
				{"unresolved image", taskJSON("X86_64", "${IMAGE}", ""), VerdictCouldNotVerify, nil},
				{"missing tag", taskJSON("X86_64", r(reg.Host+"/nope:v1"), ""), VerdictCouldNotVerify, nil},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					rep := runVerifyWith(t, parseTask(t, tt.task), access.opts)
					if rep.Verdict != tt.wantExit {
						t.Fatalf("verdict %s, want %s\nfindings: %+v\nerrors: %+v", rep.Verdict, tt.wantExit, rep.Findings, rep.Errors)
					}
					if got := ruleIDs(rep); strings.Join(got, ",") != strings.Join(tt.wantIDs, ",") {
						t.Errorf("rules %v, want %v\nfindings: %+v", got, tt.wantIDs, rep.Findings)
					}
					if tt.wantExit != VerdictCouldNotVerify {
						for _, tg := range rep.Targets {
							if len(tg.Checks) == 0 {
								t.Errorf("target %+v ran no checks", tg)
							}
						}
					}
				})
			}
		})
	}
	if n := ecr.API.Calls("GetAuthorizationToken"); n != 1 {
		t.Errorf("GetAuthorizationToken called %d times; want 1 (one keychain per run would be more, the cache per keychain less)", n)
	}
}

func TestVerifyPinsTheVerifiedDigest(t *testing.T) {
	reg := imagetest.Registry(t)
	ref := reg.PushImage(t, "app:v1", appImage(t, "amd64", false))
	r := runVerify(t, parseTask(t, taskJSON("X86_64", ref, "")), "")
	if r.Verdict != VerdictPass || len(r.Pinned) != 1 {
		t.Fatalf("verdict %s, pinned %+v, errors %+v", r.Verdict, r.Pinned, r.Errors)
	}
	if !strings.HasPrefix(r.Pinned[0].To, reg.Host+"/app@sha256:") || r.Pinned[0].To[len(reg.Host)+5:] != r.Targets[0].Digest {
		t.Errorf("pinned %q, verified digest %q", r.Pinned[0].To, r.Targets[0].Digest)
	}
}

// Registry failures must end in could not verify, never in a pass.
func TestVerifyRegistryFailuresExit2(t *testing.T) {
	reg := imagetest.Registry(t)
	ref := reg.PushImage(t, "app:v1", appImage(t, "amd64", false))
	path := strings.TrimPrefix(ref, reg.Host)

	down := httptest.NewServer(http.NotFoundHandler())
	downHost := strings.TrimPrefix(down.URL, "http://")
	down.Close()

	unauthorized := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
		http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
	}))
	t.Cleanup(unauthorized.Close)

	for name, r := range map[string]string{
		"registry down": downHost + path,
		"401":           strings.TrimPrefix(unauthorized.URL, "http://") + path,
	} {
		t.Run(name, func(t *testing.T) {
			rep := Run(context.Background(), Input{TaskDef: parseTask(t, taskJSON("X86_64", r, "")),
				Subjects: []Subject{{Container: "app", Ref: r}}},
				Options{FailOn: Error, Image: image.Options{Registry: fastRetries()}})
			if rep.Verdict != VerdictCouldNotVerify {
				t.Fatalf("verdict %s, want could not verify; errors %+v", rep.Verdict, rep.Errors)
			}
			if len(rep.Errors) == 0 || rep.Errors[0].Message == "" {
				t.Errorf("no message says what failed")
			}
		})
	}
}

func fastRetries() registry.Options {
	return registry.Options{Retries: -1}
}
