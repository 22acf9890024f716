package koconfig

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want Config
	}{
		{name: "empty file", yaml: "", want: Config{}},
		{name: "null document", yaml: "~\n", want: Config{}},
		{
			name: "defaults",
			yaml: `defaultBaseImage: cgr.dev/chainguard/static
defaultPlatforms:
- linux/arm64
- linux/amd64
defaultEnv: [FOO=foo]
defaultFlags: [-v]
defaultLdflags: [-s]
`,
			want: Config{
				DefaultBaseImage: "cgr.dev/chainguard/static",
				DefaultPlatforms: []string{"linux/arm64", "linux/amd64"},
				DefaultEnv:       []string{"FOO=foo"},
				DefaultFlags:     []string{"-v"},
				DefaultLdflags:   []string{"-s"},
			},
		},
		{
			name: "scalars where ko accepts them",
			yaml: "defaultPlatforms: linux/amd64, linux/arm64\ndefaultFlags: -tags netgo\ndefaultLdflags: -s -w\n",
			want: Config{
				DefaultPlatforms: []string{"linux/amd64", "linux/arm64"},
				DefaultFlags:     []string{"-tags", "netgo"},
				DefaultLdflags:   []string{"-s", "-w"}, // viper splits at spaces; joined again for -ldflags
			},
		},
		{
			name: "keys ignore case like viper",
			yaml: "defaultbaseimage: static\nBUILDS:\n- ID: a\n  Main: ./cmd/a\n",
			want: Config{DefaultBaseImage: "static", Builds: []Build{{ID: "a", Main: "./cmd/a", Line: 3}}},
		},
		{
			name: "overrides lower-cased",
			yaml: "baseImageOverrides:\n  github.com/Me/app: reg.example/base\n",
			want: Config{BaseImageOverrides: map[string]string{"github.com/me/app": "reg.example/base"}},
		},
		{
			name: "builds with every key",
			yaml: `builds:
- id: foo
  dir: .
  main: ./foobar/foo
  env:
  - GOPRIVATE=git.internal.example.com
  flags:
  - -tags
  - netgo
  ldflags:
  - -s -w
  - -X main.version={{.Env.VERSION}}
- id: bar
  dir: ./bar
  flags: []
`,
			want: Config{Builds: []Build{
				{ID: "foo", Dir: ".", Main: "./foobar/foo", Env: []string{"GOPRIVATE=git.internal.example.com"},
					Flags: []string{"-tags", "netgo"}, Ldflags: []string{"-s -w", "-X main.version={{.Env.VERSION}}"}, Line: 2},
				{ID: "bar", Dir: "./bar", Flags: []string{}, Line: 13},
			}},
		},
		{
			name: "anchors and aliases",
			yaml: "defaultEnv: &e [A=1]\nbuilds:\n- id: x\n  env: *e\n",
			want: Config{DefaultEnv: []string{"A=1"}, Builds: []Build{{ID: "x", Env: []string{"A=1"}, Line: 3}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(".ko.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.want.Path = ".ko.yaml"
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", *got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the error
	}{
		{name: "unknown top-level key with suggestion", yaml: "defaultBaseImage: x\ndefaultBaseImgae: y\n",
			want: []string{"cfg.yaml:2:1", "defaultBaseImgae", "unknown key", `did you mean "defaultBaseImage"`}},
		{name: "unknown key far from any", yaml: "zzzzzzzzzzzz: 1\n",
			want: []string{"cfg.yaml:1:1", "unknown key", "supported:"}},
		{name: "unknown build key", yaml: "builds:\n- id: a\n  ldflag: [-s]\n",
			want: []string{"cfg.yaml:3:3", "ldflag", `did you mean "ldflags"`}},
		{name: "ko-only top-level key", yaml: "defaultAppDirectory: /app\n",
			want: []string{"cfg.yaml:1:1", "defaultAppDirectory", "does not yet"}},
		{name: "ko-only build key", yaml: "builds:\n- id: a\n  testLdflags: -s\n",
			want: []string{"cfg.yaml:3:3", "testLdflags", "does not yet"}},
		{name: "goreleaser key", yaml: "builds:\n- gcflags: [all=-N]\n",
			want: []string{"cfg.yaml:2:3", "gcflags", "does not yet"}},
		{name: "duplicate key", yaml: "defaultEnv: [A=1]\ndefaultenv: [B=2]\n",
			want: []string{"cfg.yaml:2:1", "twice"}},
		{name: "top level list", yaml: "- a\n- b\n", want: []string{"cfg.yaml:1:1", "top level must be a mapping"}},
		{name: "top level scalar", yaml: "hello\n", want: []string{"top level must be a mapping"}},
		{name: "builds not a list", yaml: "builds: {id: a}\n", want: []string{"cfg.yaml:1:9", "builds", "want a list"}},
		{name: "build not a mapping", yaml: "builds: [a]\n", want: []string{"builds[0]", "want a mapping"}},
		{name: "env mapping", yaml: "defaultEnv: {A: 1}\n", want: []string{"cfg.yaml:1:13", "defaultEnv", "want a list of strings"}},
		{name: "flags nested list", yaml: "defaultFlags: [[a]]\n", want: []string{"defaultFlags", "want a string list item"}},
		{name: "flags null item", yaml: "defaultFlags: [~]\n", want: []string{"defaultFlags", "null"}},
		{name: "base image list", yaml: "defaultBaseImage: [a]\n", want: []string{"defaultBaseImage", "want a string"}},
		{name: "overrides list", yaml: "baseImageOverrides: [a]\n", want: []string{"baseImageOverrides", "want a mapping"}},
		{name: "overrides null value", yaml: "baseImageOverrides: {a: ~}\n", want: []string{"baseImageOverrides", "null"}},
		{name: "overrides duplicate", yaml: "baseImageOverrides: {a: x, A: y}\n", want: []string{"import path appears twice"}},
		{name: "mapping key", yaml: "? [a]\n: b\n", want: []string{"plain string"}},
		{name: "syntax error", yaml: "builds: [\n", want: []string{"cfg.yaml", "yaml"}},
		{name: "merge key unsupported", yaml: "base: &b {id: a}\n", want: []string{"base", "unknown key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("cfg.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("Parse succeeded, want error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("defaultBaseImage: x\nbuilds:\n- id: a\n  main: ./cmd\n  ldflags: [-s]\n"))
	f.Add([]byte("defaultEnv: &e [A=1]\nbuilds:\n- env: *e\n"))
	f.Add([]byte("baseImageOverrides: {a: b}\ndefaultPlatforms: all\n"))
	f.Add([]byte("builds: [{flags: -a -b}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("f.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if cfg == nil {
			t.Fatal("nil config without error")
		}
		// Whatever parsed must be usable without panics.
		if _, err := cfg.For("/w", "example.com/x", "/w/x"); err != nil && !strings.Contains(err.Error(), "both match") {
			t.Fatalf("For: %v", err)
		}
	})
}

func TestParseErrorsDoNotEchoValues(t *testing.T) {
	for _, doc := range []string{
		"builds: GITHUB_TOKEN=ghp_secret\n",
		"defaultBaseImage: {token: ghp_secret}\n",
		"baseImageOverrides: GITHUB_TOKEN=ghp_secret\n",
		"defaultEnv: {GITHUB_TOKEN: ghp_secret}\n",
		"defaultEnv: GITHUB_TOKEN={{ghp_secret\n",
	} {
		_, err := Parse("k.yaml", []byte(doc))
		if err == nil {
			t.Fatalf("%q parsed", doc)
		}
		if strings.Contains(err.Error(), "ghp_secret") {
			t.Errorf("error echoes a value: %v", err)
		}
	}
}
