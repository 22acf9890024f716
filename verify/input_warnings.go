package verify

import (
	"fmt"

	"github.com/imgcheck/imgcheck/taskdef"
)

// FamilyInput is the family of the findings about the input files
// themselves: what the task-definition loader warns about, and
// suppression requests that name no rule.
const FamilyInput = "input"

// ruleUnknownIgnore is the ID of a suppression request naming no rule.
const ruleUnknownIgnore = "unknown-ignored-rule"

// inputRules describe the input findings. Their IDs are the loader's
// warning codes (taskdef.Warn*): they are warnings, so they fail a run
// only at --fail-on warning or info, like any warning.
var inputRules = []Rule{
	{taskdef.WarnEnumCase, FamilyInput, Warning, "Enum value in the wrong case",
		"ECS expects enum values such as cpuArchitecture in upper case (\"ARM64\", not \"arm64\"); some APIs reject the other spelling. Write the value as the message says."},
	{taskdef.WarnDuplicateContainerName, FamilyInput, Warning, "Duplicate container name",
		"Two container definitions share a name; ECS rejects the task definition. Rename one."},
	{taskdef.WarnCloudFormationKeyCase, FamilyInput, Warning, "CloudFormation property in API case",
		"CloudFormation documents ECS properties in PascalCase (ContainerDefinitions); other spellings depend on lenient parsing. Use the documented name."},
	{taskdef.WarnEmptyValue, FamilyInput, Warning, "Empty value treated as not set",
		"An empty string (as generated skeletons leave) is treated as if the key were absent. Set a value or remove the key."},
	{ruleUnknownIgnore, FamilyInput, Warning, "Suppression names no rule",
		"An imgcheck.ignore request names an ID that is no imgcheck rule, so it suppresses nothing. Fix the ID (docs/rules.md)."},
}

// inputWarnings turns the loader's warnings about the task definition and
// the service, and suppression requests that name no rule, into findings.
// runtime-platform-in-container is left out: IC311 reports it.
func inputWarnings(in Input) []Finding {
	var diags []taskdef.Diagnostic
	if in.TaskDef != nil {
		diags = append(diags, in.TaskDef.Warnings...)
	}
	if in.Service != nil {
		diags = append(diags, in.Service.Warnings...)
	}
	var out []Finding
	for _, d := range diags {
		if d.Code == taskdef.WarnRuntimePlatformInContainer {
			continue
		}
		if _, ok := describeRule(d.Code); !ok {
			continue // a code this version does not describe
		}
		msg := d.Message
		if d.Key != "" {
			msg = d.Key + ": " + msg
		}
		out = append(out, newFinding(d.Code, Finding{Message: msg, Location: loc(d.Pos)}))
	}
	for _, ig := range ignoreRequests(in) {
		for _, id := range ig.req.Rules {
			if _, ok := describeRule(id); ok {
				continue
			}
			out = append(out, newFinding(ruleUnknownIgnore, Finding{Container: ig.container,
				Message:  fmt.Sprintf("%s names %q, which is no imgcheck rule; it suppresses nothing", ig.req.Key, id),
				Location: loc(ig.req.Pos)}))
		}
	}
	return out
}

type ignoreRequest struct {
	container string
	req       *taskdef.Ignore
}

// ignoreRequests lists the suppression requests written in the input.
func ignoreRequests(in Input) []ignoreRequest {
	var out []ignoreRequest
	if td := in.TaskDef; td != nil {
		if td.Ignore != nil {
			out = append(out, ignoreRequest{req: td.Ignore})
		}
		for _, c := range td.Containers {
			if c.Ignore != nil {
				out = append(out, ignoreRequest{container: c.Name.Value, req: c.Ignore})
			}
		}
	}
	if in.Service != nil && in.Service.Ignore != nil {
		out = append(out, ignoreRequest{req: in.Service.Ignore})
	}
	return out
}
