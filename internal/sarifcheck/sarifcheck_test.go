package sarifcheck

import (
	"strings"
	"testing"
)

const valid = `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":{"name":"t","rules":[{"id":"R1"}]}},
"results":[{"ruleId":"R1","ruleIndex":0,"level":"error","message":{"text":"m"},
"locations":[{"physicalLocation":{"artifactLocation":{"uri":"deploy/td.json"},"region":{"startLine":3,"startColumn":5}}}]}]}]}`

func TestCheck(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"valid", valid, ""},
		{"no location", strings.Replace(valid, `"locations":[{"physicalLocation":{"artifactLocation":{"uri":"deploy/td.json"},"region":{"startLine":3,"startColumn":5}}}]`, `"locations":[]`, 1), "no location"},
		{"empty uri", strings.Replace(valid, `"uri":"deploy/td.json"`, `"uri":""`, 1), "empty"},
		{"colon in first segment", strings.Replace(valid, `"uri":"deploy/td.json"`, `"uri":"app@sha256:abc"`, 1), "no scheme"},
		{"space in uri", strings.Replace(valid, `"uri":"deploy/td.json"`, `"uri":"my file.json"`, 1), "not allowed"},
		{"line zero", strings.Replace(valid, `"startLine":3`, `"startLine":0`, 1), "not valid SARIF"},
		{"unknown property", strings.Replace(valid, `"level":"error"`, `"level":"error","severity":"x"`, 1), "not valid SARIF"},
		{"bad level", strings.Replace(valid, `"level":"error"`, `"level":"fatal"`, 1), "not valid SARIF"},
		{"rule index", strings.Replace(valid, `"ruleIndex":0`, `"ruleIndex":1`, 1), "does not name"},
		{"not json", `{`, "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check([]byte(tt.doc))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("valid log rejected: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
