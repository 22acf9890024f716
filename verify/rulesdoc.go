package verify

import (
	"fmt"
	"io"
	"strings"
)

// WriteRulesMarkdown renders the rule table as docs/rules.md.
func WriteRulesMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# imgcheck verify rules\n\n")
	b.WriteString("Generated from `verify/rules.go` (`go test ./verify -run TestRulesAreWellFormedAndDocumented -update`).\n\n")
	b.WriteString("Every finding carries a stable rule ID, a severity, the container and platform, a one-line message, the evidence and a fix hint. ")
	b.WriteString("`--fail-on` (default `error`) sets the lowest severity that makes `imgcheck verify` exit 1. ")
	b.WriteString("Anything that stops a check from running (bad input, registry, network or auth errors, digest mismatch) is not a finding: it makes the run exit 2.\n\n")
	b.WriteString("The launch types column says where a rule can report: the launch types come from the service's launchType, its capacityProviderStrategy or the cluster's default strategy (when the template defines the cluster), else EC2; without a service, from the task's requiresCompatibilities. ")
	b.WriteString("A service that sets neither launchType nor a strategy, on a cluster whose default strategy is not known, cannot be verified when a FARGATE or capacity provider default would change the verdict.\n")
	b.WriteString("\n## Which platform is checked\n\n")
	b.WriteString("The image is checked for the platform the task will run on. `runtimePlatform.cpuArchitecture` decides on every launch type. ")
	b.WriteString("Without it, a task that only runs on Fargate runs `linux/amd64`. On EC2 and EXTERNAL (a task with `EC2` or `EXTERNAL` in `requiresCompatibilities`, ")
	b.WriteString("none declared, or a service whose launch type or capacity providers are not Fargate) the instance decides: imgcheck takes the architecture from ")
	b.WriteString("`memberOf` placement constraints of the task definition and the service (`attribute:ecs.cpu-architecture == arm64`, `in [...]`, `!=`, `not_in`, ")
	b.WriteString("`=~`, and exact Graviton instance types such as `attribute:ecs.instance-type == m7g.large`), or from `--platform` (repeatable: the image must run on each). ")
	b.WriteString("When none of these says, the run cannot verify (exit 2): imgcheck never assumes `X86_64` for an instance it cannot see. ")
	b.WriteString("A task that can run on both Fargate and EC2 is checked for every platform it can get.\n")
	b.WriteString("\nA value any rule reads that is still a CloudFormation expression or a template placeholder (for example `cpuArchitecture: !If [IsArm, ARM64, X86_64]` without the parameter value) also makes the run exit 2, naming the value and its position.\n")
	family := ""
	for _, r := range Rules() {
		if r.Family != family {
			family = r.Family
			fmt.Fprintf(&b, "\n## %s\n\n| ID | severity | rule | launch types | why and how to fix |\n|---|---|---|---|---|\n", family)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.ID, r.Severity, r.Title, ruleLaunchTypes(r.ID), strings.ReplaceAll(r.Help, "|", "\\|"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
