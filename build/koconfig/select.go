package koconfig

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/imgcheck/imgcheck/image/filecap"
)

// Settings are the raw (unrendered) build settings that apply to one main
// package, after ko's rules for defaults were applied.
type Settings struct {
	// BuildID is the id of the builds[] entry used; empty when none matched.
	BuildID string
	// Dir is the directory go build runs in (builds[].dir, default the
	// working directory).
	Dir     string
	Env     []string
	Flags   []string
	Ldflags []string
	// BaseImage is the base image for this package: an override for its
	// import path, else defaultBaseImage, else "" (the caller's default).
	BaseImage string
	// BaseFromOverride is true when BaseImage came from baseImageOverrides,
	// which outranks KO_DEFAULTBASEIMAGE.
	BaseFromOverride bool
	// FileCaps is the security.capability attribute the binary gets on
	// linux platforms (builds[].linux_capabilities; ko has no default for
	// it); nil for none.
	FileCaps *filecap.Caps
}

// For returns the settings for the main package with the given import path
// and absolute directory. workDir is where relative dir and main values in
// the configuration are anchored (ko: its working directory). A builds[]
// entry applies when dir joined with main names the package's directory,
// or when main is the package's import path.
func (c *Config) For(workDir, importPath, pkgDir string) (Settings, error) {
	s := Settings{
		Dir:       workDir,
		Env:       c.DefaultEnv,
		Flags:     c.DefaultFlags,
		Ldflags:   c.DefaultLdflags,
		BaseImage: c.DefaultBaseImage,
	}
	if base, ok := c.BaseImageOverrides[strings.ToLower(importPath)]; ok {
		s.BaseImage, s.BaseFromOverride = base, true
	}
	var matched *Build
	for i := range c.Builds {
		b := &c.Builds[i]
		if !b.matches(workDir, importPath, pkgDir) {
			continue
		}
		if matched != nil {
			return s, fmt.Errorf("%s: builds at lines %d and %d both match %s; ko would pick one arbitrarily, make them distinct",
				c.Path, matched.Line, b.Line, importPath)
		}
		matched = b
	}
	if matched == nil {
		return s, nil
	}
	s.BuildID = matched.ID
	if matched.Dir != "" {
		s.Dir = abs(workDir, matched.Dir)
	}
	// ko: a build's own list replaces the default; it is not merged.
	if matched.Env != nil {
		s.Env = matched.Env
	}
	if matched.Flags != nil {
		s.Flags = matched.Flags
	}
	if matched.Ldflags != nil {
		s.Ldflags = matched.Ldflags
	}
	s.FileCaps = matched.FileCaps
	return s, nil
}

func (b *Build) matches(workDir, importPath, pkgDir string) bool {
	main := b.Main
	if main == "" {
		main = "."
	}
	if main == importPath {
		return true
	}
	p := abs(abs(workDir, b.Dir), main)
	if strings.HasSuffix(p, ".go") {
		p = filepath.Dir(p)
	}
	return p == filepath.Clean(pkgDir)
}

func abs(base, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}
