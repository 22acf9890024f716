package verify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/imgcheck/imgcheck/taskdef"
)

// fargateLogDrivers are the log drivers Fargate runs.
var fargateLogDrivers = []string{"awslogs", "splunk", "awsfirelens"}

// fargateBreach is a property of a task definition that Fargate does not
// accept. A task that declares FARGATE in requiresCompatibilities is
// refused at registration, and rule id reports it; one that does not is
// registered without FARGATE compatibility, and a service that launches it
// on Fargate is refused instead (IC405, which lists the breaches).
type fargateBreach struct {
	id        string
	container string
	what      string // what is wrong, e.g. "networkMode is bridge"
	ecs       string // how ECS says it, quoted in the message
	fix       string
	pos       taskdef.Pos
}

// fargateBreaches lists what keeps the task off Fargate. Values that are
// not known are skipped: unresolvedTaskInputs stops the run on them first.
func fargateBreaches(td *taskdef.TaskDefinition) []fargateBreach {
	anchor := fargateAnchor(td)
	var out []fargateBreach
	switch nm := td.NetworkMode; {
	case !nm.Set:
		out = append(out, fargateBreach{id: "IC315", what: "networkMode is not set (ECS then uses bridge)",
			ecs: "Fargate only supports network mode 'awsvpc'.", fix: `set "networkMode": "awsvpc"`, pos: anchor})
	case nm.Known() && !strings.EqualFold(nm.Value, "awsvpc"):
		out = append(out, fargateBreach{id: "IC315", what: "networkMode is " + nm.Value,
			ecs: "Fargate only supports network mode 'awsvpc'.", fix: `set "networkMode": "awsvpc"`, pos: nm.Pos})
	}
	if !td.CPU.Set {
		out = append(out, fargateBreach{id: "IC316", what: "the task has no task-level cpu",
			ecs: "Fargate requires that 'cpu' be defined at the task level.", fix: `set task-level "cpu" (for example "256")`, pos: anchor})
	}
	if !td.Memory.Set {
		out = append(out, fargateBreach{id: "IC316", what: "the task has no task-level memory",
			ecs: "Fargate requires that 'memory' be defined at the task level.", fix: `set task-level "memory" (for example "512")`, pos: anchor})
	}
	if i := slices.IndexFunc(td.PlacementConstraints, func(p taskdef.PlacementConstraint) bool { return p.Type.Known() }); i >= 0 {
		out = append(out, fargateBreach{id: "IC317", what: fmt.Sprintf("the task has %d placementConstraints", len(td.PlacementConstraints)),
			ecs: "placementConstraints are not valid in Fargate tasks", fix: "remove placementConstraints (Fargate spreads tasks across Availability Zones itself)",
			pos: td.PlacementConstraints[i].Pos})
	}
	for _, ct := range td.Containers {
		lc := ct.LogConfiguration
		if lc == nil || !lc.LogDriver.Known() || slices.Contains(fargateLogDrivers, lc.LogDriver.Value) {
			continue
		}
		out = append(out, fargateBreach{id: "IC318", container: ct.Name.Value,
			what: fmt.Sprintf("container %q logs with the %s driver", ct.Name.Value, lc.LogDriver.Value),
			ecs:  "For tasks on AWS Fargate, the supported log drivers are awslogs, splunk, and awsfirelens.",
			fix:  "use awslogs, splunk or awsfirelens (FireLens can forward to fluentd, gelf and others)", pos: lc.LogDriver.Pos})
	}
	return out
}

// fargateAnchor is where a finding about a key the task lacks points: the
// FARGATE entry of requiresCompatibilities, else the task definition.
func fargateAnchor(td *taskdef.TaskDefinition) taskdef.Pos {
	for _, c := range td.RequiresCompatibilities {
		if c.Known() && strings.EqualFold(c.Value, launchFargate) {
			return c.Pos
		}
	}
	return td.Pos
}

// fargateRegistrationRules reports the breaches of a task that declares
// FARGATE: ECS validates it for Fargate when it is registered.
func (c *checker) fargateRegistrationRules() {
	td := c.facts.td
	if !declares(td, launchFargate) {
		return
	}
	for _, b := range fargateBreaches(td) {
		c.add(b.id, Finding{Container: b.container,
			Message:  fmt.Sprintf("%s, but requiresCompatibilities lists FARGATE, which ECS refuses: %q", b.what, b.ecs),
			Evidence: "requiresCompatibilities FARGATE at " + fargateAnchor(td).String(),
			Fix:      b.fix,
			Location: loc(b.pos)})
	}
}
