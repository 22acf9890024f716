package verify

import (
	"bytes"
	"strings"
	"testing"
)

func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/ko-app/server", "/ko-app/server"},
		{"naïve ✓ \uFFFD", "naïve ✓ \uFFFD"},
		{"\x1b[2K\rPASS", `\x1b[2K\x0dPASS`},
		{"a\n::warning::x", `a\x0a::warning::x`},
		{"tab\there", `tab\x09here`},
		{"del\x7f", `del\x7f`},
		{"c1\u0085", `c1\x85`},
		{"bidi\u202eevil", `bidi\u202eevil`},
		{"bad\xffutf8", `bad\xffutf8`},
	} {
		if got := printable(tc.in); got != tc.want {
			t.Errorf("printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestReportsCarryNoControlCharacters: strings from a hostile image config
// (the entrypoint) or task definition must not rewrite the terminal line or
// start a GitHub Actions workflow command, in any format.
func TestReportsCarryNoControlCharacters(t *testing.T) {
	hostile := "/app/x\x1b[2K\r  ok          PASS\n::warning::injected\u202e"
	r := &Report{
		TaskDef: &Source{File: "td\x1b.json", Family: "fam\r"},
		Targets: []Target{{Container: "app", Image: "reg/app\n::error::x", Platform: "linux/amd64", Executable: hostile, Checks: []string{FamilyPlatform}}},
		Findings: []Finding{{RuleID: "IC202", Severity: Error, Container: "app", Platform: "linux/amd64",
			Message: "entrypoint " + hostile + " not found", Evidence: hostile, Fix: hostile}},
		Errors: []Problem{{Container: "app", Message: "could not read " + hostile}},
	}
	r.Finish(Error)
	for _, format := range Formats() {
		var buf bytes.Buffer
		if err := Render(&buf, r, format); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for i, c := range []byte(out) {
			if c < 0x20 && c != '\n' && !(c == '\t' && format != "text" && format != "github") {
				t.Errorf("%s report has control byte %#x at %d: %q", format, c, i, out[max(0, i-20):min(len(out), i+20)])
				break
			}
		}
		if strings.Contains(out, "\u202e") {
			t.Errorf("%s report carries a bidi override", format)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "::warning::") || strings.HasPrefix(line, "::error::x") {
				t.Errorf("%s report starts a workflow command from image data: %q", format, line)
			}
		}
	}
}
