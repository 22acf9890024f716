package verify

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/imgcheck/imgcheck/online"
	"github.com/imgcheck/imgcheck/taskdef"
)

// targetGroupRules: each target group of the service exists, is attached
// to a load balancer, and can take the container's tasks.
func (c *onlineChecker) targetGroupRules() {
	svc := c.facts.svc
	if svc == nil {
		return
	}
	for _, lb := range svc.LoadBalancers {
		arn := lb.TargetGroupArn
		if !arn.Set || arn.Value == "" || lb.TargetGroupResource != "" {
			continue // a Classic Load Balancer, or the template's own target group (IC410, IC411)
		}
		what := "target group " + arn.Value
		if arn.Unresolved != "" {
			c.unknown(lb.ContainerName.Value, what, arn)
			continue
		}
		region, err := online.TargetGroupRegion(arn.Value)
		if err != nil {
			c.cannot(lb.ContainerName.Value, what, "", err)
			continue
		}
		if c.aws.ELB == nil {
			c.cannot(lb.ContainerName.Value, what, "", errNoClient)
			continue
		}
		tg, err := c.aws.ELB.DescribeTargetGroup(c.ctx, region, arn.Value)
		switch {
		case errors.Is(err, online.ErrNotFound):
			c.add("IC506", Finding{Container: lb.ContainerName.Value,
				Message:  fmt.Sprintf("the service's target group %s does not exist: creating or updating the service fails", arn.Value),
				Evidence: "elasticloadbalancing:DescribeTargetGroups: " + err.Error(),
				Fix:      "create the target group, or fix targetGroupArn",
				Location: loc(arn.Pos)})
			continue
		case err != nil:
			c.cannot(lb.ContainerName.Value, what, "elasticloadbalancing:DescribeTargetGroups", err)
			continue
		}
		c.targetGroupFits(lb, tg)
	}
}

func (c *onlineChecker) targetGroupFits(lb taskdef.LoadBalancer, tg online.TargetGroup) {
	container := lb.ContainerName.Value
	at := loc(lb.TargetGroupArn.Pos)
	if len(tg.LoadBalancers) == 0 {
		c.add("IC507", Finding{Container: container,
			Message:  fmt.Sprintf("target group %s is not attached to a load balancer: creating the service fails", tg.Name),
			Evidence: "DescribeTargetGroups: LoadBalancerArns is empty",
			Fix:      "add a listener (or listener rule) that forwards to the target group",
			Location: at})
	}
	mode := c.networkMode()
	want := "instance"
	if mode == "awsvpc" {
		want = "ip"
	}
	if !strings.EqualFold(tg.TargetType, want) {
		c.add("IC508", Finding{Container: container,
			Message:  fmt.Sprintf("target group %s has target type %s, which network mode %s cannot use (it needs %s): creating the service fails", tg.Name, tg.TargetType, mode, want),
			Evidence: fmt.Sprintf("TargetType=%s, networkMode=%s", tg.TargetType, mode),
			Fix:      fmt.Sprintf("use a target group of target type %s", want),
			Location: at})
	}
	ct, ok := containerNamed(c.facts.td, container)
	if !ok {
		return // IC404 reports it
	}
	i := slices.IndexFunc(ct.PortMappings, func(pm taskdef.PortMapping) bool { return pm.ContainerPort.Value == lb.ContainerPort.Value })
	if i < 0 {
		return // IC404 reports it
	}
	proto := strings.ToLower(ct.PortMappings[i].Protocol.Value)
	if proto == "" {
		proto = "tcp"
	}
	if p := ct.PortMappings[i].Protocol; p.Unresolved != "" {
		// Read as "" it would be judged as tcp.
		c.unknown(container, fmt.Sprintf("the protocol of port %d of %q for target group %s", lb.ContainerPort.Value, container, tg.Name), p)
	} else if !protocolFits(tg.Protocol, proto) {
		c.add("IC508", Finding{Container: container,
			Message:  fmt.Sprintf("target group %s speaks %s, but port %d of %q is %s: the load balancer cannot reach the container", tg.Name, orNone(tg.Protocol), lb.ContainerPort.Value, container, proto),
			Evidence: fmt.Sprintf("Protocol=%s, portMappings protocol=%s", orNone(tg.Protocol), proto),
			Fix:      "use a target group whose protocol carries the container port's protocol (UDP for udp, TCP, TLS, HTTP or HTTPS for tcp)",
			Location: at})
	}
	c.healthCheckPortRule(lb, tg, mode)
}

// healthCheckPortRule: with awsvpc each task is registered by IP with its
// container port, so a health check sent to another fixed port reaches
// the task only if some container maps it.
func (c *onlineChecker) healthCheckPortRule(lb taskdef.LoadBalancer, tg online.TargetGroup, mode string) {
	port, err := strconv.Atoi(tg.HealthCheckPort)
	if mode != "awsvpc" || err != nil {
		return // traffic-port, or a host port on bridge and host networking
	}
	for _, ct := range c.facts.td.Containers {
		if hasContainerPort(ct, port) {
			return
		}
	}
	c.add("IC509", Finding{Container: lb.ContainerName.Value,
		Message:  fmt.Sprintf("target group %s sends health checks to port %d, which no container of the task maps: every task will be unhealthy", tg.Name, port),
		Evidence: fmt.Sprintf("HealthCheckPort=%d, container ports: %s", port, strings.Join(taskPorts(c.facts.td), ", ")),
		Fix:      "set the health check port to traffic-port, or to a port the task maps",
		Location: loc(lb.TargetGroupArn.Pos)})
}

// networkMode is the task's network mode, with ECS's default when unset.
func (c *onlineChecker) networkMode() string {
	mode := strings.ToLower(c.facts.td.NetworkMode.Value)
	switch {
	case mode != "":
		return mode
	case c.facts.fargate:
		return "awsvpc"
	case c.facts.windows:
		return "default"
	}
	return "bridge"
}

// protocolFits reports whether a target group protocol carries a container
// port's protocol (tcp or udp).
func protocolFits(tgProtocol, portProtocol string) bool {
	switch strings.ToUpper(tgProtocol) {
	case "UDP":
		return portProtocol == "udp"
	case "TCP_UDP":
		return true
	case "TCP", "TLS", "HTTP", "HTTPS":
		return portProtocol == "tcp"
	}
	return false // GENEVE, or none (a Lambda target group)
}

func taskPorts(td *taskdef.TaskDefinition) []string {
	var out []string
	for _, ct := range td.Containers {
		for _, pm := range ct.PortMappings {
			out = append(out, strconv.Itoa(pm.ContainerPort.Value))
		}
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
