package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Formats lists the report formats Render accepts.
var formats = []string{"text", "json", "sarif", "junit", "github"}

// Formats returns the report format names.
func Formats() []string { return append([]string(nil), formats...) }

// Render writes the report in the named format. Formats read by people or
// CI viewers get strings with control characters escaped (printable); JSON
// keeps the exact strings, with the encoder's escapes plus bidi controls.
func Render(w io.Writer, r *Report, format string) error {
	switch format {
	case "text":
		return renderText(w, printableReport(r))
	case "json":
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
		_, err := io.WriteString(w, escapeBidiJSON(b.String()))
		return err
	case "sarif":
		return renderSARIF(w, printableReport(r))
	case "junit":
		return renderJUnit(w, printableReport(r))
	case "github":
		return renderGitHub(w, printableReport(r))
	}
	return fmt.Errorf("unknown report format %q: want one of %v", format, formats)
}

// escapeBidiJSON writes bidi controls of encoded JSON as \u escapes; they
// can only occur inside strings, where the escape means the same rune.
func escapeBidiJSON(s string) string {
	if !strings.ContainsFunc(s, isBidiControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isBidiControl(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
