package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/imgcheck/imgcheck/build/koconfig"
	"github.com/imgcheck/imgcheck/platform"
)

// Builder builds images of Go main packages. Fields left zero get ko's
// defaults; see docs/build.md for the precedence of each setting.
type Builder struct {
	// WorkDir anchors relative packages and .ko.yaml paths (ko: the
	// process's working directory).
	WorkDir string
	// Environ is the ambient environment; os.Environ() when nil.
	Environ []string
	// Config is the parsed .ko.yaml; an empty one when nil.
	Config *koconfig.Config
	// Platforms from the command line ("linux/arm64", "all"); when empty,
	// KO_DEFAULTPLATFORMS, then defaultPlatforms, then linux/amd64,linux/arm64.
	Platforms []string
	// Base from the command line; when empty, baseImageOverrides, then
	// KO_DEFAULTBASEIMAGE, then defaultBaseImage, then "static".
	Base string
	// Jobs bounds concurrent platform builds; 1 when < 1.
	Jobs int
	// SBOM attaches an SPDX SBOM referrer to every image and the index.
	SBOM bool
	// Labels are added to every image's config (ko's --image-label),
	// over the base's labels.
	Labels map[string]string
	// Annotations are added to every platform manifest and the index (ko's
	// --image-annotation); they win over imgcheck's own annotations.
	Annotations map[string]string
	// User, when set, is the images' user (ko's --image-user) instead of
	// the base's.
	User string
	// Ldflags, when set, replace the ldflags of .ko.yaml (ko's --ldflags);
	// they are passed as they are, without templates.
	Ldflags []string
	// Compiler builds binaries; when nil, GoCompiler with the go command
	// KO_GO_PATH names (ko's variable), else "go" from PATH.
	Compiler Compiler
	// Verifiers judge each platform image after CheckBinary passed.
	Verifiers []Verifier
	// RemoteOptions are used to pull remote base images, whose references
	// ParseReference parses (registry.Options.ParseReference; nil means
	// name.ParseReference, HTTPS only).
	RemoteOptions  []remote.Option
	ParseReference func(string) (name.Reference, error)
	Progress       Progress
	// BeforePublish, when set, runs after every package was built and
	// checked and before anything is published; an error stops the
	// publish. This is where a whole-image verify (for example against a
	// task definition, on a staging OCI layout) plugs in.
	BeforePublish func(ctx context.Context, arts []*Artifact) error

	staticOnce  sync.Once
	staticLayer *memoryLayer
	staticErr   error
}

// Artifact is a built, checked, not yet published multi-platform image.
type Artifact struct {
	Package Package
	Index   v1.ImageIndex
	Digest  v1.Hash
	Images  []PlatformImage
	// Referrers are the SBOM artifacts; their subjects are Images and Index.
	Referrers []v1.Image
}

// PlatformImage is one entry of the index.
type PlatformImage struct {
	Platform v1.Platform
	Image    v1.Image
	Digest   v1.Hash
}

// Build compiles, checks and assembles the image of one main package. It
// publishes nothing: a *ProblemsError means the image must not be pushed.
func (b *Builder) Build(ctx context.Context, pkgArg string) (*Artifact, error) {
	env := b.Environ
	if env == nil {
		env = os.Environ()
	}
	getenv := LookupEnv(env)
	cfg := b.Config
	if cfg == nil {
		cfg = &koconfig.Config{}
	}
	pkg, err := b.resolvePackage(ctx, cfg, pkgArg)
	if err != nil {
		return nil, err
	}
	settings, err := cfg.For(b.WorkDir, pkg.ImportPath, pkg.Dir)
	if err != nil {
		return nil, err
	}
	settings.Dir = buildDir(settings, b.WorkDir, pkg)
	created, err := sourceDateEpoch(getenv("SOURCE_DATE_EPOCH"), time.Unix(0, 0))
	if err != nil {
		return nil, err
	}
	plan, err := b.plan(ctx, env, cfg, pkg, settings, created)
	if err != nil {
		return nil, err
	}
	baseRef := b.baseRef(settings, getenv)
	src, err := b.openBase(ctx, baseRef)
	if err != nil {
		return nil, err
	}
	b.progress().Report(Event{Package: pkg.Name, Stage: StageInfo, Line: "base " + src.String()})
	if settings.BuildID != "" {
		b.progress().Report(Event{Package: pkg.Name, Stage: StageInfo, Line: fmt.Sprintf("build %q from %s", settings.BuildID, cfg.Path)})
	}
	platforms, err := b.platforms(cfg, getenv, src)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "imgcheck-build-")
	if err != nil {
		return nil, fmt.Errorf("creating build directory: %w", err)
	}
	defer os.RemoveAll(tmp)

	// The first failure stops the other platforms: the build fails anyway,
	// and their errors would only be consequences of the cancellation.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var firstErr error
	var failOnce sync.Once
	results := make([]platformResult, len(platforms))
	sem := make(chan struct{}, max(b.Jobs, 1))
	var wg sync.WaitGroup
	for i, p := range platforms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				return
			}
			results[i] = b.buildPlatform(ctx, plan, src, p, filepath.Join(tmp, strconv.Itoa(i)))
			if results[i].err != nil {
				failOnce.Do(func() { firstErr = results[i].err; cancel() })
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var problems []Problem
	for _, r := range results {
		problems = append(problems, r.problems...)
	}
	if len(problems) > 0 {
		return nil, &ProblemsError{Problems: problems}
	}
	return b.assembleIndex(plan, results)
}

