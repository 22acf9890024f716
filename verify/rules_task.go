package verify

import (
	"fmt"
	"strings"

	"github.com/imgcheck/imgcheck/registry"
	"github.com/imgcheck/imgcheck/taskdef"
)

// taskLevelFindings runs the rule families that need no image (task,
// fargate, service) once per task definition.
func taskLevelFindings(f *taskFacts) []Finding {
	c := &checker{facts: f}
	c.taskRules()
	c.fargateRules()
	c.serviceRules()
	return c.findings
}

// taskRules checks the task definition on its own, without any image.
func (c *checker) taskRules() {
	td := c.facts.td
	c.essentialRule()
	for _, ct := range td.Containers {
		c.tagRule(ct)
		c.portRules(ct)
		c.executionRoleRules(ct)
		c.misplacedRuntimePlatformRule(ct)
		c.awslogsOptionsRule(ct)
	}
	c.readOnlyFieldsRule()
}

func (c *checker) misplacedRuntimePlatformRule(ct taskdef.Container) {
	if !ct.RuntimePlatformMisplaced.IsValid() {
		return
	}
	c.add("IC311", Finding{Container: ct.Name.Value,
		Message:  fmt.Sprintf("container %q has a runtimePlatform key, which ECS ignores inside a container definition", ct.Name.Value),
		Evidence: "runtimePlatform at " + ct.RuntimePlatformMisplaced.String(),
		Fix:      "move runtimePlatform to the top level of the task definition",
		Location: loc(ct.RuntimePlatformMisplaced)})
}

func (c *checker) readOnlyFieldsRule() {
	td := c.facts.td
	if len(td.ReadOnlyFields) == 0 {
		return
	}
	var names []string
	for _, fld := range td.ReadOnlyFields {
		names = append(names, fld.Name)
	}
	c.add("IC312", Finding{
		Message:  "the file is describe-task-definition output: register-task-definition rejects " + strings.Join(names, ", "),
		Evidence: fmt.Sprintf("%d read-only field(s), first at %s", len(names), td.ReadOnlyFields[0].Pos),
		Fix:      "register the file written by imgcheck verify --pin-out, which drops them",
		Location: loc(td.ReadOnlyFields[0].Pos)})
}

func (c *checker) essentialRule() {
	td := c.facts.td
	for _, ct := range td.Containers {
		if ct.Essential.Value || ct.Essential.Unresolved != "" {
			return
		}
	}
	if len(td.Containers) == 0 {
		return // the loader already refuses a task with no containers
	}
	c.add("IC307", Finding{
		Message:  "no container is essential: ECS requires at least one",
		Evidence: fmt.Sprintf("%d container(s), all with essential=false", len(td.Containers)),
		Fix:      "set \"essential\": true on the main container (true is the default when the key is absent)",
		Location: loc(td.Containers[0].Essential.Pos)})
}

func (c *checker) portRules(ct taskdef.Container) {
	if !strings.EqualFold(c.facts.td.NetworkMode.Value, "awsvpc") {
		return
	}
	for _, pm := range ct.PortMappings {
		if !pm.HostPort.Known() || !pm.ContainerPort.Known() || pm.HostPort.Value == 0 || pm.HostPort.Value == pm.ContainerPort.Value {
			continue
		}
		c.add("IC304", Finding{Container: ct.Name.Value,
			Message:  fmt.Sprintf("port mapping of %q: hostPort %d differs from containerPort %d, which awsvpc does not allow", ct.Name.Value, pm.HostPort.Value, pm.ContainerPort.Value),
			Evidence: "networkMode awsvpc",
			Fix:      fmt.Sprintf("remove hostPort or set it to %d", pm.ContainerPort.Value),
			Location: loc(pm.HostPort.Pos)})
	}
}

func (c *checker) executionRoleRules(ct taskdef.Container) {
	if !c.facts.fargate || c.facts.td.ExecutionRoleArn.Set {
		return
	}
	if ct.Image.Known() && isPrivateECR(ct.Image.Value) {
		c.add("IC305", Finding{Container: ct.Name.Value,
			Message:  fmt.Sprintf("container %q pulls a private ECR image on Fargate but the task has no executionRoleArn", ct.Name.Value),
			Evidence: "image " + ct.Image.Value,
			Fix:      "add an executionRoleArn whose role has the AmazonECSTaskExecutionRolePolicy",
			Location: loc(ct.Image.Pos)})
	}
	if lc := ct.LogConfiguration; lc != nil && strings.EqualFold(lc.LogDriver.Value, "awslogs") {
		c.add("IC306", Finding{Container: ct.Name.Value,
			Message:  fmt.Sprintf("container %q logs with awslogs on Fargate but the task has no executionRoleArn", ct.Name.Value),
			Evidence: "logDriver awslogs",
			Fix:      "add an executionRoleArn allowed to logs:CreateLogStream and logs:PutLogEvents",
			Location: loc(lc.LogDriver.Pos)})
	}
}

// isPrivateECR reports whether an image reference names an ECR private registry.
func isPrivateECR(ref string) bool {
	host, _, _ := strings.Cut(ref, "/")
	_, ok := registry.ParseECRHost(host)
	return ok
}

// tagRule notes a task definition image referenced by tag rather than
// digest: what deploys is whatever the tag points at then.
func (c *checker) tagRule(ct taskdef.Container) {
	ref := ct.Image.Value
	if !ct.Image.Known() || strings.Contains(ref, "@sha256:") {
		return
	}
	c.add("IC313", Finding{Container: ct.Name.Value,
		Message:  fmt.Sprintf("the task definition references image %s by tag; the tag can move after verification", ref),
		Fix:      "use imgcheck verify --pin-out to write a task definition that references the verified digest",
		Location: loc(ct.Image.Pos)})
}

// awslogsOptionsRule checks the options the awslogs driver cannot start
// without: awslogs-group everywhere, and awslogs-region where there is no
// instance metadata to take the region from (Fargate, EXTERNAL).
func (c *checker) awslogsOptionsRule(ct taskdef.Container) {
	lc := ct.LogConfiguration
	if lc == nil || !lc.LogDriver.Known() || lc.LogDriver.Value != "awslogs" || lc.OptionsUnknown.Set {
		return
	}
	l := c.facts.launch
	var missing []string
	if _, ok := lc.Options["awslogs-group"]; !ok {
		missing = append(missing, "awslogs-group")
	}
	_, hasRegion := lc.Options["awslogs-region"]
	var regionOn []string
	for _, lt := range []string{launchFargate, launchExternal} {
		if l.has(lt) {
			regionOn = append(regionOn, lt)
		}
	}
	if !hasRegion && len(regionOn) > 0 {
		missing = append(missing, "awslogs-region")
	}
	if len(missing) == 0 {
		return
	}
	why := "the awslogs driver needs the log group"
	if len(regionOn) > 0 {
		why = fmt.Sprintf("the awslogs driver needs the log group, and on %s the region (there is no instance metadata to read it from)", strings.Join(regionOn, " and "))
	}
	c.add("IC319", Finding{Container: ct.Name.Value,
		Message:  fmt.Sprintf("container %q logs with awslogs without %s: %s, so the container fails to start", ct.Name.Value, strings.Join(missing, " and "), why),
		Evidence: fmt.Sprintf("logConfiguration at %s, launch types %s from %s", lc.Pos, strings.Join(l.types, ", "), l.from),
		Fix:      fmt.Sprintf("add %s to logConfiguration.options", strings.Join(missing, " and ")),
		Location: loc(lc.LogDriver.Pos)})
}
