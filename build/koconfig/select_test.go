package koconfig

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const suiteYAML = `defaultBaseImage: cgr.dev/chainguard/static
baseImageOverrides:
  example.com/app/cmd/special: reg.example/special-base
defaultEnv: [FOO=default]
defaultFlags: [-v]
defaultLdflags: [-s]
builds:
- id: api
  main: ./cmd/api
  env:
  - FOO=api
  - VERSION={{.Env.RELEASE}}
  flags: [-tags, netgo]
  ldflags:
  - -w
  - -X main.version={{.Env.RELEASE}} -X main.commit={{.Git.ShortCommit}} -X main.date={{.Date}}
- id: worker
  dir: ./worker
  main: .
`

func TestSettingsFor(t *testing.T) {
	cfg, err := Parse(".ko.yaml", []byte(suiteYAML))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, importPath, pkgDir string
		want                     Settings
	}{
		{name: "defaults apply without a build entry", importPath: "example.com/app/cmd/other", pkgDir: "/w/cmd/other",
			want: Settings{Dir: "/w", Env: []string{"FOO=default"}, Flags: []string{"-v"}, Ldflags: []string{"-s"}, BaseImage: "cgr.dev/chainguard/static"}},
		{name: "per-build lists replace defaults", importPath: "example.com/app/cmd/api", pkgDir: "/w/cmd/api",
			want: Settings{BuildID: "api", Dir: "/w", Env: []string{"FOO=api", "VERSION={{.Env.RELEASE}}"}, Flags: []string{"-tags", "netgo"},
				Ldflags:   []string{"-w", "-X main.version={{.Env.RELEASE}} -X main.commit={{.Git.ShortCommit}} -X main.date={{.Date}}"},
				BaseImage: "cgr.dev/chainguard/static"}},
		{name: "dir joins main and becomes the build dir", importPath: "example.com/worker", pkgDir: "/w/worker",
			want: Settings{BuildID: "worker", Dir: "/w/worker", Env: []string{"FOO=default"}, Flags: []string{"-v"}, Ldflags: []string{"-s"}, BaseImage: "cgr.dev/chainguard/static"}},
		{name: "base image override by import path", importPath: "example.com/app/cmd/special", pkgDir: "/w/cmd/special",
			want: Settings{Dir: "/w", Env: []string{"FOO=default"}, Flags: []string{"-v"}, Ldflags: []string{"-s"}, BaseImage: "reg.example/special-base", BaseFromOverride: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cfg.For("/w", tt.importPath, tt.pkgDir)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestSettingsForAmbiguous(t *testing.T) {
	cfg, err := Parse("k.yaml", []byte("builds:\n- main: ./a\n- main: ./a/\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.For("/w", "x/a", "/w/a"); err == nil || !strings.Contains(err.Error(), "lines 2 and 3") {
		t.Fatalf("want ambiguity error naming both lines, got %v", err)
	}
}

func TestTemplates(t *testing.T) {
	git := GitInfo{ShortCommit: "abc1234", FullCommit: "abc1234def", Tag: "v1.2.3", Branch: "main", TreeState: "clean", IsClean: true}
	data := NewTemplateData([]string{"RELEASE=1.2.3", "EMPTY="}, time.Unix(1700000000, 0), git, map[string]string{"GOOS": "linux"})
	tests := []struct{ in, want, wantErr string }{
		{in: "-X main.version={{.Env.RELEASE}}", want: "-X main.version=1.2.3"},
		{in: "{{.Git.ShortCommit}} {{.Git.FullCommit}} {{.Git.Tag}} {{.Git.Branch}} {{.Git.TreeState}} {{.Git.IsClean}}", want: "abc1234 abc1234def v1.2.3 main clean true"},
		{in: "{{.Date}} {{.Timestamp}}", want: "2023-11-14T22:13:20Z 1700000000"},
		{in: "{{.GoEnv.GOOS}}", want: "linux"},
		{in: "plain", want: "plain"},
		{in: "{{.Env.EMPTY}}", want: ""},
		{in: "{{.Env.MISSING}}", wantErr: "MISSING"},
		{in: "{{.Nope}}", wantErr: "Nope"},
		{in: "{{.Env.X", wantErr: "template"},
	}
	for _, tt := range tests {
		got, err := Render(tt.in, data)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Render(%q) error = %v, want containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Render(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := RenderAll("ldflags", []string{"ok", "{{.Env.NO}}"}, data); err == nil || !strings.Contains(err.Error(), "ldflags[1]") {
		t.Errorf("RenderAll error should name the item: %v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "conf")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, ".ko.yaml"), "defaultBaseImage: from-workdir\n")
	write(filepath.Join(other, ".ko.yaml"), "defaultBaseImage: from-dir\n")
	write(filepath.Join(other, "custom.yaml"), "defaultBaseImage: from-file\n")
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "KO_CONFIG_PATH" {
				return v
			}
			return ""
		}
	}
	tests := []struct{ name, koConfigPath, want, wantErr string }{
		{name: "work dir", want: "from-workdir"},
		{name: "KO_CONFIG_PATH directory", koConfigPath: other, want: "from-dir"},
		{name: "KO_CONFIG_PATH file", koConfigPath: filepath.Join(other, "custom.yaml"), want: "from-file"},
		{name: "KO_CONFIG_PATH relative", koConfigPath: "conf", want: "from-dir"},
		{name: "KO_CONFIG_PATH missing", koConfigPath: filepath.Join(dir, "nope"), wantErr: "KO_CONFIG_PATH"},
		{name: "KO_CONFIG_PATH dir without config", koConfigPath: t.TempDir(), wantErr: "no .ko.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(dir, env(tt.koConfigPath))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || cfg.DefaultBaseImage != tt.want {
				t.Fatalf("got %+v, %v; want base %q", cfg, err, tt.want)
			}
		})
	}
	cfg, err := Load(t.TempDir(), env(""))
	if err != nil || cfg.Path != "" {
		t.Errorf("no config file: got %+v, %v", cfg, err)
	}
}

func TestStripCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:token@github.com/o/r.git": "https://github.com/o/r.git",
		"https://github.com/o/r":                "https://github.com/o/r",
		"git@github.com:o/r.git":                "git@github.com:o/r.git",
		"https://tok@host":                      "https://host",
	} {
		if got := stripCredentials(in); got != want {
			t.Errorf("stripCredentials(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRepositoryKoYAMLParses(t *testing.T) {
	// The repository's own .ko.yaml must parse, select its build for the
	// sample server and render its templates.
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(root, func(string) string { return "" })
	if err != nil {
		t.Fatalf("the repository's .ko.yaml: %v", err)
	}
	if cfg.Path == "" {
		t.Fatal("no .ko.yaml at the repository root")
	}
	s, err := cfg.For(root, "github.com/imgcheck/imgcheck/sample-server", filepath.Join(root, "sample-server"))
	if err != nil {
		t.Fatal(err)
	}
	if s.BuildID == "" {
		t.Fatalf("no builds[] entry selected for ./sample-server: %+v", s)
	}
	data := NewTemplateData(nil, time.Unix(0, 0), GitInfo{Tag: "v9.9.9", ShortCommit: "abc1234"}, nil)
	ld, err := RenderAll("ldflags", s.Ldflags, data)
	if err != nil {
		t.Fatal(err)
	}
	if joined := strings.Join(ld, " "); strings.Contains(joined, "{{") || strings.Contains(joined, "<no value>") {
		t.Errorf("ldflags rendered to %q", joined)
	}
}

func TestLoadRefusesHugeFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".ko.yaml")
	if err := os.WriteFile(p, make([]byte, maxConfigBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(filepath.Dir(p), func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("err = %v", err)
	}
}
