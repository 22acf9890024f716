package verify

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// renderText groups findings by container and platform, one line per
// finding with its rule ID, and ends with a one-line summary.
func renderText(w io.Writer, r *Report) error {
	b := bufio.NewWriter(w)
	sources := r.TaskDefs
	if r.TaskDef != nil {
		sources = append([]Source{*r.TaskDef}, sources...)
	}
	for _, src := range sources {
		fmt.Fprintf(b, "task definition %s", src.File)
		if src.Family != "" {
			fmt.Fprintf(b, " (family %s)", src.Family)
		}
		fmt.Fprintln(b)
	}
	for _, t := range r.Targets {
		fmt.Fprintln(b)
		label := strings.TrimSpace(t.TaskDef + " " + t.Container + " " + t.Platform)
		fmt.Fprintf(b, "%s  %s\n", label, t.Image)
		if t.Digest != "" {
			fmt.Fprintf(b, "  digest      %s\n", t.Digest)
		}
		if t.PlatformDigest != "" && t.PlatformDigest != t.Digest {
			fmt.Fprintf(b, "  manifest    %s\n", t.PlatformDigest)
		}
		if t.Executable != "" {
			fmt.Fprintf(b, "  entrypoint  %s", t.Executable)
			if t.Binary != "" {
				fmt.Fprintf(b, ": %s", t.Binary)
			}
			if t.ReadMode != "" {
				fmt.Fprintf(b, " (%s)", t.ReadMode)
			}
			fmt.Fprintln(b)
		}
		n := 0
		for _, f := range r.Findings {
			if f.sameTarget(t) {
				writeTextFinding(b, f)
				n++
			}
		}
		if n == 0 {
			fmt.Fprintf(b, "  ok          %s\n", strings.Join(t.Checks, ", "))
		}
	}
	// Findings not tied to one target (task- or service-wide).
	first := true
	for _, f := range r.Findings {
		if hasTarget(r, f) {
			continue
		}
		if first {
			fmt.Fprintf(b, "\ntask and service\n")
			first = false
		}
		writeTextFinding(b, f)
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(b, "\ncould not verify\n")
		for _, p := range r.Errors {
			fmt.Fprintf(b, "  %s\n", problemLine(p))
		}
	}
	fmt.Fprintf(b, "\n%s: %d error(s), %d warning(s), %d info; %d target(s) checked; %d could not be verified (fail-on %s)\n",
		strings.ToUpper(string(r.Verdict)), r.Summary.Errors, r.Summary.Warnings, r.Summary.Infos,
		r.Summary.Targets, r.Summary.CouldNotCheck, r.FailOn)
	return b.Flush()
}

func writeTextFinding(b *bufio.Writer, f Finding) {
	fmt.Fprintf(b, "  %-7s %s %s", f.Severity, f.RuleID, f.Message)
	if loc := f.Location.String(); loc != "" {
		fmt.Fprintf(b, " [%s]", loc)
	}
	fmt.Fprintln(b)
	if f.Evidence != "" {
		fmt.Fprintf(b, "          evidence: %s\n", f.Evidence)
	}
	if f.Fix != "" {
		fmt.Fprintf(b, "          fix: %s\n", f.Fix)
	}
}

func hasTarget(r *Report, f Finding) bool {
	return slices.ContainsFunc(r.Targets, f.sameTarget)
}

func problemLine(p Problem) string {
	var parts []string
	for _, s := range []string{p.TaskDef, p.Container, p.Platform, p.Image} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return p.Message
	}
	return strings.Join(parts, " ") + ": " + p.Message
}
