package taskdef

import (
	"fmt"
	"testing"
)

func strategyItems(specs ...string) []StrategyItem {
	out := make([]StrategyItem, 0, len(specs))
	for i, s := range specs {
		var name string
		var base, weight int
		if _, err := fmt.Sscanf(s, "%s %d %d", &name, &base, &weight); err != nil {
			panic(err)
		}
		out = append(out, StrategyItem{
			Provider: String{Value: name, Set: true},
			Base:     Int{Value: base, Set: true},
			Weight:   Int{Value: weight, Set: true},
			Pos:      Pos{File: "svc.json", Line: i + 1, Column: 1},
		})
	}
	return out
}

func TestSpread(t *testing.T) {
	tests := []struct {
		name  string
		items []StrategyItem
		n     int
		want  []int // tasks per provider
		base  []int // of which base
	}{
		{"issue example", strategyItems("FARGATE 3 1", "FARGATE_SPOT 0 2"), 12, []int{6, 6}, []int{3, 0}},
		{"base capped at n", strategyItems("FARGATE 5 1", "FARGATE_SPOT 0 1"), 3, []int{3, 0}, []int{3, 0}},
		{"zero tasks", strategyItems("FARGATE 2 1"), 0, []int{0}, []int{0}},
		{"remainder to largest fraction", strategyItems("A 0 1", "B 0 1", "C 0 1"), 4, []int{2, 1, 1}, []int{0, 0, 0}},
		{"tie goes to first listed", strategyItems("A 0 1", "B 0 1"), 3, []int{2, 1}, []int{0, 0}},
		{"largest remainder wins over order", strategyItems("B 0 2", "A 0 1"), 2, []int{1, 1}, []int{0, 0}},
		{"half shares tie to first", strategyItems("A 0 1", "B 0 3"), 2, []int{1, 1}, []int{0, 0}},
		{"weight 0 gets only base", strategyItems("A 2 0", "B 0 1"), 5, []int{2, 3}, []int{2, 0}},
		{"kayac strategy", strategyItems("FARGATE 1 1", "FARGATE_SPOT 0 2"), 1, []int{1, 0}, []int{1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Spread(tt.items, tt.n)
			total := 0
			for i, a := range got {
				if a.Tasks != tt.want[i] || a.FromBase != tt.base[i] || a.Tasks != a.FromBase+a.FromWeight {
					t.Errorf("%s: %+v, want %d tasks (%d base)", a.Provider, a, tt.want[i], tt.base[i])
				}
				total += a.Tasks
			}
			if total != tt.n {
				t.Errorf("spread %d tasks, want %d", total, tt.n)
			}
		})
	}
}

func TestValidateStrategy(t *testing.T) {
	fargateTask := StrategyContext{RequiresCompatibilities: []string{"FARGATE"}}
	windows := StrategyContext{RequiresCompatibilities: []string{"FARGATE"}, OperatingSystemFamily: "WINDOWS_SERVER_2019_CORE"}
	arm13 := StrategyContext{CPUArchitecture: "ARM64", PlatformVersion: "1.3.0"}
	tests := []struct {
		name  string
		items []StrategyItem
		ctx   StrategyContext
		want  string // problem code, "" = valid
	}{
		{"valid fargate and spot", strategyItems("FARGATE 3 1", "FARGATE_SPOT 0 2"), fargateTask, ""},
		{"valid asg for ec2 and fargate task", strategyItems("asg 0 1"), StrategyContext{RequiresCompatibilities: []string{"EC2", "FARGATE"}}, ""},
		{"two bases", strategyItems("FARGATE 1 1", "FARGATE_SPOT 1 1"), StrategyContext{}, "multiple-bases"},
		{"all weights zero", strategyItems("FARGATE 1 0", "FARGATE_SPOT 0 0"), StrategyContext{}, "all-weights-zero"},
		{"seven providers", strategyItems("a 0 1", "b 0 1", "c 0 1", "d 0 1", "e 0 1", "f 0 1", "g 0 1"), StrategyContext{}, "too-many-providers"},
		{"mixed", strategyItems("FARGATE 0 1", "asg 0 1"), StrategyContext{}, "mixed-providers"},
		{"asg with fargate-only task", strategyItems("asg 0 1"), fargateTask, "non-fargate-provider"},
		{"spot with windows", strategyItems("FARGATE_SPOT 0 1"), windows, "spot-windows"},
		{"spot arm64 on 1.3.0", strategyItems("FARGATE_SPOT 0 1"), arm13, "spot-platform"},
		{"spot on 1.2.0", strategyItems("FARGATE_SPOT 0 1"), StrategyContext{PlatformVersion: "1.2.0"}, "spot-platform"},
		{"base too big", strategyItems("FARGATE 100001 1"), StrategyContext{}, "base-range"},
		{"weight too big", strategyItems("FARGATE 0 1001"), StrategyContext{}, "weight-range"},
		{"duplicate", strategyItems("FARGATE 0 1", "FARGATE 0 1"), StrategyContext{}, "duplicate-provider"},
		{"launch type too", strategyItems("FARGATE 0 1"), StrategyContext{LaunchType: String{Value: "FARGATE", Set: true}}, "launch-type-and-strategy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := ValidateStrategy(tt.items, tt.ctx)
			if tt.want == "" {
				if len(ps) != 0 {
					t.Errorf("want valid, got %v", ps)
				}
				return
			}
			if !hasProblem(ps, tt.want) {
				t.Errorf("want %s, got %v", tt.want, ps)
			}
			for _, p := range ps {
				if p.Message == "" {
					t.Errorf("problem without a message: %+v", p)
				}
			}
		})
	}
}

func TestStrategyContextForUnresolvedProvider(t *testing.T) {
	svc := &Service{CapacityProviderStrategy: []StrategyItem{{Provider: String{Set: true, Value: "!Ref Cap", Unresolved: "Ref to resource Cap"}, Weight: Int{Value: 1, Set: true}}}}
	if ps := ValidateStrategy(svc.CapacityProviderStrategy, StrategyContextFor(svc, nil)); !hasProblem(ps, "unresolved") {
		t.Errorf("unresolved provider not reported: %v", ps)
	}
}

// A weight or base that is an unresolved expression reads as 0: it must be
// reported as unknown, and an unknown weight must not make "every weight is
// 0", so that a plan over it is never Valid with a guessed split.
func TestValidateStrategyUnresolvedWeightAndBase(t *testing.T) {
	unknown := Int{Set: true, Raw: "!Ref W", Unresolved: "parameter W has no Default and no value was given"}
	tests := []struct {
		name  string
		items []StrategyItem
	}{
		{"weight", []StrategyItem{
			{Provider: String{Set: true, Value: ProviderFargate}, Weight: Int{Value: 1, Set: true}},
			{Provider: String{Set: true, Value: ProviderFargateSpot}, Weight: unknown}}},
		{"base", []StrategyItem{{Provider: String{Set: true, Value: ProviderFargate}, Base: unknown, Weight: Int{Value: 1, Set: true}}}},
		{"sole weight", []StrategyItem{{Provider: String{Set: true, Value: ProviderFargate}, Weight: unknown}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := ValidateStrategy(tt.items, StrategyContext{})
			expect(t, hasProblem(ps, "unresolved"), "unknown %s not reported: %v", tt.name, ps)
			expect(t, !hasProblem(ps, "all-weights-zero"), "an unknown weight is not 0: %v", ps)
		})
	}
}
