package platform

import (
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Parse parses "os/arch[/variant][:os.version]", for example
// "linux/arm64", "linux/arm/v7" or "windows/amd64:10.0.20348".
func Parse(s string) (v1.Platform, error) {
	var p v1.Platform
	spec := s
	if i := strings.Index(spec, ":"); i >= 0 {
		spec, p.OSVersion = spec[:i], spec[i+1:]
	}
	parts := strings.Split(spec, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return p, fmt.Errorf("platform %q: want os/arch[/variant][:os.version]", s)
	}
	p.OS, p.Architecture = strings.ToLower(parts[0]), normalizeArch(parts[1])
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}

// String renders os/arch[/variant][:os.version]; "unknown" for nil (an
// index entry that names no platform).
func String(p *v1.Platform) string {
	if p == nil {
		return "unknown"
	}
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	if p.OSVersion != "" {
		s += ":" + p.OSVersion
	}
	return s
}

// Matches reports whether have serves want, by the rule in the package
// documentation.
func Matches(want, have v1.Platform) bool {
	if !strings.EqualFold(want.OS, have.OS) || normalizeArch(want.Architecture) != normalizeArch(have.Architecture) {
		return false
	}
	if want.Variant != "" && want.Variant != have.Variant {
		if have.Variant != "" || want.Variant != baselineVariant(normalizeArch(want.Architecture)) {
			return false
		}
	}
	if want.OSVersion != "" && strings.EqualFold(want.OS, "windows") {
		return windowsBuildOf(want.OSVersion) == windowsBuildOf(have.OSVersion)
	}
	return true
}

// OSArch is p without variant and os.version: Matches(OSArch(want), have)
// compares only os and architecture.
func OSArch(p v1.Platform) v1.Platform {
	return v1.Platform{OS: p.OS, Architecture: p.Architecture}
}

// Best returns the index of the item whose platform best serves want, or
// -1 when none does. platformOf returns nil for items that are not
// candidates (attestations, artifacts). An exact variant beats an implied
// one; otherwise the first match wins, as a runtime takes index order.
func Best[T any](want v1.Platform, items []T, platformOf func(T) *v1.Platform) int {
	best, exact := -1, false
	for i, item := range items {
		p := platformOf(item)
		if p == nil || !Matches(want, *p) {
			continue
		}
		if best < 0 || (!exact && p.Variant == want.Variant) {
			best, exact = i, p.Variant == want.Variant
		}
	}
	return best
}

// normalizeArch maps kernel and vendor names to GOARCH names.
func normalizeArch(a string) string {
	switch a = strings.ToLower(a); a {
	case "x86_64", "x86-64":
		return "amd64"
	case "aarch64":
		return "arm64"
	case "i386", "i686", "x86":
		return "386"
	}
	return a
}

// baselineVariant is the variant that no variant means.
func baselineVariant(arch string) string {
	switch arch {
	case "arm64":
		return "v8"
	case "amd64":
		return "v1"
	}
	return ""
}

// windowsBuildOf is major.minor.build, the first three parts of a Windows
// os.version.
func windowsBuildOf(osVersion string) string {
	parts := strings.SplitN(osVersion, ".", 4)
	return strings.Join(parts[:min(3, len(parts))], ".")
}
