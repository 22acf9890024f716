package verify

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// renderGitHub writes GitHub Actions workflow commands, one annotation per
// finding and per problem, pointing at the task-definition line when known.
func renderGitHub(w io.Writer, r *Report) error {
	b := bufio.NewWriter(w)
	for _, f := range r.Findings {
		level := map[Severity]string{Error: "error", Warning: "warning", Info: "notice"}[f.Severity]
		writeGitHubFinding(b, level, f.RuleID, f, "")
	}
	for _, f := range r.Suppressed {
		// A notice whatever the severity: shown on the run, never failing it.
		writeGitHubFinding(b, "notice", "suppressed "+f.RuleID, f, "\nsuppressed: "+f.Suppressed.String())
	}
	for _, p := range r.Errors {
		props := append(ghLocation(p.Location), "title="+ghProperty("imgcheck could not verify"))
		fmt.Fprintf(b, "::error %s::%s\n", strings.Join(props, ","), ghData(problemLine(p)))
	}
	for _, t := range r.Targets {
		// A log line, not an annotation: every run that is not strict has it.
		if note := prefixReadNote(t); note != "" {
			fmt.Fprintf(b, "imgcheck: %s\n", ghData(note))
		}
	}
	fmt.Fprintf(b, "imgcheck: %s (%d error(s), %d warning(s), %d info, %d could not be verified%s)\n",
		r.Verdict, r.Summary.Errors, r.Summary.Warnings, r.Summary.Infos, r.Summary.CouldNotCheck, suppressedCount(r))
	return b.Flush()
}

func suppressedCount(r *Report) string {
	if r.Summary.Suppressed == 0 {
		return ""
	}
	return fmt.Sprintf(", %d suppressed", r.Summary.Suppressed)
}

// writeGitHubFinding writes one annotation at the finding's line, when known.
func writeGitHubFinding(b *bufio.Writer, level, title string, f Finding, extra string) {
	props := ghLocation(f.Location)
	title = strings.Join(append([]string{title}, nonEmpty(f.TaskDef, f.Container, f.Platform)...), " ")
	props = append(props, "title="+ghProperty(title))
	msg := f.Message
	if f.Evidence != "" {
		msg += "\nevidence: " + f.Evidence
	}
	if f.Fix != "" {
		msg += "\nfix: " + f.Fix
	}
	fmt.Fprintf(b, "::%s %s::%s\n", level, strings.Join(props, ","), ghData(msg+extra))
}

// ghLocation is the file, line and col properties of an annotation.
func ghLocation(l *Location) []string {
	if l == nil || l.File == "" {
		return nil
	}
	props := []string{"file=" + ghProperty(l.File)}
	if l.Line > 0 {
		props = append(props, fmt.Sprintf("line=%d", l.Line))
	}
	if l.Column > 0 {
		props = append(props, fmt.Sprintf("col=%d", l.Column))
	}
	return props
}

// ghData escapes a workflow command's message as the runner expects.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
