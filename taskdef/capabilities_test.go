package taskdef

import (
	"strings"
	"testing"
)

func capNames(list []String) string {
	var out []string
	for _, s := range list {
		v := s.Value
		if s.Unresolved != "" {
			v = "?" + v
		}
		out = append(out, v)
	}
	return strings.Join(out, ",")
}

func TestKernelCapabilities(t *testing.T) {
	const cfnHead = "Parameters:\n  Caps: {Type: CommaDelimitedList}\n  One: {Type: String}\nResources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: app\n"
	tests := []struct {
		name, file, src string
		add, drop       string // capNames; "?" marks an unresolved value
		unresolved      bool   // the whole object is unknown
		absent          bool
		privileged      bool
		addLine, addCol int // position of the first add item
	}{
		{name: "json", file: "td.json",
			src: "{\"containerDefinitions\": [{\"name\": \"app\",\n \"linuxParameters\": {\"capabilities\": {\"add\": [\"SYS_PTRACE\"], \"drop\": [\"ALL\"]}}}]}",
			add: "SYS_PTRACE", drop: "ALL", addLine: 2, addCol: 47},
		{name: "absent", file: "td.json", src: `{"containerDefinitions": [{"name": "app", "linuxParameters": {"initProcessEnabled": true}}]}`, absent: true},
		{name: "privileged", file: "td.json", src: `{"containerDefinitions": [{"name": "app", "privileged": true}]}`, absent: true, privileged: true},
		{name: "placeholder item", file: "td.json",
			src: `{"containerDefinitions": [{"name": "app", "linuxParameters": {"capabilities": {"drop": ["${DROP}"]}}}]}`, drop: "?${DROP}"},
		{name: "cloudformation", file: "t.yaml",
			src: cfnHead + "          LinuxParameters:\n            Capabilities:\n              Add: [NET_ADMIN]\n              Drop: [ALL]\n",
			add: "NET_ADMIN", drop: "ALL", addLine: 12, addCol: 21},
		{name: "cloudformation list parameter", file: "t.yaml",
			src: cfnHead + "          LinuxParameters:\n            Capabilities:\n              Drop: !Ref Caps\n", drop: "?!Ref Caps"},
		{name: "cloudformation item parameter", file: "t.yaml",
			src: cfnHead + "          LinuxParameters:\n            Capabilities:\n              Add: [!Ref One]\n", add: "?!Ref One"},
		{name: "cloudformation object is an expression", file: "t.yaml",
			src: cfnHead + "          LinuxParameters: !If [Cond, {Capabilities: {Drop: [ALL]}}, !Ref AWS::NoValue]\nConditions:\n  Cond: !Equals [!Ref One, x]\n", unresolved: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := mustParse(t, tt.file, tt.src, LoadOptions{})
			c := td.Containers[0]
			if c.Privileged.Value != tt.privileged {
				t.Errorf("privileged %+v", c.Privileged)
			}
			kc := c.Capabilities
			if tt.absent {
				if kc != nil {
					t.Fatalf("capabilities %+v, want none", kc)
				}
				return
			}
			if kc == nil {
				t.Fatal("no capabilities read")
			}
			if (kc.Unresolved != "") != tt.unresolved {
				t.Fatalf("unresolved %q", kc.Unresolved)
			}
			if tt.unresolved {
				return
			}
			if got := capNames(kc.Add); got != tt.add {
				t.Errorf("add %q, want %q", got, tt.add)
			}
			if got := capNames(kc.Drop); got != tt.drop {
				t.Errorf("drop %q, want %q", got, tt.drop)
			}
			if tt.addLine != 0 {
				if p := kc.Add[0].Pos; p.Line != tt.addLine || p.Column != tt.addCol {
					t.Errorf("add[0] at %d:%d, want %d:%d", p.Line, p.Column, tt.addLine, tt.addCol)
				}
			}
		})
	}
}

func TestKernelCapabilitiesWrongType(t *testing.T) {
	_, err := Parse("td.json", []byte(`{"containerDefinitions": [{"name": "app", "linuxParameters": {"capabilities": {"add": "SYS_PTRACE"}}}]}`), LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "capabilities.add: want an array") {
		t.Fatalf("got %v", err)
	}
}
