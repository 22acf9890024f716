package verify

import (
	"fmt"
	"strings"
)

// Severity orders findings; --fail-on compares against it.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText renders the severity as its name in JSON reports.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ParseSeverity reads a --fail-on value.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "info":
		return Info, nil
	case "warning", "warn":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return Info, fmt.Errorf("unknown severity %q: want error, warning or info", s)
}

// Location points into an input file (the task definition).
type Location struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

func (l *Location) String() string {
	if l == nil || l.File == "" {
		return ""
	}
	if l.Line == 0 {
		return l.File
	}
	return fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Column)
}

// Finding is one judgement of a rule about one container on one platform.
type Finding struct {
	TaskDef   string    `json:"taskDefinition,omitempty"` // file, when a run has several
	RuleID    string    `json:"rule"`
	Severity  Severity  `json:"severity"`
	Container string    `json:"container,omitempty"`
	Platform  string    `json:"platform,omitempty"`
	Message   string    `json:"message"`
	Evidence  string    `json:"evidence,omitempty"`
	Fix       string    `json:"fix,omitempty"`
	Location  *Location `json:"location,omitempty"`
	// Image is the image reference judged, for findings about an image.
	Image string `json:"image,omitempty"`
	// Suppressed says who asked not to count the finding (entries of
	// Report.Suppressed only).
	Suppressed *Suppression `json:"suppressed,omitempty"`
	// stopped: the checks after this finding on its path did not run.
	stopped bool
}

// Family is the rule family of the finding ("platform", "entrypoint", ...).
func (f Finding) Family() string {
	if r, ok := describeRule(f.RuleID); ok {
		return r.Family
	}
	return "other"
}

// sameTarget reports whether a finding belongs to a target. The image
// tells apart the targets of an image-only run, which have no container.
func (f Finding) sameTarget(t Target) bool {
	return f.TaskDef == t.TaskDef && f.Container == t.Container && f.Platform == t.Platform &&
		(f.Image == "" || f.Image == t.Image)
}
