package taskdef

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imgcheck/imgcheck/internal/corpus"
)

func addCorpusSeeds(f *testing.F, exts ...string) {
	dir := corpus.TaskdefsDir(f)
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		for _, ext := range exts {
			if strings.HasSuffix(e.Name(), ext) {
				data, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					f.Fatal(err)
				}
				f.Add(data)
			}
		}
	}
}

// fuzzLoad checks that parsing never panics and never takes long, that
// errors carry a position, and that a loaded definition survives an image
// rewrite and reload.
func fuzzLoad(t *testing.T, name string, data []byte) {
	if len(data) > 32<<10 {
		return // size bounds have their own tests; small inputs keep the fuzzer fast
	}
	done := make(chan string, 1)
	go func() { done <- fuzzLoadProblem(name, data) }()
	select {
	case problem := <-done:
		if problem != "" {
			t.Fatal(problem)
		}
	case <-time.After(3 * time.Second):
		t.Fatalf("loading %d bytes took over 3s", len(data))
	}
}

func fuzzLoadProblem(name string, data []byte) string {
	td, err := Parse(name, data, LoadOptions{Params: map[string]string{"ImageURI": "nginx"}})
	_, _ = ParseService(name, data, LoadOptions{})
	if err != nil {
		if !strings.Contains(err.Error(), name) {
			return fmt.Sprintf("error does not name the file: %v", err)
		}
		return ""
	}
	for _, c := range td.Containers {
		if !c.Name.Known() || c.Name.Value == "" {
			continue
		}
		out, err := td.RewriteImages(map[string]string{c.Name.Value: "registry.example/pinned@sha256:0123"})
		if err != nil {
			return "" // images that are expressions or odd scalars are refused, not corrupted
		}
		again, err := Parse(name, out, LoadOptions{Params: map[string]string{"ImageURI": "nginx"}})
		if err != nil {
			return fmt.Sprintf("rewritten file does not load: %v\n%s", err, out)
		}
		found := false
		for _, c2 := range again.Containers {
			if c2.Name.Value == c.Name.Value && c2.Image.Value == "registry.example/pinned@sha256:0123" {
				found = true
			}
		}
		if !found {
			return fmt.Sprintf("rewritten image not found for %q:\n%s", c.Name.Value, out)
		}
		break
	}
	return ""
}

func FuzzParseJSON(f *testing.F) {
	addCorpusSeeds(f, ".json")
	f.Add([]byte(`{"containerDefinitions":[{"name":"a","image":"x","cpu":1}],"cpu":"1 vCPU","memory":"2 GB"}`))
	f.Add([]byte(`{"taskDefinition":{"containerDefinitions":[{"name":"a","image":"\ud83d\ude00"}],"revision":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLoad(t, "fuzz.json", data) })
}

func FuzzParseCloudFormationYAML(f *testing.F) {
	addCorpusSeeds(f, ".yaml", ".yml")
	f.Add([]byte("Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          Image: !Sub '${AWS::AccountId}.dkr.ecr/x'\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLoad(t, "fuzz.yaml", data) })
}
