// Package sarifcheck checks a SARIF log the way GitHub code scanning takes
// it in: valid against the SARIF 2.1.0 JSON schema (the OASIS document,
// vendored as sarif-schema-2.1.0.json), every result with a location whose
// artifactLocation.uri is a non-empty RFC 3986 URI reference, and every
// ruleIndex naming its ruleId. Tests of every program that writes SARIF
// use it.
package sarifcheck

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed sarif-schema-2.1.0.json
var schemaJSON []byte

// schemaURL is the $id of the vendored schema.
const schemaURL = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// Check returns every way data falls short, joined, or nil.
func Check(data []byte) error {
	schemaDoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return fmt.Errorf("reading the vendored SARIF schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // uri-reference and uri, as code scanning checks them
	if err := c.AddResource(schemaURL, schemaDoc); err != nil {
		return fmt.Errorf("adding the SARIF schema: %w", err)
	}
	schema, err := c.Compile(schemaURL)
	if err != nil {
		return fmt.Errorf("compiling the SARIF schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	var errs []error
	if err := schema.Validate(doc); err != nil {
		errs = append(errs, fmt.Errorf("not valid SARIF 2.1.0: %w", err))
	}
	errs = append(errs, checkResults(doc)...)
	return errors.Join(errs...)
}

// checkResults holds code scanning's own demands beyond the schema.
func checkResults(doc any) []error {
	var errs []error
	for ri, run := range list(field(doc, "runs")) {
		rules := list(field(field(field(run, "tool"), "driver"), "rules"))
		for i, res := range list(field(run, "results")) {
			where := fmt.Sprintf("runs[%d].results[%d]", ri, i)
			id, _ := field(res, "ruleId").(string)
			if idx, ok := number(field(res, "ruleIndex")); ok {
				if idx < 0 || idx >= len(rules) || field(rules[idx], "id") != id {
					errs = append(errs, fmt.Errorf("%s: ruleIndex %d does not name rule %q", where, idx, id))
				}
			}
			locs := list(field(res, "locations"))
			if len(locs) == 0 {
				errs = append(errs, fmt.Errorf("%s (%s): no location (code scanning rejects the file)", where, id))
			}
			for li, loc := range locs {
				uri, _ := field(field(field(loc, "physicalLocation"), "artifactLocation"), "uri").(string)
				if err := checkURIReference(uri); err != nil {
					errs = append(errs, fmt.Errorf("%s.locations[%d] (%s): artifactLocation.uri %q: %w", where, li, id, uri, err))
				}
			}
		}
	}
	return errs
}

// checkURIReference is RFC 3986's URI-reference, strictly: the characters
// a URI may hold, percent escapes of two hex digits, and a colon in the
// first segment only after a valid scheme.
func checkURIReference(s string) error {
	if s == "" {
		return errors.New("empty")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return fmt.Errorf("bad percent escape at %d", i)
			}
		case isAlnum(c) || strings.IndexByte("-._~!$&'()*+,;=:@/?#[]", c) >= 0:
		default:
			return fmt.Errorf("character %q is not allowed", c)
		}
	}
	end := strings.IndexAny(s, "/?#")
	if end < 0 {
		end = len(s)
	}
	if colon := strings.IndexByte(s[:end], ':'); colon >= 0 && !isScheme(s[:colon]) {
		return fmt.Errorf("%q before the first colon is no scheme, and a relative reference's first segment has no colon", s[:colon])
	}
	return nil
}

func isScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '+' && s[i] != '-' && s[i] != '.' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isAlnum(c byte) bool { return isAlpha(c) || (c >= '0' && c <= '9') }
func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func field(v any, key string) any {
	m, _ := v.(map[string]any)
	return m[key]
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// number reads a JSON number as UnmarshalJSON returns it.
func number(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		return int(n), true
	case fmt.Stringer: // json.Number
		var i int
		_, err := fmt.Sscan(n.String(), &i)
		return i, err == nil
	}
	return 0, false
}
