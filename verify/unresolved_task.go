package verify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/imgcheck/imgcheck/taskdef"
)

// unresolvedValue is a task or service value that a rule reads and that is
// still a CloudFormation expression or template placeholder.
type unresolvedValue struct {
	field string
	why   string
	pos   taskdef.Pos
	fix   string // "" for the usual: give the parameters a value
}

func (u unresolvedValue) message() string {
	fix := u.fix
	if fix == "" {
		fix = "give the parameters it depends on a value, or render the template, before verifying"
	}
	return fmt.Sprintf("%s is not known (%s) at %s; %s", u.field, u.why, u.pos, fix)
}

// unresolvedTaskInputs lists the values the task and service rules read
// that are not known. Any of them makes the run "could not verify": a rule
// that skipped an unknown value, or read a default in its place, could pass
// a task that ECS would refuse or run on another platform. Container fields
// that the image checks read are checked per target (unresolvedInputs).
func unresolvedTaskInputs(f taskFacts) []unresolvedValue {
	td := f.td
	var out []unresolvedValue
	str := func(field string, s taskdef.String) {
		if s.Set && s.Unresolved != "" {
			out = append(out, unresolvedValue{field: field, why: s.Unresolved, pos: s.Pos})
		}
	}
	num := func(field string, i taskdef.Int) {
		if i.Set && i.Unresolved != "" {
			out = append(out, unresolvedValue{field: field, why: i.Unresolved, pos: i.Pos})
		}
	}
	for _, c := range td.RequiresCompatibilities {
		str("requiresCompatibilities", c)
	}
	str("networkMode", td.NetworkMode)
	str("runtimePlatform.cpuArchitecture", td.RuntimePlatform.CPUArchitecture)
	str("runtimePlatform.operatingSystemFamily", td.RuntimePlatform.OperatingSystemFamily)
	num("ephemeralStorage.sizeInGiB", td.EphemeralStorageGiB)
	if f.fargate {
		num("cpu", td.CPU)
		num("memory", td.Memory)
		for _, pc := range td.PlacementConstraints {
			str("placementConstraints", pc.Type)
		}
	}
	if f.svc != nil {
		for _, c := range td.Compatibilities {
			str("compatibilities", c)
		}
	}
	awsvpc := strings.EqualFold(td.NetworkMode.Value, "awsvpc")
	for _, c := range td.Containers {
		name := fmt.Sprintf("container %q ", c.Name.Value)
		if c.Essential.Set && c.Essential.Unresolved != "" {
			out = append(out, unresolvedValue{field: name + "essential", why: c.Essential.Unresolved, pos: c.Essential.Pos})
		}
		if awsvpc {
			for _, pm := range c.PortMappings {
				num(name+"portMappings.hostPort", pm.HostPort)
				num(name+"portMappings.containerPort", pm.ContainerPort)
			}
		}
		if lc := c.LogConfiguration; lc != nil {
			str(name+"logConfiguration.logDriver", lc.LogDriver)
			if lc.LogDriver.Known() && lc.LogDriver.Value == "awslogs" {
				str(name+"logConfiguration.options", lc.OptionsUnknown)
			}
		}
		if kc := c.Capabilities; kc != nil && f.fargate {
			// The Fargate rule (IC322) reads what add names.
			if kc.Unresolved != "" {
				out = append(out, unresolvedValue{field: name + "linuxParameters.capabilities", why: kc.Unresolved, pos: kc.Pos})
			}
			for _, s := range kc.Add {
				str(name+"linuxParameters.capabilities.add", s)
			}
		}
	}
	if svc := f.svc; svc != nil {
		str("service launchType", svc.LaunchType)
		str("service platformVersion", svc.PlatformVersion)
		for _, s := range svc.CapacityProviderStrategy {
			str("service capacityProviderStrategy.capacityProvider", s.Provider)
			num("service capacityProviderStrategy.base", s.Base)
			num("service capacityProviderStrategy.weight", s.Weight)
		}
		for _, lb := range svc.LoadBalancers {
			str("service loadBalancers.containerName", lb.ContainerName)
			num("service loadBalancers.containerPort", lb.ContainerPort)
			out = append(out, loadBalancerTaskUnknowns(td, lb)...)
			if tg := lb.TargetGroup; tg != nil {
				str("target group "+tg.Resource+" TargetType", tg.TargetType)
				str("target group "+tg.Resource+" HealthCheckPort", tg.HealthCheckPort)
			}
		}
		out = append(out, serviceLaunchUnknowns(f)...)
	}
	if len(out) == 0 {
		return launchAssumptionProblems(f)
	}
	// Two rules may read one value (an awsvpc containerPort that a load
	// balancer names): report it once.
	seen := map[unresolvedValue]bool{}
	return slices.DeleteFunc(out, func(u unresolvedValue) bool {
		dup := seen[u]
		seen[u] = true
		return dup
	})
}

