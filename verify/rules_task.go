package verify

import (
	"fmt"
	"strings"

	"github.com/imgcheck/imgcheck/registry"
	"github.com/imgcheck/imgcheck/taskdef"
)

// taskRules checks the task definition on its own, without any image.
func taskRules(f taskFacts) []Finding {
	var out []Finding
	td := f.td
	out = append(out, essentialRule(td)...)
	for _, c := range td.Containers {
		out = append(out, tagRule(c)...)
		out = append(out, portRules(td, c)...)
		out = append(out, executionRoleRules(f, c)...)
		if c.RuntimePlatformMisplaced.IsValid() {
			out = append(out, Finding{RuleID: "IC311", Severity: Warning, Container: c.Name.Value,
				Message:  fmt.Sprintf("container %q has a runtimePlatform key, which ECS ignores inside a container definition", c.Name.Value),
				Evidence: "runtimePlatform at " + c.RuntimePlatformMisplaced.String(),
				Fix:      "move runtimePlatform to the top level of the task definition",
				Location: loc(c.RuntimePlatformMisplaced)})
		}
	}
	if len(td.ReadOnlyFields) > 0 {
		var names []string
		for _, fld := range td.ReadOnlyFields {
			names = append(names, fld.Name)
		}
		out = append(out, Finding{RuleID: "IC312", Severity: Warning,
			Message:  "the file is describe-task-definition output: register-task-definition rejects " + strings.Join(names, ", "),
			Evidence: fmt.Sprintf("%d read-only field(s), first at %s", len(names), td.ReadOnlyFields[0].Pos),
			Fix:      "register the file written by imgcheck verify --pin-out, which drops them",
			Location: loc(td.ReadOnlyFields[0].Pos)})
	}
	return out
}

func essentialRule(td *taskdef.TaskDefinition) []Finding {
	for _, c := range td.Containers {
		if c.Essential.Value || c.Essential.Unresolved != "" {
			return nil
		}
	}
	if len(td.Containers) == 0 {
		return nil // the loader already refuses a task with no containers
	}
	return []Finding{{RuleID: "IC307", Severity: Error,
		Message:  "no container is essential: ECS requires at least one",
		Evidence: fmt.Sprintf("%d container(s), all with essential=false", len(td.Containers)),
		Fix:      "set \"essential\": true on the main container (true is the default when the key is absent)",
		Location: loc(td.Containers[0].Essential.Pos)}}
}

func portRules(td *taskdef.TaskDefinition, c taskdef.Container) []Finding {
	if !strings.EqualFold(td.NetworkMode.Value, "awsvpc") {
		return nil
	}
	var out []Finding
	for _, pm := range c.PortMappings {
		if !pm.HostPort.Known() || !pm.ContainerPort.Known() || pm.HostPort.Value == 0 || pm.HostPort.Value == pm.ContainerPort.Value {
			continue
		}
		out = append(out, Finding{RuleID: "IC304", Severity: Error, Container: c.Name.Value,
			Message:  fmt.Sprintf("port mapping of %q: hostPort %d differs from containerPort %d, which awsvpc does not allow", c.Name.Value, pm.HostPort.Value, pm.ContainerPort.Value),
			Evidence: "networkMode awsvpc",
			Fix:      fmt.Sprintf("remove hostPort or set it to %d", pm.ContainerPort.Value),
			Location: loc(pm.HostPort.Pos)})
	}
	return out
}

func executionRoleRules(f taskFacts, c taskdef.Container) []Finding {
	if !f.fargate || f.td.ExecutionRoleArn.Set {
		return nil
	}
	var out []Finding
	if c.Image.Known() && isPrivateECR(c.Image.Value) {
		out = append(out, Finding{RuleID: "IC305", Severity: Error, Container: c.Name.Value,
			Message:  fmt.Sprintf("container %q pulls a private ECR image on Fargate but the task has no executionRoleArn", c.Name.Value),
			Evidence: "image " + c.Image.Value,
			Fix:      "add an executionRoleArn whose role has the AmazonECSTaskExecutionRolePolicy",
			Location: loc(c.Image.Pos)})
	}
	if lc := c.LogConfiguration; lc != nil && strings.EqualFold(lc.LogDriver.Value, "awslogs") {
		out = append(out, Finding{RuleID: "IC306", Severity: Error, Container: c.Name.Value,
			Message:  fmt.Sprintf("container %q logs with awslogs on Fargate but the task has no executionRoleArn", c.Name.Value),
			Evidence: "logDriver awslogs",
			Fix:      "add an executionRoleArn allowed to logs:CreateLogStream and logs:PutLogEvents",
			Location: loc(lc.LogDriver.Pos)})
	}
	return out
}

// isPrivateECR reports whether an image reference names an ECR private registry.
func isPrivateECR(ref string) bool {
	host, _, _ := strings.Cut(ref, "/")
	_, ok := registry.ParseECRHost(host)
	return ok
}

// tagRule notes a task definition image referenced by tag rather than
// digest: what deploys is whatever the tag points at then.
func tagRule(c taskdef.Container) []Finding {
	ref := c.Image.Value
	if !c.Image.Known() || strings.Contains(ref, "@sha256:") {
		return nil
	}
	return []Finding{{RuleID: "IC313", Severity: Info, Container: c.Name.Value,
		Message:  fmt.Sprintf("the task definition references image %s by tag; the tag can move after verification", ref),
		Fix:      "use imgcheck verify --pin-out to write a task definition that references the verified digest",
		Location: loc(c.Image.Pos)}}
}
