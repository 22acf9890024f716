package build

import (
	"fmt"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/platform"
)

// allBuiltinPlatforms is what "all" means for the built-in static and scratch bases.
// For a remote base, "all" means every platform the base index offers.
var allBuiltinPlatforms = []string{"linux/amd64", "linux/arm64", "linux/arm/v7", "linux/ppc64le", "linux/s390x"}

// linuxGOARCH are the architectures Go supports for GOOS=linux.
var linuxGOARCH = map[string]bool{
	"386": true, "amd64": true, "arm": true, "arm64": true, "loong64": true,
	"mips": true, "mipsle": true, "mips64": true, "mips64le": true,
	"ppc64": true, "ppc64le": true, "riscv64": true, "s390x": true,
}

// defaultPlatforms is what imgcheck builds when neither --platform nor
// defaultPlatforms says: the two platforms Fargate runs.
var defaultPlatforms = []string{"linux/amd64", "linux/arm64"}

// ParsePlatforms parses os/arch[/variant] strings with platform.Parse.
// "all" expands to the built-in list; a remote base narrows it later (see
// Builder).
func ParsePlatforms(specs []string) ([]v1.Platform, error) {
	var out []v1.Platform
	seen := map[string]bool{}
	for _, spec := range specs {
		for s := range strings.SplitSeq(spec, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			list := []string{s}
			if s == "all" {
				list = allBuiltinPlatforms
			}
			for _, one := range list {
				p, err := platform.Parse(one)
				if err != nil {
					return nil, err
				}
				if !linuxGOARCH[p.Architecture] {
					return nil, fmt.Errorf("platform %q: architecture %q is not one Go builds for linux", one, p.Architecture)
				}
				if p.OS != "linux" {
					return nil, fmt.Errorf("platform %q: only linux images are supported", one)
				}
				if err := checkVariant(p); err != nil {
					return nil, err
				}
				if key := platform.String(&p); !seen[key] {
					seen[key] = true
					out = append(out, p)
				}
			}
		}
	}
	if len(out) == 0 {
		return ParsePlatforms(defaultPlatforms)
	}
	return out, nil
}

func checkVariant(p v1.Platform) error {
	if p.Variant == "" {
		return nil
	}
	ok := false
	switch p.Architecture {
	case "arm":
		ok = slices.Contains([]string{"v5", "v6", "v7"}, p.Variant)
	case "amd64":
		ok = slices.Contains([]string{"v1", "v2", "v3", "v4"}, p.Variant)
	case "arm64":
		ok = p.Variant == "v8" || strings.HasPrefix(p.Variant, "v8.") || strings.HasPrefix(p.Variant, "v9")
	}
	if !ok {
		return fmt.Errorf("platform %s: variant %q is not one Go can target for %s", p, p.Variant, p.Architecture)
	}
	return nil
}

// goEnv is the environment that selects p in the Go toolchain.
func goEnv(p v1.Platform) []string {
	env := []string{"GOOS=" + p.OS, "GOARCH=" + p.Architecture}
	switch {
	case p.Architecture == "arm" && p.Variant != "":
		env = append(env, "GOARM="+strings.TrimPrefix(p.Variant, "v"))
	case p.Architecture == "amd64" && p.Variant != "":
		env = append(env, "GOAMD64="+p.Variant)
	case p.Architecture == "arm64" && p.Variant != "" && p.Variant != "v8":
		env = append(env, "GOARM64="+p.Variant)
	}
	return env
}
