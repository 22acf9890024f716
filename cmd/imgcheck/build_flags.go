package main

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/imgcheck/imgcheck/build"
)

// pushFlag is --push. ko's --push is a bool (default true: push to
// KO_DOCKER_REPO); imgcheck's names a repository. A value Go's
// strconv.ParseBool reads (true, false, 1, 0, t, f) is ko's bool, any
// other value a repository, so both "--push=false" and "--push REPO" work.
type pushFlag struct {
	repos []string
	mode  build.DockerRepoPush
}

func (p *pushFlag) String() string { return strings.Join(p.repos, ",") }
func (p *pushFlag) Type() string   { return "REPO|bool" }

func (p *pushFlag) Set(v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.repos = append(p.repos, v)
		return nil
	}
	mode := build.DockerRepoOff
	if b {
		mode = build.DockerRepoOn
	}
	if p.mode != build.DockerRepoAuto && p.mode != mode {
		return errors.New("given both true and false")
	}
	p.mode = mode
	return nil
}

// insecureFlag is build's --insecure-registry: ko's bool, so that
// "--insecure-registry ./cmd/app" builds ./cmd/app. Bare (or =true) it
// allows plain HTTP to the registries of this build: its push targets and
// its base images. "--insecure-registry=HOST[,HOST]" (with "=") names
// hosts instead, as verify and inspect take them.
type insecureFlag struct {
	all   bool
	hosts []string
}

// Type is "bool" so that help shows the flag as ko does (no value).
func (f *insecureFlag) Type() string { return "bool" }

func (f *insecureFlag) String() string {
	if len(f.hosts) > 0 {
		return strings.Join(f.hosts, ",")
	}
	return strconv.FormatBool(f.all)
}

func (f *insecureFlag) Set(v string) error {
	if b, err := strconv.ParseBool(v); err == nil {
		f.all = b
		return nil
	}
	for h := range strings.SplitSeq(v, ",") {
		if h = strings.TrimSpace(h); h != "" {
			f.hosts = append(f.hosts, h)
		}
	}
	return nil
}

// tagList backs both --tag (repeatable) and ko's --tags (a comma list):
// a tag cannot hold a comma, so every value is split on commas.
type tagList struct{ tags *[]string }

func (l tagList) String() string { return strings.Join(*l.tags, ",") }
func (l tagList) Type() string   { return "strings" }

func (l tagList) Set(v string) error {
	for t := range strings.SplitSeq(v, ",") {
		if t = strings.TrimSpace(t); t != "" {
			*l.tags = append(*l.tags, t)
		}
	}
	return nil
}

// sameString backs a flag and its ko alias (--oci-layout and
// --oci-layout-path): both may be given only with the same value.
type sameString struct{ v *string }

func (s sameString) String() string { return *s.v }
func (s sameString) Type() string   { return "string" }

func (s sameString) Set(v string) error {
	if *s.v != "" && *s.v != v {
		return fmt.Errorf("already set to %q", *s.v)
	}
	*s.v = v
	return nil
}

// koOnlyFlags are ko flags that have no meaning here; each is accepted so
// that the error can name the equivalent (see koOnlyError).
type koOnlyFlags struct {
	local, debug, disableOptimizations, tagOnly bool
	sbomDir                                     string
}

func (k *koOnlyFlags) register(f *pflag.FlagSet) {
	f.BoolVarP(&k.local, "local", "L", false, "ko's --local: not supported (see docs/build.md)")
	f.BoolVar(&k.debug, "debug", false, "ko's --debug: not supported")
	f.BoolVar(&k.disableOptimizations, "disable-optimizations", false, "ko's --disable-optimizations: not supported")
	f.BoolVar(&k.tagOnly, "tag-only", false, "ko's --tag-only: not supported")
	f.StringVar(&k.sbomDir, "sbom-dir", "", "ko's --sbom-dir: not supported")
	for _, n := range []string{"local", "debug", "disable-optimizations", "tag-only", "sbom-dir"} {
		_ = f.MarkHidden(n)
	}
}

// err names the imgcheck equivalent of the first ko-only flag that is on.
func (k *koOnlyFlags) err() error {
	switch {
	case k.local:
		return errors.New("--local (-L): imgcheck loads nothing into a Docker daemon; write an archive with --tarball FILE and load it with docker load -i FILE")
	case k.debug:
		return errors.New("--debug: imgcheck does not put Delve into images; build a debug image with ko, or run the binary under dlv locally")
	case k.disableOptimizations:
		return errors.New(`--disable-optimizations: add flags: ["-gcflags=all=-N -l"] to the build in .ko.yaml`)
	case k.tagOnly:
		return errors.New("--tag-only: imgcheck prints references by digest only; the tags are pushed as --tag says, read them with crane ls or skopeo list-tags")
	case k.sbomDir != "":
		return errors.New("--sbom-dir: the SBOM is attached to every image and the index as an OCI referrer (docs/build.md); read it from the registry or the --oci-layout directory")
	}
	return nil
}

// namingFrom turns ko's naming flags into a build.Naming; ko lets -P win
// over -B over --bare with a warning, imgcheck refuses the mix.
func namingFrom(bare, base, preserve bool) (build.Naming, error) {
	var set []string
	naming := build.NamingDefault
	for _, f := range []struct {
		on   bool
		flag string
		n    build.Naming
	}{{bare, "--bare", build.NamingBare}, {base, "--base-import-paths (-B)", build.NamingBase}, {preserve, "--preserve-import-paths (-P)", build.NamingPreserve}} {
		if f.on {
			set, naming = append(set, f.flag), f.n
		}
	}
	if len(set) > 1 {
		return 0, fmt.Errorf("%s each name the repository differently; give one", strings.Join(set, " and "))
	}
	return naming, nil
}

// parseKeyValues reads --image-label and --image-annotation values.
func parseKeyValues(flag string, list []string) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(list))
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%s %q: want key=value", flag, kv)
		}
		out[k] = v
	}
	return out, nil
}

// hostLike matches what a registry host looks like (reg.example,
// reg:5000), not a package.
var hostLike = regexp.MustCompile(`^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]+)?$`)

// hostTakenForPackage catches "--insecure-registry HOST ./pkg", the form
// build took before its flag became ko's bool: HOST is now a package.
func hostTakenForPackage(packages []string) error {
	for _, p := range packages {
		if !hostLike.MatchString(p) || !(strings.Contains(p, ".") || strings.Contains(p, ":")) || p == "." || p == ".." {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			continue
		}
		return fmt.Errorf("%s looks like a registry host, not a package: in build, --insecure-registry is ko's bool and takes no value; write --insecure-registry=%s to name the host", p, p)
	}
	return nil
}