// serviceLaunchUnknowns lists the service values the launch type, DAEMON
// and network rules read that are not known.
func serviceLaunchUnknowns(f taskFacts) []unresolvedValue {
	svc := f.svc
	var out []unresolvedValue
	str := func(field string, s taskdef.String) {
		if s.Set && s.Unresolved != "" {
			out = append(out, unresolvedValue{field: field, why: s.Unresolved, pos: s.Pos})
		}
	}
	str("service schedulingStrategy", svc.SchedulingStrategy)
	if f.launch.daemon {
		str("service deploymentController.type", svc.DeploymentController)
	}
	if nc := svc.NetworkConfiguration; nc != nil && nc.Unresolved != "" && strings.EqualFold(f.td.NetworkMode.Value, "awsvpc") {
		out = append(out, unresolvedValue{field: "service networkConfiguration", why: nc.Unresolved, pos: nc.Pos})
	}
	if f.launch.has(launchFargate) {
		for _, pc := range svc.PlacementConstraints {
			str("service placementConstraints", pc.Type)
		}
	}
	if cd := svc.ClusterDefault; cd != nil && !svc.LaunchType.Set && len(svc.CapacityProviderStrategy) == 0 {
		for _, it := range cd.Strategy {
			str("cluster "+svc.ClusterResource+" default capacity provider", it.Provider)
		}
	}
	return out
}

// loadBalancerTaskUnknowns lists the task values that decide whether a
// load balancer's container and port exist (IC404) and which host port
// the target gets (IC410), when they are not known: an unresolved
// container name or port may be the one the load balancer names.
func loadBalancerTaskUnknowns(td *taskdef.TaskDefinition, lb taskdef.LoadBalancer) []unresolvedValue {
	if !lb.ContainerName.Known() {
		return nil // the service value is reported itself
	}
	var out []unresolvedValue
	ct, ok := containerNamed(td, lb.ContainerName.Value)
	if !ok {
		for _, c := range td.Containers {
			if c.Name.Set && c.Name.Unresolved != "" {
				out = append(out, unresolvedValue{field: "container name", why: c.Name.Unresolved, pos: c.Name.Pos})
			}
		}
		return out
	}
	if !lb.ContainerPort.Known() {
		return nil
	}
	name := fmt.Sprintf("container %q ", ct.Name.Value)
	for _, pm := range ct.PortMappings {
		cp := pm.ContainerPort
		switch {
		case cp.Known() && cp.Value == lb.ContainerPort.Value:
			if pm.HostPort.Set && pm.HostPort.Unresolved != "" && lb.TargetGroup != nil {
				return []unresolvedValue{{field: name + "portMappings.hostPort", why: pm.HostPort.Unresolved, pos: pm.HostPort.Pos}}
			}
			return nil
		case cp.Set && cp.Unresolved != "":
			out = append(out, unresolvedValue{field: name + "portMappings.containerPort", why: cp.Unresolved, pos: cp.Pos})
		}
	}
	return out
}
