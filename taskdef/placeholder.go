package taskdef

import (
	"fmt"
	"regexp"
)

// Template syntaxes that leave a file unfinished until a tool renders it.
// A value containing one of them is reported as unresolved, never used as if
// it were real (an image "nginx:{{ env `TAG` }}" is not an image name).
var (
	goTemplateRe  = regexp.MustCompile(`\{\{.*?\}\}`)                       // ecspresso: {{ must_env `X` }}, {{ tfstate ... }}
	shellBracedRe = regexp.MustCompile(`\$\{[^}]*\}`)                       // envsubst: ${VAR}
	shellWholeRe  = regexp.MustCompile(`^\$[A-Za-z_][A-Za-z0-9_]*$`)        // envsubst: $VAR as the whole value
	angleHolderRe = regexp.MustCompile(`<[A-Za-z][A-Za-z0-9_ .:/-]{0,62}>`) // docs skeletons: <image>, <account-id>
	cfnTemplateRe = regexp.MustCompile(`^\$\{AWS::[A-Za-z]+\}$`)            // a lone pseudo parameter left in plain text
)

// placeholderReason says why s is still a template, or "" when it is not.
func placeholderReason(s string) string {
	switch {
	case goTemplateRe.MatchString(s):
		return fmt.Sprintf("template expression %s (ecspresso/Go template) must be rendered first", goTemplateRe.FindString(s))
	case cfnTemplateRe.MatchString(s):
		return fmt.Sprintf("CloudFormation pseudo parameter %s outside Fn::Sub", s)
	case shellBracedRe.MatchString(s):
		return fmt.Sprintf("shell variable %s must be substituted first (envsubst)", shellBracedRe.FindString(s))
	case shellWholeRe.MatchString(s):
		return fmt.Sprintf("shell variable %s must be substituted first (envsubst)", s)
	case angleHolderRe.MatchString(s):
		return fmt.Sprintf("placeholder %s must be replaced", angleHolderRe.FindString(s))
	}
	return ""
}
