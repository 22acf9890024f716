package verify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/imgcheck/imgcheck/taskdef"
)

// launchTypeRules checks that the task definition supports every launch
// type the service places tasks with (IC405), and says when it relies on
// ECS finding that out by itself (IC406).
func (c *checker) launchTypeRules() {
	f := c.facts
	td, l := f.td, f.launch
	compat, compatKnown := describedCompatibilities(td)
	for _, lt := range l.types {
		switch {
		case compatKnown:
			if !slices.Contains(compat, lt) {
				c.unsupportedLaunchType(lt, "compatibilities (what ECS validated at registration) are "+strings.Join(compat, ", "),
					fmt.Sprintf("register the task definition with %s in requiresCompatibilities (and what %s needs), or launch it with one of %s", lt, lt, strings.Join(compat, ", ")))
			}
		case declares(td, lt):
			// Validated for lt at registration; the Fargate rules report
			// what registration refuses.
		case lt == launchFargate:
			bs := fargateBreaches(td)
			if len(bs) == 0 {
				c.undeclaredLaunchType(lt)
				continue
			}
			var whats, fixes []string
			for _, b := range bs {
				whats = append(whats, fmt.Sprintf("%s (%s, ECS: %q)", b.what, b.pos, b.ecs))
				fixes = append(fixes, b.fix)
			}
			c.unsupportedLaunchType(lt, strings.Join(whats, "; "),
				"add FARGATE to requiresCompatibilities and "+strings.Join(fixes, ", "))
		case lt == launchEC2:
			// EC2 is what a task without requiresCompatibilities is
			// validated for. IC401 already reports a strategy's Auto
			// Scaling group provider for a FARGATE-only task.
			if len(td.RequiresCompatibilities) > 0 && !(l.byProvider && !l.cluster && fargateOnly(td)) {
				c.undeclaredLaunchType(lt)
			}
		case lt == launchExternal:
			c.undeclaredLaunchType(lt)
		}
	}
}

// fargateOnly reports whether requiresCompatibilities lists FARGATE alone.
func fargateOnly(td *taskdef.TaskDefinition) bool {
	return len(td.RequiresCompatibilities) > 0 && !slices.ContainsFunc(td.RequiresCompatibilities, func(s taskdef.String) bool {
		return !strings.EqualFold(s.Value, launchFargate)
	})
}

// describedCompatibilities returns the compatibilities of describe output,
// when the file has them all known.
func describedCompatibilities(td *taskdef.TaskDefinition) ([]string, bool) {
	if len(td.Compatibilities) == 0 {
		return nil, false
	}
	var out []string
	for _, c := range td.Compatibilities {
		if !c.Known() {
			return nil, false
		}
		out = append(out, strings.ToUpper(c.Value))
	}
	return out, true
}

func (c *checker) unsupportedLaunchType(lt, why, fix string) {
	l := c.facts.launch
	c.add("IC405", Finding{
		Message:  fmt.Sprintf("the service places its tasks with %s but the task definition does not support it: ECS refuses the service with \"Task definition does not support launch_type %s.\"", lt, lt),
		Evidence: fmt.Sprintf("%s, from %s; %s", lt, l.from, why),
		Fix:      fix,
		Location: loc(l.pos)})
}

func (c *checker) undeclaredLaunchType(lt string) {
	l := c.facts.launch
	if l.assumed {
		return // a guess; launchAssumptionProblems says what it would change
	}
	req := make([]string, 0, len(c.facts.td.RequiresCompatibilities))
	for _, s := range c.facts.td.RequiresCompatibilities {
		req = append(req, s.Value)
	}
	c.add("IC406", Finding{
		Message:  fmt.Sprintf("the service places its tasks with %s but requiresCompatibilities does not list it: ECS did not validate the task definition for %s at registration, and refuses the service (\"Task definition does not support launch_type %s.\") unless it found the task compatible by itself", lt, lt, lt),
		Evidence: fmt.Sprintf("%s, from %s; requiresCompatibilities [%s]", lt, l.from, strings.Join(req, ", ")),
		Fix:      fmt.Sprintf("add %s to requiresCompatibilities so that registration checks the task for it", lt),
		Location: loc(l.pos)})
}

// networkConfigurationRule: an awsvpc task needs the service to say which
// subnets its network interfaces go in.
func (c *checker) networkConfigurationRule() {
	f := c.facts
	nm := f.td.NetworkMode
	if !nm.Known() || !strings.EqualFold(nm.Value, "awsvpc") || f.svc.NetworkConfiguration != nil {
		return
	}
	c.add("IC407", Finding{
		Message:  "the task uses networkMode awsvpc but the service has no networkConfiguration: ECS refuses the service with \"Network Configuration must be provided when networkMode 'awsvpc' is specified.\"",
		Evidence: "networkMode awsvpc at " + nm.Pos.String(),
		Fix:      "add networkConfiguration.awsvpcConfiguration with the subnets (and security groups) of the tasks",
		Location: loc(f.svc.Pos)})
}

// servicePlacementRule: Fargate places tasks itself.
func (c *checker) servicePlacementRule() {
	f := c.facts
	if !f.launch.has(launchFargate) {
		return
	}
	i := slices.IndexFunc(f.svc.PlacementConstraints, func(p taskdef.PlacementConstraint) bool { return p.Type.Known() })
	if i < 0 {
		return
	}
	c.add("IC408", Finding{
		Message:  "the service has placementConstraints and places its tasks with FARGATE: ECS refuses the service with \"Placement constraints are not supported with FARGATE launch type.\"",
		Evidence: "FARGATE from " + f.launch.from,
		Fix:      "remove the service's placementConstraints",
		Location: loc(f.svc.PlacementConstraints[i].Pos)})
}

// daemonRules: the DAEMON scheduler puts one task on every container
// instance, so it needs instances of its own and the ECS deployment
// controller.
func (c *checker) daemonRules() {
	l := c.facts.launch
	if !l.daemon {
		return
	}
	evidence := "schedulingStrategy DAEMON at " + l.daemonPos.String()
	switch {
	case l.byProvider:
		fix := "replace the capacityProviderStrategy with launchType EC2 (or EXTERNAL)"
		if l.cluster {
			fix = "set launchType EC2 (or EXTERNAL) on the DAEMON service; it then does not use the cluster's default strategy"
		}
		c.add("IC409", Finding{
			Message:  fmt.Sprintf("the DAEMON service places its tasks by a capacity provider strategy (%s): ECS refuses it with \"Specifying a capacity provider strategy is not supported when you create a service using the DAEMON scheduling strategy.\"", l.from),
			Evidence: evidence,
			Fix:      fix,
			Location: loc(l.pos)})
	case l.has(launchFargate):
		c.add("IC409", Finding{
			Message:  "the DAEMON service launches with FARGATE, which has no container instances to run one task on each: \"Tasks using the Fargate launch type ... don't support the daemon scheduling strategy.\"",
			Evidence: evidence,
			Fix:      "use the REPLICA scheduling strategy on Fargate, or launch type EC2 for a daemon",
			Location: loc(l.pos)})
	}
	if l.controller == "CODE_DEPLOY" || l.controller == "EXTERNAL" {
		c.add("IC409", Finding{
			Message:  fmt.Sprintf("the DAEMON service uses the %s deployment controller: \"Tasks using ... the CODE_DEPLOY or EXTERNAL deployment controller types don't support the daemon scheduling strategy.\"", l.controller),
			Evidence: evidence,
			Fix:      "use the ECS deployment controller (rolling update) for a DAEMON service",
			Location: loc(l.controllerPos)})
	}
}
