package verify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/imgcheck/imgcheck/taskdef"
)

// fargateRules checks the task's size and platform against what Fargate runs.
func (c *checker) fargateRules() {
	f := c.facts
	if !f.fargate {
		return
	}
	td := f.td
	c.fargateRegistrationRules()
	if td.CPU.Known() && td.Memory.Known() {
		if err := taskdef.ValidFargateSize(td.CPU.Value, td.Memory.Value, f.platformVersion); err != nil {
			c.add("IC301", Finding{
				Message:  fmt.Sprintf("cpu %s with memory %s is not a Fargate size: %v", td.CPU.Raw, td.Memory.Raw, err),
				Evidence: fmt.Sprintf("cpu=%d units, memory=%d MiB", td.CPU.Value, td.Memory.Value),
				Fix:      "pick a valid pair, for example cpu 256 with memory 512, 1024 or 2048 (docs/taskdef.md lists them)",
				Location: loc(td.CPU.Pos)})
		}
		if f.windows {
			if err := taskdef.ValidFargateWindows(td.RuntimePlatform, td.CPU.Value, td.Memory.Value); err != nil {
				c.add("IC302", Finding{
					Message:  fmt.Sprintf("Windows task on Fargate: %v", err),
					Evidence: fmt.Sprintf("operatingSystemFamily %s, cpu=%d, memory=%d", f.osFamily, td.CPU.Value, td.Memory.Value),
					Fix:      "use at least cpu 1024 and memory 2048 for Windows on Fargate",
					Location: loc(td.RuntimePlatform.Pos)})
			}
		}
	}
	if f.arch == "ARM64" && f.platformVersion != "" && taskdef.PlatformVersionBefore(f.platformVersion, taskdef.MinARM64Platform) {
		c.add("IC303", Finding{
			Message:  fmt.Sprintf("ARM64 tasks need Fargate platform version 1.4.0, the service asks for %s", f.platformVersion),
			Evidence: "runtimePlatform.cpuArchitecture ARM64",
			Fix:      "set the service's platformVersion to 1.4.0 or LATEST",
			Location: loc(f.svc.PlatformVersion.Pos)})
	}
	c.fargateCapabilityRule()
}

// serviceRules checks a service against the task definition.
func (c *checker) serviceRules() {
	f := c.facts
	svc := f.svc
	if svc == nil {
		return
	}
	for _, p := range taskdef.ValidateStrategy(svc.CapacityProviderStrategy, taskdef.StrategyContextFor(svc, f.td)) {
		id := "IC401"
		switch {
		case p.Code == "spot-windows":
			id = "IC402"
		case p.Code == "spot-platform" && f.arch == "ARM64":
			id = "IC403"
		}
		c.add(id, Finding{Message: p.Message,
			Evidence: "capacityProviderStrategy (" + p.Code + ")", Fix: "see imgcheck plan --service for the rules",
			Location: loc(p.Pos)})
	}
	c.launchTypeRules()
	c.networkConfigurationRule()
	c.servicePlacementRule()
	c.daemonRules()
	c.targetGroupRules()
	for _, lb := range svc.LoadBalancers {
		if !lb.ContainerName.Known() {
			continue
		}
		ct, ok := containerNamed(f.td, lb.ContainerName.Value)
		if !ok {
			c.add("IC404", Finding{
				Message:  fmt.Sprintf("load balancer names container %q, which the task definition does not have", lb.ContainerName.Value),
				Evidence: "containers: " + strings.Join(containerNames(f.td), ", "),
				Fix:      "use one of the task definition's container names",
				Location: loc(lb.ContainerName.Pos)})
			continue
		}
		if lb.ContainerPort.Known() && !hasContainerPort(ct, lb.ContainerPort.Value) {
			c.add("IC404", Finding{
				Message:  fmt.Sprintf("load balancer sends to port %d of %q, which has no such containerPort", lb.ContainerPort.Value, lb.ContainerName.Value),
				Evidence: "portMappings: " + portList(ct),
				Fix:      "add a portMapping for that port or fix the service's containerPort",
				Location: loc(lb.ContainerPort.Pos)})
		}
	}
}

func containerNamed(td *taskdef.TaskDefinition, name string) (taskdef.Container, bool) {
	i := slices.IndexFunc(td.Containers, func(c taskdef.Container) bool { return c.Name.Known() && c.Name.Value == name })
	if i < 0 {
		return taskdef.Container{}, false
	}
	return td.Containers[i], true
}

func containerNames(td *taskdef.TaskDefinition) []string {
	var out []string
	for _, c := range td.Containers {
		out = append(out, c.Name.Value)
	}
	return out
}

func hasContainerPort(c taskdef.Container, port int) bool {
	return slices.ContainsFunc(c.PortMappings, func(pm taskdef.PortMapping) bool { return pm.ContainerPort.Value == port })
}

func portList(c taskdef.Container) string {
	if len(c.PortMappings) == 0 {
		return "none"
	}
	var out []string
	for _, pm := range c.PortMappings {
		out = append(out, fmt.Sprint(pm.ContainerPort.Value))
	}
	return strings.Join(out, ", ")
}
