package verify

import (
	"testing"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// A PATH the task sets from a secret is not known: a bare program name
// looked up in the image's PATH instead could pass what will not start.
func TestPathFromSecretCannotVerifyBareNames(t *testing.T) {
	reg := imagetest.Registry(t)
	ref := reg.PushImage(t, "app:v1", appImage(t, "amd64", false))
	const pathSecret = `, "secrets": [{"name": "PATH", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/path"}]`
	tests := []struct {
		name  string
		extra string
		want  Verdict
	}{
		{"a bare entryPoint, PATH from the image", `, "entryPoint": ["app"]`, VerdictPass},
		{"a bare entryPoint, PATH from a secret", `, "entryPoint": ["app"]` + pathSecret, VerdictCouldNotVerify},
		{"an absolute entryPoint, PATH from a secret", `, "entryPoint": ["/ko-app/app"]` + pathSecret, VerdictPass},
		{"a bare CMD health check, PATH from a secret", `, "healthCheck": {"command": ["CMD", "app", "-healthcheck"]}` + pathSecret, VerdictCouldNotVerify},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runVerify(t, parseTask(t, taskJSON("X86_64", ref, tt.extra)), ref)
			if r.Verdict != tt.want {
				t.Fatalf("verdict %s, want %s\nfindings: %+v\nerrors: %+v", r.Verdict, tt.want, r.Findings, r.Errors)
			}
		})
	}
}

// Two containers of one name: which definition an image runs with cannot
// be told, so neither is judged with the other's entryPoint.
func TestDuplicateContainerNameCannotVerify(t *testing.T) {
	reg := imagetest.Registry(t)
	ref := reg.PushImage(t, "app:v1", appImage(t, "amd64", false))
	second := `}, {"name": "app", "image": "` + ref + `", "essential": true, "entryPoint": ["/missing"]`
	r := runVerify(t, parseTask(t, taskJSON("X86_64", ref, second)), ref)
	if r.Verdict != VerdictCouldNotVerify {
		t.Fatalf("verdict %s, want %s\nfindings: %+v\nerrors: %+v", r.Verdict, VerdictCouldNotVerify, r.Findings, r.Errors)
	}
}
