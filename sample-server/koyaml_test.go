package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"text/template"

	"go.yaml.in/yaml/v3"
)

const koYAMLPath = "../.ko.yaml"

// koConfig has only the keys ko v0.19 reads from .ko.yaml, so decoding with
// KnownFields(true) rejects anything ko would silently ignore.
type koConfig struct {
	DefaultBaseImage    string            `yaml:"defaultBaseImage"`
	BaseImageOverrides  map[string]string `yaml:"baseImageOverrides"`
	DefaultPlatforms    []string          `yaml:"defaultPlatforms"`
	DefaultEnv          []string          `yaml:"defaultEnv"`
	DefaultFlags        []string          `yaml:"defaultFlags"`
	DefaultLdflags      []string          `yaml:"defaultLdflags"`
	DefaultAppDirectory string            `yaml:"defaultAppDirectory"`
	Builds              []koBuild         `yaml:"builds"`
}

type koBuild struct {
	ID                string   `yaml:"id"`
	Dir               string   `yaml:"dir"`
	Main              string   `yaml:"main"`
	Env               []string `yaml:"env"`
	Flags             []string `yaml:"flags"`
	Ldflags           []string `yaml:"ldflags"`
	LinuxCapabilities []string `yaml:"linux_capabilities"`
}

func decodeKoYAML(t *testing.T, src []byte) (koConfig, error) {
	t.Helper()
	var c koConfig
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	err := dec.Decode(&c)
	return c, err
}

func TestKoYAML(t *testing.T) {
	src, err := os.ReadFile(koYAMLPath)
	if err != nil {
		t.Fatalf("reading %s: %v", koYAMLPath, err)
	}
	c, err := decodeKoYAML(t, src)
	if err != nil {
		t.Fatalf("%s: %v", koYAMLPath, err)
	}
	if c.DefaultBaseImage != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("defaultBaseImage = %q", c.DefaultBaseImage)
	}
	if want := []string{"linux/amd64", "linux/arm64"}; !reflect.DeepEqual(c.DefaultPlatforms, want) {
		t.Errorf("defaultPlatforms = %q, want %q", c.DefaultPlatforms, want)
	}
	if len(c.Builds) != 1 {
		t.Fatalf("builds has %d entries, want 1", len(c.Builds))
	}
	b := c.Builds[0]
	if b.ID != "sample-server" {
		t.Errorf("id = %q", b.ID)
	}
	// dir and main are relative to the repository root, where ko runs.
	mainDir, err := filepath.Abs(filepath.Join("..", b.Dir, b.Main))
	if err != nil {
		t.Fatal(err)
	}
	here, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	if mainDir != here {
		t.Errorf("dir %q + main %q is %s, want the sample server at %s", b.Dir, b.Main, mainDir, here)
	}
	if !reflect.DeepEqual(b.Env, []string{"CGO_ENABLED=0"}) {
		t.Errorf("env = %q, want [CGO_ENABLED=0] for a static binary", b.Env)
	}
	if !reflect.DeepEqual(b.Flags, []string{"-trimpath"}) {
		t.Errorf("flags = %q, want [-trimpath]", b.Flags)
	}
}

// TestKoYAMLLdflagsRender renders the ldflags the way ko does (text/template
// over Env, GoEnv, Date, Timestamp and Git), with missing keys as errors, and
// checks the -X flags name variables that exist in package main: the linker
// silently ignores -X for a name that does not exist.
func TestKoYAMLLdflagsRender(t *testing.T) {
	src, err := os.ReadFile(koYAMLPath)
	if err != nil {
		t.Fatal(err)
	}
	c, err := decodeKoYAML(t, src)
	if err != nil || len(c.Builds) != 1 {
		t.Fatalf("decoding: %v", err)
	}
	git := map[string]any{
		"Branch": "main", "Tag": "v0.4.0", "ShortCommit": "1a2b3c4", "FullCommit": strings.Repeat("1a2b3c4d", 5),
		"CommitDate": "2026-11-25T18:00:00Z", "CommitTimestamp": int64(1795629600),
		"IsDirty": false, "IsClean": true, "TreeState": "clean",
	}
	tests := []struct {
		name string
		env  map[string]string
		git  map[string]any
		want []string
	}{
		{"VERSION set", map[string]string{"VERSION": "v1.2.3"}, git, []string{"-X main.version=v1.2.3", "-X main.commit=1a2b3c4"}},
		{"git tag fallback", map[string]string{}, git, []string{"-X main.version=v0.4.0", "-X main.commit=1a2b3c4"}},
		{"no git", map[string]string{}, map[string]any{"Tag": "", "ShortCommit": ""}, []string{"-X main.version= ", "-X main.commit="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := map[string]any{"Env": tt.env, "GoEnv": map[string]string{}, "Date": "2026-11-25T18:00:00Z",
				"Timestamp": "1795629600", "Git": tt.git}
			var rendered []string
			for _, flag := range c.Builds[0].Ldflags {
				tmpl, err := template.New("ldflag").Option("missingkey=error").Parse(flag)
				if err != nil {
					t.Fatalf("ldflag %q: %v", flag, err)
				}
				var buf bytes.Buffer
				if err := tmpl.Execute(&buf, data); err != nil {
					t.Fatalf("ldflag %q: %v", flag, err)
				}
				rendered = append(rendered, buf.String())
			}
			joined := strings.Join(rendered, " ") + " "
			if strings.Contains(joined, "<no value>") {
				t.Errorf("rendered ldflags contain <no value>: %s", joined)
			}
			for _, w := range tt.want {
				if !strings.Contains(joined, w) {
					t.Errorf("rendered ldflags %q lack %q", joined, w)
				}
			}
		})
	}

	vars := packageStringVars(t, "main.go")
	for _, flag := range c.Builds[0].Ldflags {
		fields := strings.Fields(flag)
		for i := 0; i+1 < len(fields); i++ {
			if fields[i] != "-X" {
				continue
			}
			name, _, _ := strings.Cut(fields[i+1], "=")
			pkg, v, _ := strings.Cut(name, ".")
			if pkg != "main" || !vars[v] {
				t.Errorf("-X %s: no package-level string variable %s in main.go", name, v)
			}
		}
	}
}

// packageStringVars lists the package-level variables of type string in file.
func packageStringVars(t *testing.T, file string) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]bool{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "string" {
				for _, n := range vs.Names {
					vars[n.Name] = true
				}
			}
		}
	}
	return vars
}

func TestKoYAMLUnknownKeysRejected(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"typo at top level", "defaultBaseimage: x\n", "field defaultBaseimage not found"},
		{"goreleaser key ko lacks", "builds:\n- id: a\n  goarch: [arm64]\n", "line 3: field goarch not found"},
		{"platforms misspelled", "defaultPlatform: [linux/arm64]\n", "field defaultPlatform not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodeKoYAML(t, []byte(tt.src)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
