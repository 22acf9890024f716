package verify

import (
	"errors"
	"fmt"
	"slices"

	"github.com/imgcheck/imgcheck/taskdef"
)

// ErrUnknownRule: a suppression names no rule.
var ErrUnknownRule = errors.New("no such rule")

// Who asked for a suppression (Suppression.By).
const (
	// SuppressedByRun: Options.Ignore, for this run only.
	SuppressedByRun = "run"
	// SuppressedByLabel: the container's dockerLabels imgcheck.ignore.
	SuppressedByLabel = "dockerLabels"
	// SuppressedByMetadata: the CloudFormation resource's Metadata.
	SuppressedByMetadata = "metadata"
)

// Suppression says why a finding is shown but not counted. Problems (a
// check that could not run) are never suppressed: the gate fails closed.
type Suppression struct {
	By       string    `json:"by"`
	Key      string    `json:"key,omitempty"`      // where in the file the request is written
	Location *Location `json:"location,omitempty"` // of the request
}

// String says who asked, for the text, JUnit and GitHub reports.
func (s *Suppression) String() string {
	if s.By == SuppressedByRun {
		return "ignored for this run"
	}
	if l := s.Location.String(); l != "" {
		return fmt.Sprintf("ignored by %s at %s", s.Key, l)
	}
	return "ignored by " + s.Key
}

// CheckRuleIDs reports the first ID that names no rule (see Rules and the
// task-definition warnings), wrapping ErrUnknownRule.
func CheckRuleIDs(ids []string) error {
	for _, id := range ids {
		if _, ok := describeRule(id); !ok {
			return fmt.Errorf("%w: %q (docs/rules.md lists the rule IDs)", ErrUnknownRule, id)
		}
	}
	return nil
}

// describeRule finds a rule of the catalog or a task-definition warning.
func describeRule(id string) (Rule, bool) {
	if r, ok := LookupRule(id); ok {
		return r, true
	}
	i := slices.IndexFunc(inputRules, func(r Rule) bool { return r.ID == id })
	if i < 0 {
		return Rule{}, false
	}
	return inputRules[i], true
}

// suppressionFor finds the request that covers f: the run's ignore list,
// the container's label, or the Metadata of the resource the finding is
// about (the service's for service findings, the task's for the others).
func suppressionFor(f Finding, in Input, ignore []string) *Suppression {
	if slices.Contains(ignore, f.RuleID) {
		return &Suppression{By: SuppressedByRun}
	}
	fromFile := func(by string, ig *taskdef.Ignore) *Suppression {
		return &Suppression{By: by, Key: ig.Key, Location: loc(ig.Pos)}
	}
	if f.Family() == FamilyService {
		if in.Service != nil && in.Service.Ignore.Has(f.RuleID) {
			return fromFile(SuppressedByMetadata, in.Service.Ignore)
		}
		return nil
	}
	td := in.TaskDef
	if td == nil {
		return nil
	}
	if c, ok := containerNamed(td, f.Container); ok && f.Container != "" && c.Ignore.Has(f.RuleID) {
		return fromFile(SuppressedByLabel, c.Ignore)
	}
	if td.Ignore.Has(f.RuleID) {
		return fromFile(SuppressedByMetadata, td.Ignore)
	}
	return nil
}

// suppressedStops turns each suppressed finding after which checks of
// its target did not run (see checker.addStop) into a problem: suppressing
// it accepts the finding, but what it stopped was never judged, so the run
// cannot pass.
func suppressedStops(targets []Target, findings []Finding) []Problem {
	var out []Problem
	for _, t := range targets {
		for _, f := range findings {
			if f.Suppressed == nil || !f.stopped || !f.sameTarget(t) {
				continue
			}
			out = append(out, Problem{Container: t.Container, Platform: t.Platform, Image: t.Image,
				Message: fmt.Sprintf("%s is suppressed (%s), but the checks after it on image %s did not run (the start fails there, so nothing after it was judged); fix what %s reports, or stop suppressing it",
					f.RuleID, f.Suppressed, t.Image, f.RuleID)})
		}
	}
	return out
}
