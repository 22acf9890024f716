package verify

import (
	"fmt"
	"strings"

	"github.com/imgcheck/imgcheck/taskdef"
)

// targetGroupRules check each load balancer target group the template
// defines against the network mode of the task and the port the target
// will be registered with.
func (c *checker) targetGroupRules() {
	f := c.facts
	for _, lb := range f.svc.LoadBalancers {
		tg := lb.TargetGroup
		if tg == nil {
			continue // not in the template: nothing to check it against
		}
		nm, ok := effectiveNetworkMode(f)
		if !ok {
			continue
		}
		c.targetTypeRule(tg, nm)
		if nm == "bridge" {
			c.healthCheckPortRule(lb, tg)
		}
	}
}

// effectiveNetworkMode is the task's network mode, with ECS's default for
// a task that sets none (bridge on Linux, default on Windows). ok is false
// when it is not worth judging: unknown, or unset on Fargate, which the
// Fargate rules report.
func effectiveNetworkMode(f *taskFacts) (string, bool) {
	nm := f.td.NetworkMode
	switch {
	case nm.Known():
		return strings.ToLower(nm.Value), true
	case nm.Set, f.launch.has(launchFargate):
		return "", false
	case f.windows:
		return "default", true
	}
	return "bridge", true
}

// targetTypeRule: ECS registers an awsvpc task by its IP address and any
// other task by its container instance, and checks the target group's
// target type when the service is created.
func (c *checker) targetTypeRule(tg *taskdef.TargetGroup, nm string) {
	tt, at := "instance", tg.Pos // CloudFormation's default
	if tg.TargetType.Set {
		if !tg.TargetType.Known() {
			return
		}
		tt, at = strings.ToLower(tg.TargetType.Value), tg.TargetType.Pos
	}
	want := "instance"
	if nm == "awsvpc" {
		want = "ip"
	}
	if tt == want || nm == "none" {
		return
	}
	msg := fmt.Sprintf("target group %s has target type %s, which ECS cannot register tasks of networkMode %s with: ECS refuses the service with \"The provided target group ... has target type %s, which is incompatible with the %s network mode specified in the task definition.\"", tg.Resource, tt, nm, tt, nm)
	if tt != "ip" && tt != "instance" {
		msg = fmt.Sprintf("target group %s has target type %s; ECS services register tasks only with target type ip (awsvpc) or instance", tg.Resource, tt)
	}
	c.add("IC411", Finding{
		Message:  msg,
		Evidence: fmt.Sprintf("networkMode %s; TargetType %s at %s", nm, tt, at),
		Fix:      fmt.Sprintf("set the target group's TargetType to %s", want),
		Location: loc(at)})
}

// healthCheckPortRule: in bridge mode a port mapping without hostPort gets
// a dynamic host port, which the target is registered with. A health check
// on a fixed port then probes a port the container does not listen on, so
// the target never turns healthy and ECS keeps replacing the task.
func (c *checker) healthCheckPortRule(lb taskdef.LoadBalancer, tg *taskdef.TargetGroup) {
	hp := tg.HealthCheckPort
	if !hp.Known() || strings.EqualFold(hp.Value, "traffic-port") || !lb.ContainerName.Known() || !lb.ContainerPort.Known() {
		return
	}
	ct, ok := containerNamed(c.facts.td, lb.ContainerName.Value)
	if !ok {
		return
	}
	for _, pm := range ct.PortMappings {
		if !pm.ContainerPort.Known() || pm.ContainerPort.Value != lb.ContainerPort.Value {
			continue
		}
		if pm.HostPort.Set && (!pm.HostPort.Known() || pm.HostPort.Value != 0) {
			return // a fixed host port
		}
		c.add("IC410", Finding{Container: ct.Name.Value,
			Message: fmt.Sprintf("container %q port %d gets a dynamic host port (bridge mode, no hostPort), but target group %s health-checks port %s: the target never becomes healthy and ECS keeps replacing the task (service event: \"is unhealthy in target-group ... due to (reason Health checks failed)\")",
				ct.Name.Value, pm.ContainerPort.Value, tg.Resource, hp.Value),
			Evidence: fmt.Sprintf("port mapping at %s; HealthCheckPort %s at %s", pm.Pos, hp.Value, hp.Pos),
			Fix:      "remove HealthCheckPort (the default, traffic-port, probes the port the target is registered with), or give the port mapping a fixed hostPort",
			Location: loc(hp.Pos)})
		return
	}
}
