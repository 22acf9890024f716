package build

import (
	"context"
	"runtime"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestDynamicPolicy: a dynamically linked binary (a distribution's
// /bin/sh) is refused on the built-in bases and without a judge, and
// passes to the verify checks on any other base.
func TestDynamicPolicy(t *testing.T) {
	info, err := identifyBinary("/bin/sh")
	if err != nil {
		t.Fatalf("a distribution shell is needed as the dynamic binary: %v", err)
	}
	if info.Interpreter == "" {
		t.Fatal("/bin/sh is static here; the test needs a dynamically linked one")
	}
	p := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	judged := &Builder{BeforePublish: func(context.Context, []*Artifact) error { return nil }}
	tests := []struct {
		name    string
		b       *Builder
		src     baseSource
		wantErr string // "" means allowed
	}{
		{name: "static base", b: judged, src: builtinSource{static: true}, wantErr: "built-in static base has no dynamic loader"},
		{name: "scratch", b: judged, src: builtinSource{}, wantErr: "scratch base is empty"},
		{name: "layout base, nothing to judge", b: &Builder{}, src: &layoutSource{}, wantErr: "nothing is set to check"},
		{name: "layout base, verified before publishing", b: judged, src: &layoutSource{}},
		{name: "registry base with a Verifier", b: &Builder{Verifiers: []Verifier{refusingVerifier{}}}, src: &remoteSource{}},
	}
	for _, tt := range tests {
		problems := binaryProblems(info, p, tt.b.dynamicPolicy(tt.src))
		switch {
		case tt.wantErr == "" && len(problems) != 0:
			t.Errorf("%s: problems %v, want none", tt.name, problems)
		case tt.wantErr != "" && (len(problems) != 1 || problems[0].Rule != "binary-static" || !strings.Contains(problems[0].Message, tt.wantErr)):
			t.Errorf("%s: problems %v, want binary-static %q", tt.name, problems, tt.wantErr)
		}
	}
	// The machine is checked first, dynamic or not.
	other := v1.Platform{OS: "linux", Architecture: map[string]string{"amd64": "arm64"}[runtime.GOARCH]}
	if other.Architecture == "" {
		other.Architecture = "amd64"
	}
	if problems := binaryProblems(info, other, judged.dynamicPolicy(&layoutSource{})); len(problems) != 1 || problems[0].Rule != "binary-arch" {
		t.Errorf("wrong machine: %v", problems)
	}
}

func TestCrossCompilerEnv(t *testing.T) {
	arm64 := v1.Platform{OS: "linux", Architecture: "arm64"}
	tests := []struct {
		name    string
		env     []string
		wantCC  string
		wantCXX string
	}{
		{name: "none", env: []string{"CGO_ENABLED=1"}},
		{name: "ko's CC for every platform", env: []string{"CC=aarch64-linux-gnu-gcc"}, wantCC: "aarch64-linux-gnu-gcc"},
		{name: "per platform wins", env: []string{"CC=gcc", "CC_FOR_linux_arm64=aarch64-linux-gnu-gcc", "CXX_FOR_linux_arm64=aarch64-linux-gnu-g++"},
			wantCC: "aarch64-linux-gnu-gcc", wantCXX: "aarch64-linux-gnu-g++"},
		{name: "another platform's setting is ignored", env: []string{"CC_FOR_linux_amd64=x86_64-linux-gnu-gcc"}},
	}
	for _, tt := range tests {
		got := LookupEnv(withCrossCompilers(tt.env, arm64))
		if got("CC") != tt.wantCC || got("CXX") != tt.wantCXX {
			t.Errorf("%s: CC=%q CXX=%q, want %q %q", tt.name, got("CC"), got("CXX"), tt.wantCC, tt.wantCXX)
		}
	}
	foreign := v1.Platform{OS: "linux", Architecture: "arm64"}
	if runtime.GOARCH == "arm64" {
		foreign.Architecture = "amd64"
	}
	if h := crossCgoHint([]string{"CGO_ENABLED=1"}, foreign); !strings.Contains(h, "CC_FOR_linux_"+foreign.Architecture+"=") {
		t.Errorf("hint = %q", h)
	}
	for _, env := range [][]string{{"CGO_ENABLED=0"}, {"CGO_ENABLED=1", "CC=cross-gcc"}} {
		if h := crossCgoHint(env, foreign); h != "" {
			t.Errorf("%v: unexpected hint %q", env, h)
		}
	}
}
