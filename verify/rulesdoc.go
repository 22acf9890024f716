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
