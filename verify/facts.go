package verify

import (
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/platform"
	"github.com/imgcheck/imgcheck/taskdef"
)

// taskFacts are the properties of the task (and service) that many rules
// ask about, worked out once.
type taskFacts struct {
	td              *taskdef.TaskDefinition
	svc             *taskdef.Service // nil without --service
	fargate         bool
	windows         bool
	arch            string // X86_64 or ARM64 (ECS names)
	osFamily        string // LINUX, WINDOWS_SERVER_2022_CORE, ...
	platformVersion string // from the service; "" when unknown (ECS uses LATEST)
	launch          launchFacts
	// platform is what the image must offer for the task's runtimePlatform
	// (X86_64 when it has none); a Windows task also asks for the OS build
	// of its operatingSystemFamily.
	platform v1.Platform
	// platforms are the platforms the image is checked for: platform, or
	// what the placement constraints or the caller say for EC2 (see
	// taskPlatforms).
	platforms []v1.Platform
}

func newTaskFacts(td *taskdef.TaskDefinition, svc *taskdef.Service) taskFacts {
	f := taskFacts{td: td, svc: svc, arch: "X86_64", osFamily: "LINUX"}
	f.launch = newLaunchFacts(td, svc)
	f.fargate = declares(td, launchFargate) || f.launch.has(launchFargate)
	if svc != nil {
		f.platformVersion = svc.PlatformVersion.Value
	}
	if rp := td.RuntimePlatform; rp.Set {
		if rp.CPUArchitecture.Known() {
			f.arch = strings.ToUpper(rp.CPUArchitecture.Value)
		}
		if rp.OperatingSystemFamily.Known() {
			f.osFamily = strings.ToUpper(rp.OperatingSystemFamily.Value)
		}
	}
	f.windows = platform.IsWindowsFamily(f.osFamily)
	f.platform = platform.FromECS(f.arch, f.osFamily)
	return f
}

// loc turns a taskdef position into a report location.
func loc(p taskdef.Pos) *Location {
	if !p.IsValid() && p.File == "" {
		return nil
	}
	return &Location{File: p.File, Line: p.Line, Column: p.Column}
}

// Launch types, as ECS names them.
const (
	launchFargate  = "FARGATE"
	launchEC2      = "EC2"
	launchExternal = "EXTERNAL"
)

// launchFacts say which launch types the tasks of a service can be placed
// with and how the service deploys, worked out once from launchType,
// capacityProviderStrategy, the cluster's default strategy when the
// template gives it, deploymentController and schedulingStrategy. Without
// a service they are the task's requiresCompatibilities (EC2 when empty).
type launchFacts struct {
	types []string    // FARGATE, EC2, EXTERNAL, MANAGED_INSTANCES; sorted, unique
	from  string      // what decided types, for messages
	pos   taskdef.Pos // where that is
	// byProvider: capacity providers decide (the service's strategy, or
	// the cluster default when cluster is true), not launchType.
	byProvider bool
	cluster    bool
	// assumed: the service sets neither launchType nor a strategy and the
	// cluster's default strategy is not known, so types is ECS's fallback
	// (EC2) and may be wrong; see launchAssumptionProblems.
	assumed       bool
	controller    string // ECS (the default), CODE_DEPLOY or EXTERNAL
	controllerPos taskdef.Pos
	daemon        bool // schedulingStrategy DAEMON
	daemonPos     taskdef.Pos
}

func (l launchFacts) has(lt string) bool { return slices.Contains(l.types, lt) }

func newLaunchFacts(td *taskdef.TaskDefinition, svc *taskdef.Service) launchFacts {
	var l launchFacts
	add := func(lt string) {
		if !slices.Contains(l.types, lt) {
			l.types = append(l.types, lt)
		}
	}
	byProviders := func(items []taskdef.StrategyItem) {
		l.byProvider = true
		for _, it := range items {
			if it.Provider.Known() {
				add(providerLaunchType(it.Provider.Value))
			}
		}
	}
	switch {
	case svc == nil:
		for _, c := range td.RequiresCompatibilities {
			if c.Known() {
				add(strings.ToUpper(c.Value))
			}
		}
		if len(td.RequiresCompatibilities) == 0 {
			add(launchEC2)
		}
		l.from = "the task definition's requiresCompatibilities (no service given)"
		if len(td.RequiresCompatibilities) > 0 {
			l.pos = td.RequiresCompatibilities[0].Pos
		}
	case svc.LaunchType.Known() && svc.LaunchType.Value != "":
		add(strings.ToUpper(svc.LaunchType.Value))
		l.from, l.pos = "the service's launchType "+svc.LaunchType.Value, svc.LaunchType.Pos
	case len(svc.CapacityProviderStrategy) > 0:
		byProviders(svc.CapacityProviderStrategy)
		l.from, l.pos = "the service's capacityProviderStrategy", svc.CapacityProviderStrategy[0].Pos
	case svc.ClusterDefault != nil && len(svc.ClusterDefault.Strategy) > 0:
		byProviders(svc.ClusterDefault.Strategy)
		l.cluster = true
		l.from = "the default capacity provider strategy of cluster " + svc.ClusterResource + " (set in " + svc.ClusterDefault.From + "; the service sets neither launchType nor capacityProviderStrategy)"
		l.pos = svc.ClusterDefault.Strategy[0].Pos
	case svc.ClusterDefault != nil:
		add(launchEC2)
		l.from = "the EC2 launch type (the service sets neither launchType nor capacityProviderStrategy, and cluster " + svc.ClusterResource + " has no default capacity provider strategy)"
		l.pos = svc.Pos
	default:
		add(launchEC2)
		l.assumed = true
		l.from = "the EC2 launch type, assumed (the service sets neither launchType nor capacityProviderStrategy, so ECS uses the cluster's default capacity provider strategy, which is not known here, or EC2 when it has none)"
		l.pos = svc.Pos
	}
	slices.Sort(l.types)
	l.controller = "ECS"
	if svc != nil {
		if dc := svc.DeploymentController; dc.Known() && dc.Value != "" {
			l.controller, l.controllerPos = strings.ToUpper(dc.Value), dc.Pos
		}
		if ss := svc.SchedulingStrategy; ss.Known() && strings.EqualFold(ss.Value, "DAEMON") {
			l.daemon, l.daemonPos = true, ss.Pos
		}
	}
	return l
}

// providerLaunchType is the launch type of a capacity provider's tasks:
// FARGATE for FARGATE and FARGATE_SPOT, EC2 for the Auto Scaling group
// providers (the only other kind a strategy names).
func providerLaunchType(name string) string {
	switch strings.ToUpper(name) {
	case taskdef.ProviderFargate, taskdef.ProviderFargateSpot:
		return launchFargate
	}
	return launchEC2
}

// declares reports whether the task lists lt in requiresCompatibilities,
// which makes ECS validate it for lt at registration.
func declares(td *taskdef.TaskDefinition, lt string) bool {
	return slices.ContainsFunc(td.RequiresCompatibilities, func(s taskdef.String) bool {
		return s.Known() && strings.EqualFold(s.Value, lt)
	})
}
