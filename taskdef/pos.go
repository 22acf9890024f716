package taskdef

import (
	"fmt"
	"strings"
)

// Pos is a position in an input file. Line and Column are 1-based; Column
// counts characters, not bytes. The zero Pos means "no position".
type Pos struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// IsValid reports whether p points somewhere.
func (p Pos) IsValid() bool { return p.Line > 0 }

func (p Pos) String() string {
	switch {
	case p.Line > 0 && p.File != "":
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
	case p.Line > 0:
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	default:
		return p.File
	}
}

// Diagnostic is a warning attached to a loaded definition: something ECS
// accepts or ignores but that is probably a mistake.
type Diagnostic struct {
	Code    string `json:"code"`
	Pos     Pos    `json:"pos"`
	Key     string `json:"key,omitempty"`
	Message string `json:"message"`
}

func (d Diagnostic) String() string {
	if d.Key != "" {
		return fmt.Sprintf("%s: %s: %s", d.Pos, d.Key, d.Message)
	}
	return fmt.Sprintf("%s: %s", d.Pos, d.Message)
}

// Warning codes carried by Diagnostic.Code.
const (
	WarnRuntimePlatformInContainer = "runtime-platform-in-container"
	WarnEnumCase                   = "enum-case"
	WarnDuplicateContainerName     = "duplicate-container-name"
	WarnCloudFormationKeyCase      = "cloudformation-key-case"
	WarnEmptyValue                 = "empty-value"
)

// Error is a problem with an input file at a position, naming the key.
type Error struct {
	Pos Pos
	Key string
	Msg string
}

func (e *Error) Error() string {
	if e.Key != "" {
		return fmt.Sprintf("%s: %s: %s", e.Pos, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Pos, e.Msg)
}

// Errors is every problem found in one file; loading reports them all at once
// so a user fixes a file in one round.
type Errors []*Error

func (es Errors) Error() string {
	if len(es) == 1 {
		return es[0].Error()
	}
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return fmt.Sprintf("%d problems: %s", len(es), strings.Join(parts, "; "))
}

// maxReportedErrors bounds the error list for hostile or badly broken input.
const maxReportedErrors = 50
