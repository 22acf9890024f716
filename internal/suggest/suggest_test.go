package suggest

import "testing"

func TestClosest(t *testing.T) {
	keys := []string{"cpuArchitecture", "operatingSystemFamily", "cpu", "memory"}
	for got, want := range map[string]string{
		"cpuArchitecure":        "cpuArchitecture",
		"CPUARCHITECTURE":       "cpuArchitecture",
		"operatingSystemFamliy": "operatingSystemFamily",
		"memroy":                "memory",
		"zzzzzzzz":              "",
		"":                      "",
	} {
		if s := Closest(got, keys); s != want {
			t.Errorf("Closest(%q) = %q, want %q", got, s, want)
		}
	}
	if s := Closest("defaultBaseImag", []string{"builds"}, []string{"defaultBaseImage"}); s != "defaultBaseImage" {
		t.Errorf("several lists: %q", s)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"abc", "abc", 0}} {
		if d := EditDistance(tt.a, tt.b); d != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, d, tt.want)
		}
	}
}
