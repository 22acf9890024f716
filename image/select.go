package image

import (
	"context"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ParsePlatform parses "os/arch[/variant][:os.version]", for example
// "linux/arm64", "linux/arm/v7" or "windows/amd64:10.0.20348".
func ParsePlatform(s string) (v1.Platform, error) {
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

// normalizeArch maps kernel and vendor names to GOARCH names.
func normalizeArch(a string) string {
	switch strings.ToLower(a) {
	case "x86_64", "x86-64", "amd64":
		return "amd64"
	case "aarch64", "arm64":
		return "arm64"
	case "i386", "i686", "x86":
		return "386"
	}
	return strings.ToLower(a)
}

// defaultVariant is the variant that an empty variant means.
func defaultVariant(arch string) string {
	switch arch {
	case "arm64":
		return "v8"
	case "amd64":
		return "v1"
	}
	return ""
}

// platformMatches: os and architecture must be equal; an unasked variant
// matches any (arm64 and amd64 binaries of one architecture share a
// kernel ABI), an asked variant matches itself or an empty variant when
// it is the architecture's default (linux/arm64/v8 = linux/arm64); a
// Windows os.version matches on its first three parts (the OS build).
func platformMatches(want v1.Platform, have *v1.Platform) bool {
	if have == nil || !strings.EqualFold(want.OS, have.OS) || normalizeArch(want.Architecture) != normalizeArch(have.Architecture) {
		return false
	}
	if want.Variant != "" && want.Variant != have.Variant {
		def := defaultVariant(normalizeArch(want.Architecture))
		if !(want.Variant == def && have.Variant == "") {
			return false
		}
	}
	if want.OSVersion != "" && strings.EqualFold(want.OS, "windows") {
		return osBuild(want.OSVersion) == osBuild(have.OSVersion)
	}
	return true
}

// osBuild is the first three dot-separated parts of a Windows os.version.
func osBuild(v string) string {
	parts := strings.SplitN(v, ".", 4)
	return strings.Join(parts[:min(3, len(parts))], ".")
}

// Select opens the runnable manifest for a platform. Attestations and
// artifacts are never selected. When several match, an exact variant wins,
// then the first in index order.
func (s *Source) Select(ctx context.Context, want v1.Platform) (*Platform, error) {
	all, err := s.Platforms(ctx)
	if err != nil {
		return nil, err
	}
	var best *Manifest
	for i := range all {
		m := &all[i]
		if m.Kind != KindRunnable || !platformMatches(want, m.Platform) {
			continue
		}
		if best == nil || (m.Platform.Variant == want.Variant && best.Platform.Variant != want.Variant) {
			best = m
		}
	}
	if best == nil {
		return nil, &NoMatchingPlatformError{Want: want, Available: all}
	}
	return s.OpenManifest(ctx, *best)
}
