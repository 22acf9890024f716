package taskdef

import (
	"slices"
	"strings"
	"testing"
)

func TestExpressionArchitectures(t *testing.T) {
	both := []string{ArchX86_64, ArchARM64}
	arm := []string{ArchARM64}
	x86 := []string{ArchX86_64}
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{"attribute:ecs.cpu-architecture == arm64", arm},
		{"attribute:ecs.cpu-architecture equals x86_64", x86},
		{"attribute:ecs.cpu-architecture != arm64", x86},
		{"attribute:ecs.cpu-architecture in [arm64, x86_64]", both},
		{"attribute:ecs.cpu-architecture in [arm64]", arm},
		{"attribute:ecs.cpu-architecture not_in [arm64]", x86},
		{"attribute:ECS.CPU-ARCHITECTURE == ARM64", arm},
		{"attribute:ecs.cpu-architecture =~ arm.*", arm},
		{"attribute:ecs.cpu-architecture !~ arm.*", x86},
		{"attribute:ecs.cpu-architecture exists", both},
		{"attribute:ecs.availability-zone == us-east-1a", both},
		{"attribute:ecs.availability-zone == us-east-1a and attribute:ecs.cpu-architecture == arm64", arm},
		{"attribute:ecs.availability-zone == us-east-1a or attribute:ecs.cpu-architecture == arm64", both},
		{"(attribute:ecs.cpu-architecture == arm64 or attribute:ecs.cpu-architecture == x86_64) and attribute:stack == prod", both},
		{"not (attribute:ecs.cpu-architecture == arm64)", x86},
		{"attribute:ecs.instance-type == m6g.large", arm},
		{"attribute:ecs.instance-type == t3.micro", x86},
		{"attribute:ecs.instance-type in [t4g.small, c7gn.xlarge]", arm},
		{"attribute:ecs.instance-type in [t4g.small, m5.large]", both},
		{"attribute:ecs.instance-type =~ t4g.*", both},
		{"attribute:ecs.instance-type != m6g.large", both},
		{"attribute:ecs.cpu-architecture == arm64 and attribute:ecs.cpu-architecture == x86_64", nil},
	} {
		got, err := ExpressionArchitectures(tc.expr)
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: %v, want %v", tc.expr, got, tc.want)
		}
	}
}

func TestExpressionArchitecturesMalformed(t *testing.T) {
	for _, expr := range []string{
		"", "   ", "attribute:ecs.cpu-architecture", "attribute:ecs.cpu-architecture ==",
		"attribute:ecs.cpu-architecture <> arm64", "attribute:ecs.cpu-architecture in arm64",
		"attribute:ecs.cpu-architecture in [arm64", "(attribute:ecs.cpu-architecture == arm64",
		"attribute:ecs.cpu-architecture == arm64)", "attribute:ecs.cpu-architecture == arm64 and",
		"== arm64", "( )", "attribute:x in [a, (b]", strings.Repeat("(", 40) + "a == b" + strings.Repeat(")", 40),
		strings.Repeat("a == b and ", 300),
	} {
		if got, err := ExpressionArchitectures(expr); err == nil {
			t.Errorf("%q: %v, want an error", expr, got)
		}
	}
}

func TestPlacementConstraintArchitectures(t *testing.T) {
	td, err := Parse("td.json", []byte(`{"family": "f", "requiresCompatibilities": ["EC2"],
  "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.cpu-architecture == arm64"}],
  "containerDefinitions": [{"name": "app", "image": "app:v1", "memory": 128}]}`), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(td.PlacementConstraints) != 1 {
		t.Fatalf("constraints %+v", td.PlacementConstraints)
	}
	a, err := td.PlacementConstraints[0].Architectures()
	if err != nil || !slices.Equal(a, []string{ArchARM64}) {
		t.Errorf("memberOf: %v %v", a, err)
	}
	if td.PlacementConstraints[0].Expression.Pos.Line != 2 {
		t.Errorf("position %+v", td.PlacementConstraints[0].Expression.Pos)
	}
	distinct := PlacementConstraint{Type: String{Value: "distinctInstance", Set: true}}
	b, err := distinct.Architectures()
	if err != nil || len(b) != 2 {
		t.Errorf("distinctInstance: %v %v", b, err)
	}
	unresolved := PlacementConstraint{Type: String{Value: "memberOf", Set: true}, Expression: String{Value: "${X}", Set: true, Unresolved: "shell variable"}}
	if _, err := unresolved.Architectures(); err == nil {
		t.Error("an unresolved expression gave architectures")
	}
}

func FuzzExpressionArchitectures(f *testing.F) {
	for _, s := range []string{"attribute:ecs.cpu-architecture == arm64", "(a == b or not c in [x, y]) and attribute:ecs.instance-type =~ t4g.*", "a exists"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		got, err := ExpressionArchitectures(expr)
		if err == nil && len(got) > 2 {
			t.Fatalf("%q: %v", expr, got)
		}
	})
}
