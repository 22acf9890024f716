package verify

import (
	"fmt"
	"strings"

	"github.com/imgcheck/imgcheck/taskdef"
)

// unresolvedValue is a task or service value that a rule reads and that is
// still a CloudFormation expression or template placeholder.
type unresolvedValue struct {
	field string
	why   string
	pos   taskdef.Pos
}

func (u unresolvedValue) message() string {
	return fmt.Sprintf("%s is not known (%s) at %s; give the parameters it depends on a value, or render the template, before verifying", u.field, u.why, u.pos)
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
			out = append(out, unresolvedValue{field, s.Unresolved, s.Pos})
		}
	}
	num := func(field string, i taskdef.Int) {
		if i.Set && i.Unresolved != "" {
			out = append(out, unresolvedValue{field, i.Unresolved, i.Pos})
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
	}
	awsvpc := strings.EqualFold(td.NetworkMode.Value, "awsvpc")
	for _, c := range td.Containers {
		name := fmt.Sprintf("container %q ", c.Name.Value)
		if c.Essential.Set && c.Essential.Unresolved != "" {
			out = append(out, unresolvedValue{name + "essential", c.Essential.Unresolved, c.Essential.Pos})
		}
		if awsvpc {
			for _, pm := range c.PortMappings {
				num(name+"portMappings.hostPort", pm.HostPort)
				num(name+"portMappings.containerPort", pm.ContainerPort)
			}
		}
		if lc := c.LogConfiguration; lc != nil {
			str(name+"logConfiguration.logDriver", lc.LogDriver)
		}
		if kc := c.Capabilities; kc != nil && f.fargate {
			// The Fargate rule (IC315) reads what add names.
			if kc.Unresolved != "" {
				out = append(out, unresolvedValue{name + "linuxParameters.capabilities", kc.Unresolved, kc.Pos})
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
		}
	}
	return out
}
