package runctest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSetCapabilities(t *testing.T) {
	b := &Bundle{Dir: t.TempDir(), spec: map[string]any{"process": map[string]any{"noNewPrivileges": true}}}
	b.SetCapabilities([]string{"CAP_KILL", "CAP_NET_BIND_SERVICE"})
	b.SetNoNewPrivileges(false)
	if err := b.write(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(b.Dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Process struct {
			NoNewPrivileges bool                `json:"noNewPrivileges"`
			Capabilities    map[string][]string `json:"capabilities"`
		} `json:"process"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	want := []string{"CAP_KILL", "CAP_NET_BIND_SERVICE"}
	for _, set := range []string{"bounding", "effective", "permitted"} {
		if got := spec.Process.Capabilities[set]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, want %v", set, got, want)
		}
	}
	for _, set := range []string{"inheritable", "ambient"} {
		if got := spec.Process.Capabilities[set]; got == nil || len(got) != 0 {
			t.Errorf("%s = %#v, want an empty list", set, got)
		}
	}
	if spec.Process.NoNewPrivileges {
		t.Error("noNewPrivileges still on")
	}
}
