package build

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "ko.yaml")
	if err := os.WriteFile(cfgPath, []byte("defaultPlatforms: [linux/arm64]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"KO_CONFIG_PATH=" + cfgPath, "KO_GO_PATH=/opt/go/bin/go", "KO_GO_PATH=/usr/local/go/bin/go"}
	b, err := FromEnvironment(dir, env)
	if err != nil {
		t.Fatal(err)
	}
	if b.WorkDir != dir || b.Config.Path != cfgPath || len(b.Config.DefaultPlatforms) != 1 {
		t.Fatalf("builder %+v, config %+v", b, b.Config)
	}
	if got := b.compiler(); got != (GoCompiler{GoBinary: "/usr/local/go/bin/go"}) {
		t.Errorf("default compiler %+v: want the last KO_GO_PATH", got)
	}
	if b.Getenv("UNSET") != "" {
		t.Error("an unset variable must be empty")
	}
	if err := os.WriteFile(cfgPath, []byte("builds:\n- id: x\n  ldflag: [-s]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := FromEnvironment(dir, env); err == nil {
		t.Error("a bad .ko.yaml must be an error")
	}
}

func TestWriteRefs(t *testing.T) {
	var b bytes.Buffer
	err := WriteRefs(&b, []Result{{Refs: []string{"reg/a@sha256:1", "oci:out@sha256:1"}}, {Refs: []string{"reg/b@sha256:2"}}})
	if err != nil || b.String() != "reg/a@sha256:1\noci:out@sha256:1\nreg/b@sha256:2\n" {
		t.Errorf("WriteRefs: %q, %v", b.String(), err)
	}
}
