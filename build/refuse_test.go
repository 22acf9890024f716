package build

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/build/koconfig"
)

// wrongArchCompiler is the seam of the acceptance test: it builds amd64
// whatever platform is asked for, as a misconfigured toolchain would.
type wrongArchCompiler struct{ inner Compiler }

func (w wrongArchCompiler) Compile(ctx context.Context, req CompileRequest) (string, error) {
	req.Platform = v1.Platform{OS: "linux", Architecture: "amd64"}
	return w.inner.Compile(ctx, req)
}

func TestWrongArchitectureRefusedBeforePush(t *testing.T) {
	ctx := testContext(t)
	host, reqs := startRegistry(t)
	layoutDir := filepath.Join(t.TempDir(), "out")
	b := newTestBuilder(helloModule(t), wrongArchCompiler{inner: fixtures.compiler})
	pubs := []Publisher{
		&RegistryPublisher{Repository: func(p Package) (name.Repository, error) {
			return RepositoryFor(host+"/app", p, true, name.Insecure)
		}},
		&LayoutPublisher{Dir: layoutDir},
	}
	_, err := b.BuildAndPublish(ctx, []string{"."}, nil, pubs)
	var pe *ProblemsError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want *ProblemsError", err)
	}
	if len(pe.Problems) != 1 || pe.Problems[0].Rule != "binary-arch" || pe.Problems[0].Platform.Architecture != "arm64" {
		t.Errorf("problems = %+v, want one binary-arch problem for arm64", pe.Problems)
	}
	if !strings.Contains(err.Error(), "nothing was published") || !strings.Contains(err.Error(), "linux/arm64") {
		t.Errorf("error message %q should say nothing was published and name the platform", err)
	}
	if got := reqs.all(); len(got) != 0 {
		t.Errorf("registry saw requests after a refused build: %v", got)
	}
	if _, err := os.Stat(layoutDir); !os.IsNotExist(err) {
		t.Errorf("layout directory was created for a refused build: %v", err)
	}
}

// refusingVerifier stands in for the verify rules the lead connects.
type refusingVerifier struct{}

func (refusingVerifier) VerifyImage(_ context.Context, p v1.Platform, img v1.Image) ([]Problem, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	if cfg.Config.User != "0" {
		return []Problem{{Platform: p, Rule: "IC999", Message: "user is " + cfg.Config.User}}, nil
	}
	return nil, nil
}

func TestVerifierProblemsRefuseBuild(t *testing.T) {
	b := newTestBuilder(helloModule(t), fixtures.compiler)
	b.Verifiers = []Verifier{refusingVerifier{}}
	_, err := b.Build(testContext(t), ".")
	var pe *ProblemsError
	if !errors.As(err, &pe) || len(pe.Problems) != 2 || pe.Problems[0].Rule != "IC999" {
		t.Fatalf("err = %v, want two IC999 problems", err)
	}
}

// TestKoConfigBuildsTheSameProgram runs the host-platform binary of an image built
// with a .ko.yaml whose ldflags use templates.
func TestKoConfigBuildsTheSameProgram(t *testing.T) {
	cfg, err := koconfig.Parse("test.ko.yaml", []byte(`defaultLdflags:
- -s -w
builds:
- id: hello
  main: .
  env:
  - RELEASE={{.Env.BASE_RELEASE}}-{{.Timestamp}}
  ldflags:
  - -X main.version={{.Env.RELEASE}}
`))
	if err != nil {
		t.Fatal(err)
	}
	b := newTestBuilder(helloModule(t), fixtures.compiler)
	b.Environ = append(b.Environ, "BASE_RELEASE=1.2.3")
	b.Config = cfg
	b.Platforms = []string{"linux/" + runtime.GOARCH} // so the test can run it
	art, err := b.Build(testContext(t), ".")
	if err != nil {
		t.Fatal(err)
	}
	_, data := fileFromImage(t, art.Images[0].Image, "/ko-app/hello")
	bin := filepath.Join(t.TempDir(), "hello")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("running built binary: %v", err)
	}
	if want := "hello 1.2.3-1700000000 "; string(out) != want {
		t.Errorf("binary printed %q, want %q (template-rendered ldflags)", out, want)
	}
}

func TestBeforePublishStopsPublishing(t *testing.T) {
	layoutDir := filepath.Join(t.TempDir(), "out")
	b := newTestBuilder(helloModule(t), fixtures.compiler)
	b.Platforms = []string{"linux/amd64"}
	var seen []string
	b.BeforePublish = func(_ context.Context, arts []*Artifact) error {
		for _, a := range arts {
			seen = append(seen, a.Package.Name+"@"+a.Digest.String())
		}
		return errors.New("task definition says no")
	}
	_, err := b.BuildAndPublish(testContext(t), []string{"."}, nil, []Publisher{&LayoutPublisher{Dir: layoutDir}})
	if err == nil || !strings.Contains(err.Error(), "task definition says no") || len(seen) != 1 {
		t.Fatalf("err = %v, seen %v", err, seen)
	}
	if _, err := os.Stat(layoutDir); !os.IsNotExist(err) {
		t.Errorf("published despite BeforePublish error: %v", err)
	}
}
