package platform

import (
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "linux/amd64", want: "linux/amd64"},
		{in: "linux/x86_64", want: "linux/amd64"},
		{in: "Linux/AARCH64/v8", want: "linux/arm64/v8"},
		{in: "linux/i686", want: "linux/386"},
		{in: "linux/arm/v7", want: "linux/arm/v7"},
		{in: "windows/amd64:10.0.20348.1", want: "windows/amd64:10.0.20348.1"},
		{in: "linux", bad: true},
		{in: "/amd64", bad: true},
		{in: "linux/", bad: true},
		{in: "a/b/c/d", bad: true},
		{in: "", bad: true},
	}
	for _, tt := range tests {
		p, err := Parse(tt.in)
		if (err != nil) != tt.bad {
			t.Errorf("Parse(%q) err = %v", tt.in, err)
			continue
		}
		if !tt.bad && String(&p) != tt.want {
			t.Errorf("Parse(%q) = %s, want %s", tt.in, String(&p), tt.want)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		p    *v1.Platform
		want string
	}{
		{p: nil, want: "unknown"},
		{p: &v1.Platform{OS: "linux", Architecture: "arm64"}, want: "linux/arm64"},
		{p: &v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, want: "linux/arm/v7"},
		{p: &v1.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.17763.1"}, want: "windows/amd64:10.0.17763.1"},
	}
	for _, tt := range tests {
		if got := String(tt.p); got != tt.want {
			t.Errorf("String(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		want, have string
		match      bool
	}{
		// os and architecture
		{"linux/amd64", "linux/amd64", true},
		{"linux/amd64", "linux/arm64", false},
		{"linux/amd64", "windows/amd64", false},
		{"linux/amd64", "Linux/x86_64", true},
		{"linux/s390x", "linux/riscv64", false},
		// an empty wanted variant accepts any (v1.Platform.Satisfies)
		{"linux/arm64", "linux/arm64/v8", true},
		{"linux/arm64", "linux/arm64/v8.2", true},
		{"linux/arm", "linux/arm/v7", true},
		{"linux/amd64", "linux/amd64/v3", true},
		// a wanted variant: the same, or none when it is the baseline
		{"linux/arm64/v8", "linux/arm64/v8", true},
		{"linux/arm64/v8", "linux/arm64", true},
		{"linux/amd64/v1", "linux/amd64", true},
		{"linux/amd64/v3", "linux/amd64", false},
		{"linux/amd64/v3", "linux/amd64/v2", false},
		{"linux/arm/v7", "linux/arm", false},
		{"linux/arm/v7", "linux/arm/v6", false},
		{"linux/arm64/v8", "linux/arm64/v9", false},
		// Windows os.version: the build (first three parts)
		{"windows/amd64:10.0.20348", "windows/amd64:10.0.20348.2340", true},
		{"windows/amd64:10.0.20348.1", "windows/amd64:10.0.20348.2340", true},
		{"windows/amd64:10.0.17763.1", "windows/amd64:10.0.20348.2340", false},
		{"windows/amd64", "windows/amd64:10.0.20348.2340", true},
		{"windows/amd64:10.0.17763", "windows/amd64", false},
		{"linux/amd64:5.10", "linux/amd64", true},
	}
	for _, tt := range tests {
		want, have := mustParse(t, tt.want), mustParse(t, tt.have)
		if got := Matches(want, have); got != tt.match {
			t.Errorf("Matches(%s, %s) = %v, want %v", tt.want, tt.have, got, tt.match)
		}
	}
}

func TestOSArch(t *testing.T) {
	want := mustParse(t, "windows/amd64/v3:10.0.17763")
	for have, match := range map[string]bool{
		"windows/amd64:10.0.20348": true,
		"windows/amd64/v2":         true,
		"windows/x86_64":           true,
		"windows/arm64":            false,
		"linux/amd64":              false,
	} {
		if got := Matches(OSArch(want), mustParse(t, have)); got != match {
			t.Errorf("Matches(OSArch(%s), %s) = %v, want %v", String(&want), have, got, match)
		}
	}
}

func TestBest(t *testing.T) {
	offered := []*v1.Platform{
		{OS: "linux", Architecture: "amd64"},
		nil, // not a candidate (an attestation)
		{OS: "linux", Architecture: "arm64"},
		{OS: "linux", Architecture: "arm64", Variant: "v8"},
		{OS: "linux", Architecture: "arm", Variant: "v6"},
		{OS: "linux", Architecture: "arm", Variant: "v7"},
	}
	tests := []struct {
		want string
		idx  int
	}{
		{want: "linux/amd64", idx: 0},
		{want: "linux/arm64", idx: 2},
		{want: "linux/arm64/v8", idx: 3},
		{want: "linux/arm", idx: 4},
		{want: "linux/arm/v7", idx: 5},
		{want: "linux/amd64/v3", idx: -1},
		{want: "unknown/unknown", idx: -1},
	}
	for _, tt := range tests {
		got := Best(mustParse(t, tt.want), offered, func(p *v1.Platform) *v1.Platform { return p })
		if got != tt.idx {
			t.Errorf("Best(%s) = %d, want %d", tt.want, got, tt.idx)
		}
	}
}

func mustParse(t *testing.T, s string) v1.Platform {
	t.Helper()
	p, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
