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
		props := []string{}
		if f.Location != nil && f.Location.File != "" {
			props = append(props, "file="+ghProperty(f.Location.File))
			if f.Location.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", f.Location.Line))
			}
			if f.Location.Column > 0 {
				props = append(props, fmt.Sprintf("col=%d", f.Location.Column))
			}
		}
		title := f.RuleID
		if f.TaskDef != "" {
			title += " " + f.TaskDef
		}
		if f.Container != "" {
			title += " " + f.Container
		}
		if f.Platform != "" {
			title += " " + f.Platform
		}
		props = append(props, "title="+ghProperty(title))
		msg := f.Message
		if f.Evidence != "" {
			msg += "\nevidence: " + f.Evidence
		}
		if f.Fix != "" {
			msg += "\nfix: " + f.Fix
		}
		fmt.Fprintf(b, "::%s %s::%s\n", level, strings.Join(props, ","), ghData(msg))
	}
	for _, p := range r.Errors {
		fmt.Fprintf(b, "::error title=%s::%s\n", ghProperty("imgcheck could not verify"), ghData(problemLine(p)))
	}
	for _, t := range r.Targets {
		// A log line, not an annotation: every run that is not strict has it.
		if note := prefixReadNote(t); note != "" {
			fmt.Fprintf(b, "imgcheck: %s\n", ghData(note))
		}
	}
	fmt.Fprintf(b, "imgcheck: %s (%d error(s), %d warning(s), %d info, %d could not be verified)\n",
		r.Verdict, r.Summary.Errors, r.Summary.Warnings, r.Summary.Infos, r.Summary.CouldNotCheck)
	return b.Flush()
}

// ghData escapes a workflow command's message as the runner expects.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