// sourceDateEpoch parses SOURCE_DATE_EPOCH; def when unset.
func sourceDateEpoch(v string, def time.Time) (time.Time, error) {
	if v == "" {
		return def.UTC(), nil
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil || sec < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: want a non-negative number of seconds since 1970", v)
	}
	return time.Unix(sec, 0).UTC(), nil
}

// LookupEnv returns a getenv over environ ("KEY=value" entries, the last
// of a key winning, as exec does); unset keys are "".
func LookupEnv(env []string) func(string) string {
	m := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) string { return m[k] }
}

func (b *Builder) progress() Progress {
	if b.Progress == nil {
		return discardProgress{}
	}
	return b.Progress
}

func (b *Builder) compiler() Compiler {
	if b.Compiler == nil {
		return GoCompiler{GoBinary: b.Getenv("KO_GO_PATH")}
	}
	return b.Compiler
}

func (b *Builder) baseRef(s koconfig.Settings, getenv func(string) string) string {
	switch {
	case b.Base != "":
		return b.Base
	case s.BaseFromOverride:
		return s.BaseImage
	case getenv("KO_DEFAULTBASEIMAGE") != "":
		return getenv("KO_DEFAULTBASEIMAGE")
	case s.BaseImage != "":
		return s.BaseImage
	}
	return BaseStatic
}

func (b *Builder) openBase(ctx context.Context, ref string) (baseSource, error) {
	b.staticOnce.Do(func() {
		b.staticLayer, b.staticErr = newReproducibleLayer(staticBaseFiles(), time.Unix(0, 0))
	})
	if b.staticErr != nil {
		return nil, fmt.Errorf("making the static base layer: %w", b.staticErr)
	}
	parse := b.ParseReference
	if parse == nil {
		parse = func(s string) (name.Reference, error) { return name.ParseReference(s) }
	}
	return openBase(ctx, ref, b.staticLayer, b.RemoteOptions, parse)
}

// platforms applies ko's precedence and narrows "all" to what a remote base
// offers.
func (b *Builder) platforms(cfg *koconfig.Config, getenv func(string) string, src baseSource) ([]v1.Platform, error) {
	specs := b.Platforms
	if len(specs) == 0 && getenv("KO_DEFAULTPLATFORMS") != "" {
		specs = []string{getenv("KO_DEFAULTPLATFORMS")}
	}
	if len(specs) == 0 {
		specs = cfg.DefaultPlatforms
	}
	all := false
	for _, s := range specs {
		all = all || s == "all"
	}
	if all {
		if offered := src.Platforms(); offered != nil {
			var out []v1.Platform
			for _, p := range offered {
				if p.OS == "linux" && checkVariant(p) == nil {
					out = append(out, p)
				}
			}
			if len(out) == 0 {
				return nil, errors.New("building every platform of the base image: it offers no linux platform")
			}
			return out, nil
		}
	}
	list, err := ParsePlatforms(specs)
	if err != nil {
		return nil, err
	}
	// Fail before compiling when the base cannot serve a platform.
	if offered := src.Platforms(); offered != nil {
		for _, p := range list {
			if !slices.ContainsFunc(offered, func(o v1.Platform) bool { return platform.Matches(p, o) }) {
				return nil, fmt.Errorf("the base image has no %s image (it offers %s)", platform.String(&p), platformList(offered))
			}
		}
	}
	return list, nil
}

func platformList(ps []v1.Platform) string {
	keys := make([]string, 0, len(ps))
	for _, p := range ps {
		keys = append(keys, platform.String(&p))
	}
	return strings.Join(keys, ", ")
}

// resolvePackage resolves arg in the work directory, or, for a directory
// inside a builds[].dir (another module, as in ko's multi-module setups),
// in that directory.
func (b *Builder) resolvePackage(ctx context.Context, cfg *koconfig.Config, arg string) (Package, error) {
	pkg, err := ResolvePackage(ctx, b.WorkDir, arg)
	if err == nil || !isDirArg(arg) {
		return pkg, err
	}
	target := arg
	if !filepath.IsAbs(target) {
		target = filepath.Join(b.WorkDir, target)
	}
	for _, bc := range cfg.Builds {
		if bc.Dir == "" {
			continue
		}
		dir := bc.Dir
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(b.WorkDir, dir)
		}
		rel, rerr := filepath.Rel(dir, target)
		if rerr != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		if p, perr := ResolvePackage(ctx, dir, "./"+filepath.ToSlash(rel)); perr == nil {
			return p, nil
		}
	}
	// A directory outside the work directory's module (or with no module
	// there at all): resolve it where it is.
	if p, perr := ResolvePackage(ctx, target, "."); perr == nil {
		return p, nil
	}
	return Package{}, err
}

// buildDir is where go build runs: the configured directory, or the
// package's own module when the work directory lies outside it (where ko
// would fail to build the package at all).
func buildDir(s koconfig.Settings, workDir string, pkg Package) string {
	if s.Dir != workDir || pkg.ModuleDir == "" {
		return s.Dir
	}
	if rel, err := filepath.Rel(pkg.ModuleDir, workDir); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return s.Dir
	}
	return pkg.ModuleDir
}
