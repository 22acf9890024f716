package verify

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// printable escapes what a terminal or a CI log would act on rather than
// show: C0 and C1 control characters (ESC sequences that rewrite a line, a
// CR that hides what came before, a newline that starts a workflow command),
// bidirectional overrides that reorder text, and invalid UTF-8. Image
// configs and task definitions are untrusted, and the text and GitHub
// reports print their strings.
func printable(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x100 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case isBidiControl(r) || unicode.IsControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i, r := range s {
		if (r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD")) || unicode.IsControl(r) || isBidiControl(r) {
			return true
		}
	}
	return false
}

// isBidiControl: the embedding, override and isolate controls (U+202A to
// U+202E, U+2066 to U+2069) and the marks U+200E, U+200F, U+061C.
func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

// printableReport returns a copy of r whose strings are safe to print
// (see printable). The JSON, SARIF and JUnit encoders escape on their own.
func printableReport(r *Report) *Report {
	c := *r
	if r.TaskDef != nil {
		src := printableSource(*r.TaskDef)
		c.TaskDef = &src
	}
	c.TaskDefs = mapSlice(r.TaskDefs, printableSource)
	c.Targets = mapSlice(r.Targets, func(t Target) Target {
		t.TaskDef, t.Container, t.Image = printable(t.TaskDef), printable(t.Container), printable(t.Image)
		t.Digest, t.PlatformDigest, t.Platform = printable(t.Digest), printable(t.PlatformDigest), printable(t.Platform)
		t.Executable, t.Binary, t.ReadMode = printable(t.Executable), printable(t.Binary), printable(t.ReadMode)
		return t
	})
	c.Findings = mapSlice(r.Findings, printableFinding)
	c.Suppressed = mapSlice(r.Suppressed, printableFinding)
	c.Errors = mapSlice(r.Errors, func(p Problem) Problem {
		p.TaskDef, p.Container, p.Platform = printable(p.TaskDef), printable(p.Container), printable(p.Platform)
		p.Image, p.Message = printable(p.Image), printable(p.Message)
		p.Location = printableLocation(p.Location)
		return p
	})
	c.Pinned = mapSlice(r.Pinned, func(p Pinned) Pinned {
		p.TaskDef, p.Container, p.From, p.To = printable(p.TaskDef), printable(p.Container), printable(p.From), printable(p.To)
		return p
	})
	return &c
}

func printableFinding(f Finding) Finding {
	f.TaskDef, f.Container, f.Platform = printable(f.TaskDef), printable(f.Container), printable(f.Platform)
	f.Message, f.Evidence, f.Fix = printable(f.Message), printable(f.Evidence), printable(f.Fix)
	f.Image, f.Location = printable(f.Image), printableLocation(f.Location)
	if f.Suppressed != nil {
		s := *f.Suppressed
		s.Key, s.Location = printable(s.Key), printableLocation(s.Location)
		f.Suppressed = &s
	}
	return f
}

func printableLocation(l *Location) *Location {
	if l == nil {
		return nil
	}
	c := *l
	c.File = printable(c.File)
	return &c
}

func printableSource(s Source) Source {
	s.File, s.Shape, s.Family = printable(s.File), printable(s.Shape), printable(s.Family)
	return s
}

func mapSlice[T any](in []T, f func(T) T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
