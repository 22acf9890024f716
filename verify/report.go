package verify

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// ReportSchemaVersion versions the JSON report; bump it on breaking changes.
const ReportSchemaVersion = 1

// Report is the outcome of a verify run: what was checked, what was found,
// and what could not be checked.
type Report struct {
	SchemaVersion int       `json:"schemaVersion"`
	Tool          ToolInfo  `json:"tool"`
	TaskDef       *Source   `json:"taskDefinition,omitempty"`
	TaskDefs      []Source  `json:"taskDefinitions,omitempty"` // when one run verifies several
	Targets       []Target  `json:"targets"`
	Findings      []Finding `json:"findings"`
	// Suppressed are findings a suppression request covers (Options.Ignore,
	// or the input file itself): shown, never counted.
	Suppressed []Finding `json:"suppressed"`
	Errors     []Problem `json:"errors"`
	Summary    Summary   `json:"summary"`
	Pinned     []Pinned  `json:"pinned,omitempty"`
	FailOn     Severity  `json:"failOn"`
	Verdict    Verdict   `json:"verdict"`
	// ExitCode is the exit status of the program that acted on the
	// verdict; the program sets it (imgcheck: 0, 1 or 2), Finish does not.
	ExitCode int `json:"exitCode"`
}

// Verdict is what a finished run concludes. The program that runs verify
// decides what each means for it (imgcheck maps them to exit codes).
type Verdict string

// Verdicts, as written in the JSON report.
const (
	// VerdictPass: every check ran and no finding reached FailOn.
	VerdictPass Verdict = "pass"
	// VerdictFindings: a finding at or above FailOn.
	VerdictFindings Verdict = "fail"
	// VerdictCouldNotVerify: a check could not run, or nothing was
	// checked. It is never a pass: the gate fails closed.
	VerdictCouldNotVerify Verdict = "error"
)

// ToolInfo names the program that wrote the report.
type ToolInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Source is the task definition that was verified.
type Source struct {
	File   string `json:"file,omitempty"`
	Shape  string `json:"shape,omitempty"`
	Family string `json:"family,omitempty"`
}

// Target is one container image checked for one platform.
type Target struct {
	TaskDef        string   `json:"taskDefinition,omitempty"` // file, when a run has several
	Container      string   `json:"container,omitempty"`
	Image          string   `json:"image"`
	Digest         string   `json:"digest,omitempty"`         // of what the reference named (index or manifest)
	PlatformDigest string   `json:"platformDigest,omitempty"` // of the platform manifest
	Platform       string   `json:"platform"`
	Executable     string   `json:"executable,omitempty"` // resolved path of the entrypoint
	Binary         string   `json:"binary,omitempty"`     // what binfmt found
	ReadMode       string   `json:"readMode,omitempty"`   // prefix-read or verified
	Checks         []string `json:"checks"`               // rule families that ran to completion
}

// prefixReadNote says, for a target whose entrypoint was read by prefix
// only, that its layer's digest was not checked ("" for other targets):
// every report format carries it (JSON as Target.ReadMode).
func prefixReadNote(t Target) string {
	if t.ReadMode != "prefix-read" {
		return ""
	}
	label := strings.TrimSpace(t.TaskDef + " " + t.Container + " " + t.Platform + " " + t.Image)
	return fmt.Sprintf("%s: the entrypoint %s was read by prefix only; the digest of its layer was not checked (strict mode reads the whole layer and checks it)", label, t.Executable)
}

// Problem is something that stopped a check from running: the run cannot
// pass while any problem is present.
type Problem struct {
	TaskDef   string `json:"taskDefinition,omitempty"`
	Container string `json:"container,omitempty"`
	Platform  string `json:"platform,omitempty"`
	Image     string `json:"image,omitempty"`
	Message   string `json:"message"`
	// Location is where in an input file the problem is (a typo in the
	// task definition), when known.
	Location *Location `json:"location,omitempty"`
	// Cause is the error behind Message when there is one (errors.Is
	// tells its class); it is not part of the report.
	Cause error `json:"-"`
}

// Summary counts findings by severity.
type Summary struct {
	Errors        int `json:"errors"`
	Warnings      int `json:"warnings"`
	Infos         int `json:"infos"`
	Targets       int `json:"targets"`
	CouldNotCheck int `json:"couldNotVerify"`
	Suppressed    int `json:"suppressed"`
}

// Pinned is an image reference rewritten to the digest that was verified.
type Pinned struct {
	TaskDef   string `json:"taskDefinition,omitempty"`
	Container string `json:"container"`
	From      string `json:"from"`
	To        string `json:"to"`
}

// Finish sorts the report, counts it and sets the verdict for failOn.
// A report with no targets cannot pass: nothing was verified.
func (r *Report) Finish(failOn Severity) {
	r.SchemaVersion = ReportSchemaVersion
	r.FailOn = failOn
	r.Findings, r.Suppressed = splitSuppressed(r.Findings, r.Suppressed)
	if r.Errors == nil {
		r.Errors = []Problem{}
	}
	if r.Targets == nil {
		r.Targets = []Target{}
	}
	slices.SortStableFunc(r.Targets, func(a, b Target) int {
		return cmp.Or(cmp.Compare(a.TaskDef, b.TaskDef), cmp.Compare(a.Container, b.Container), cmp.Compare(a.Platform, b.Platform))
	})
	slices.SortStableFunc(r.Findings, compareFindings)
	slices.SortStableFunc(r.Suppressed, compareFindings)
	r.Summary = Summary{Targets: len(r.Targets), CouldNotCheck: len(r.Errors), Suppressed: len(r.Suppressed)}
	failing := 0
	for _, f := range r.Findings {
		switch f.Severity {
		case Error:
			r.Summary.Errors++
		case Warning:
			r.Summary.Warnings++
		default:
			r.Summary.Infos++
		}
		if f.Severity >= failOn {
			failing++
		}
	}
	switch {
	case len(r.Errors) > 0 || len(r.Targets) == 0:
		r.Verdict = VerdictCouldNotVerify
		if len(r.Errors) == 0 {
			r.Errors = append(r.Errors, Problem{Message: "nothing was verified: no container image to check"})
			r.Summary.CouldNotCheck = 1
		}
	case failing > 0:
		r.Verdict = VerdictFindings
	default:
		r.Verdict = VerdictPass
	}
}

func compareFindings(a, b Finding) int {
	return cmp.Or(cmp.Compare(a.TaskDef, b.TaskDef), cmp.Compare(a.Container, b.Container), cmp.Compare(a.Platform, b.Platform),
		cmp.Compare(b.Severity, a.Severity), // most severe first
		cmp.Compare(a.RuleID, b.RuleID))
}

// splitSuppressed moves the findings a suppression covers out of the
// counted ones. Both results are non-nil, so JSON shows empty lists.
func splitSuppressed(findings, suppressed []Finding) (kept, moved []Finding) {
	kept, moved = []Finding{}, append([]Finding{}, suppressed...)
	for _, f := range findings {
		if f.Suppressed != nil {
			moved = append(moved, f)
		} else {
			kept = append(kept, f)
		}
	}
	return kept, moved
}
