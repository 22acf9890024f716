package taskdef

import (
	"fmt"
	"slices"
	"strings"

	"github.com/imgcheck/imgcheck/platform"
)

// Problem is something wrong with a capacity provider strategy.
type Problem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Pos     Pos    `json:"pos"`
}

func (p Problem) String() string {
	if p.Pos.IsValid() {
		return fmt.Sprintf("%s: %s", p.Pos, p.Message)
	}
	return p.Message
}

// StrategyContext is what ValidateStrategy needs to know about the service
// and its task definition. Empty fields are not checked.
type StrategyContext struct {
	LaunchType              String
	PlatformVersion         string
	RequiresCompatibilities []string
	OperatingSystemFamily   string
	CPUArchitecture         string
}

// StrategyContextFor gathers the context from a service and (optionally)
// its task definition.
func StrategyContextFor(svc *Service, td *TaskDefinition) StrategyContext {
	ctx := StrategyContext{}
	if svc != nil {
		ctx.LaunchType = svc.LaunchType
		ctx.PlatformVersion = svc.PlatformVersion.Value
	}
	if td != nil {
		for _, c := range td.RequiresCompatibilities {
			ctx.RequiresCompatibilities = append(ctx.RequiresCompatibilities, strings.ToUpper(c.Value))
		}
		ctx.OperatingSystemFamily = td.RuntimePlatform.OperatingSystemFamily.Value
		ctx.CPUArchitecture = td.RuntimePlatform.CPUArchitecture.Value
	}
	return ctx
}

// fargateOnly reports whether the task can only run on Fargate.
func (c StrategyContext) fargateOnly() bool {
	return len(c.RequiresCompatibilities) > 0 && !slices.ContainsFunc(c.RequiresCompatibilities, func(s string) bool { return s != "FARGATE" })
}

func isFargateProvider(name string) bool {
	return name == ProviderFargate || name == ProviderFargateSpot
}

// ValidateStrategy checks a capacity provider strategy against the ECS
// limits and the task it would run.
func ValidateStrategy(items []StrategyItem, ctx StrategyContext) []Problem {
	var ps []Problem
	add := func(code string, pos Pos, format string, args ...any) {
		ps = append(ps, Problem{Code: code, Pos: pos, Message: fmt.Sprintf(format, args...)})
	}
	if len(items) == 0 {
		return nil
	}
	if ctx.LaunchType.Set && ctx.LaunchType.Value != "" {
		add("launch-type-and-strategy", ctx.LaunchType.Pos, "launchType %s and capacityProviderStrategy are both set; ECS accepts only one of them", ctx.LaunchType.Value)
	}
	if len(items) > MaxStrategyProviders {
		add("too-many-providers", items[MaxStrategyProviders].Pos, "%d capacity providers; a strategy may have at most %d", len(items), MaxStrategyProviders)
	}
	var bases []string
	seen := map[string]bool{}
	fargate, other := false, false
	weightSum, weightsKnown := 0, true
	for _, it := range items {
		name := it.Provider.Value
		switch {
		case it.Provider.Unresolved != "":
			add("unresolved", it.Provider.Pos, "capacity provider is not known statically: %s", it.Provider.Unresolved)
		case strings.TrimSpace(name) == "":
			add("empty-provider", it.Pos, "capacity provider name is empty")
		case seen[name]:
			add("duplicate-provider", it.Provider.Pos, "capacity provider %s appears twice", name)
		}
		seen[name] = true
		if isFargateProvider(name) {
			fargate = true
		} else if it.Provider.Known() && name != "" {
			other = true
			if ctx.fargateOnly() {
				add("non-fargate-provider", it.Provider.Pos, "capacity provider %s is not FARGATE or FARGATE_SPOT, but the task definition requires FARGATE only", name)
			}
		}
		// An unresolved number reads as 0: report it rather than judge 0.
		if it.Base.Unresolved != "" {
			add("unresolved", it.Base.Pos, "base of %s is not known statically: %s", name, it.Base.Unresolved)
		}
		if it.Weight.Unresolved != "" {
			add("unresolved", it.Weight.Pos, "weight of %s is not known statically: %s", name, it.Weight.Unresolved)
			weightsKnown = false
		}
		if it.Base.Value < 0 || it.Base.Value > MaxStrategyBase {
			add("base-range", it.Base.Pos, "base %d of %s is outside 0..%d", it.Base.Value, name, MaxStrategyBase)
		}
		if it.Weight.Value < 0 || it.Weight.Value > MaxStrategyWeight {
			add("weight-range", it.Weight.Pos, "weight %d of %s is outside 0..%d", it.Weight.Value, name, MaxStrategyWeight)
		}
		if it.Base.Value > 0 {
			bases = append(bases, name)
		}
		weightSum += it.Weight.Value
		if name == ProviderFargateSpot {
			ps = append(ps, spotProblems(it, ctx)...)
		}
	}
	if len(bases) > 1 {
		add("multiple-bases", items[0].Pos, "only one capacity provider may have a base greater than 0, but %s do", strings.Join(bases, " and "))
	}
	if weightSum == 0 && weightsKnown {
		add("all-weights-zero", items[0].Pos, "every weight is 0; at least one capacity provider needs a weight greater than 0, and providers with weight 0 get no tasks beyond the base")
	}
	if fargate && other {
		add("mixed-providers", items[0].Pos, "FARGATE/FARGATE_SPOT cannot be mixed with Auto Scaling group capacity providers in one strategy")
	}
	return ps
}

func spotProblems(it StrategyItem, ctx StrategyContext) []Problem {
	switch {
	case platform.IsWindowsFamily(ctx.OperatingSystemFamily):
		return []Problem{{Code: "spot-windows", Pos: it.Provider.Pos, Message: fmt.Sprintf("FARGATE_SPOT does not run Windows tasks (operatingSystemFamily %s)", ctx.OperatingSystemFamily)}}
	case strings.EqualFold(ctx.CPUArchitecture, "ARM64") && PlatformVersionBefore(ctx.PlatformVersion, minSpotARMPlatform):
		return []Problem{{Code: "spot-platform", Pos: it.Provider.Pos, Message: fmt.Sprintf("FARGATE_SPOT runs ARM64 tasks on platform version %s or later, not %s", minSpotARMPlatform, ctx.PlatformVersion)}}
	case PlatformVersionBefore(ctx.PlatformVersion, minSpotX86Platform):
		return []Problem{{Code: "spot-platform", Pos: it.Provider.Pos, Message: fmt.Sprintf("FARGATE_SPOT runs on platform version %s or later, not %s", minSpotX86Platform, ctx.PlatformVersion)}}
	}
	return nil
}
