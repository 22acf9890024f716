package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestJSONFieldsAreDocumented: every field the verify, inspect and plan JSON
// write, down to the entries of their lists and objects, is named in
// docs/json.md, and each document carries its schemaVersion.
func TestJSONFieldsAreDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "json.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{
		filepath.Join("..", "..", "verify", "testdata", "report", "suppressed.json"),
		filepath.Join("..", "..", "verify", "testdata", "report", "problem.json"),
		filepath.Join("..", "..", "verify", "testdata", "report", "input-error.json"),
		filepath.Join("testdata", "inspect", "sample.json"),
		filepath.Join("testdata", "plan", "twelve.json.golden"),
	} {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if v["schemaVersion"] != float64(1) {
			t.Errorf("%s: schemaVersion %v, want 1", file, v["schemaVersion"])
		}
		var missing []string
		for _, k := range jsonKeys(v, 3) {
			if !strings.Contains(string(doc), "`"+k+"`") {
				missing = append(missing, k)
			}
		}
		slices.Sort(missing)
		if missing = slices.Compact(missing); len(missing) > 0 {
			t.Errorf("%s writes fields docs/json.md does not name: %v", file, missing)
		}
	}
}

// jsonKeys lists the object keys of v down to depth levels of objects
// (lists are looked through), leaving out user data (annotations, env).
func jsonKeys(v any, depth int) []string {
	if depth == 0 {
		return nil
	}
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			out = append(out, k)
			if k == "annotations" || k == "platform" {
				continue // keys written by others: OCI annotations and platform objects
			}
			out = append(out, jsonKeys(child, depth-1)...)
		}
	case []any:
		for _, child := range v {
			out = append(out, jsonKeys(child, depth)...)
		}
	}
	return out
}
