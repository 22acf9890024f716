package verify

import (
	"encoding/json"
	"fmt"
	"io"
)

// Formats lists the report formats Render accepts.
var formats = []string{"text", "json", "sarif", "junit", "github"}

// Formats returns the report format names.
func Formats() []string { return append([]string(nil), formats...) }

// Render writes the report in the named format.
func Render(w io.Writer, r *Report, format string) error {
	switch format {
	case "text":
		return renderText(w, r)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "sarif":
		return renderSARIF(w, r)
	case "junit":
		return renderJUnit(w, r)
	case "github":
		return renderGitHub(w, r)
	}
	return fmt.Errorf("unknown report format %q: want one of %v", format, formats)
}
