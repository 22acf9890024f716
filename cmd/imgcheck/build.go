package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/imgcheck/imgcheck/build"
	"github.com/imgcheck/imgcheck/build/ecrrepo"
	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/verify"
)

type buildOptions struct {
	packages       []string
	targets        build.Targets // the flags that name targets
	push           pushFlag
	bare           bool
	baseImportPath bool
	preservePaths  bool
	insecure       insecureFlag
	koOnly         koOnlyFlags
	platforms      []string
	base           string
	tags           []string
	labels         []string
	annotations    []string
	user           string
	ldflags        []string
	jobs           int
	sbom           string
	verifyTaskdefs []string
	params         []string
	resource       string
	imageRefs      string
	quiet          bool
	registry       registryFlags
	global         *globalOptions

	// workDir and environ default to the process's; tests set them.
	workDir string
	environ []string
	// compiler, repoCreator and transport are seams for tests; nil means
	// the real ones.
	compiler    build.Compiler
	repoCreator build.RepoCreator
	transport   http.RoundTripper
}

func newBuildCmd(s streams, g *globalOptions) *cobra.Command {
	return newBuildCmdWith(s, &buildOptions{global: g})
}

// newBuildCmdWith is newBuildCmd with options whose test seams are set.
func newBuildCmdWith(s streams, o *buildOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "build [PACKAGE|DIR ...]",
		Short: "Build reproducible multi-platform images of Go main packages, daemonless, like ko",
		Long: `build cross-compiles each Go main package (default ".") for every platform,
puts the binary at /ko-app/<name> on a base image, checks each platform's binary
(an ELF for the right machine; static on the built-in static base and scratch,
and for cgo binaries the base's loader and libraries) and only then writes the
multi-platform index: to registries (--push, or KO_DOCKER_REPO), an OCI layout
(--oci-layout) or an OCI layout archive (--tarball). With no target it writes
the layout ./out/.

.ko.yaml (or KO_CONFIG_PATH) is read as ko reads it, and ko's flags work
(--push=false, --bare, -B, -P, --tags, --oci-layout-path, ...); docs/build.md
lists the supported keys and flags with their imgcheck equivalents.

stdout gets one reference per package and target (repo@sha256:..., oci:DIR@sha256:...,
tarball:FILE@sha256:...); progress goes to stderr (--quiet: none).

Exit codes: 0 built and published; 1 the build was refused (a platform's
binary failed its check, or --verify-taskdef found errors; nothing was
published); 2 any other error.`,
		Example: `  # first build, no registry needed: the built-in static base (the repository's
  # .ko.yaml names a registry base for ko), linux/amd64 and linux/arm64, into ./out/
  imgcheck build ./sample-server --base static

  # like ko build -B ./cmd/app: pushes to $KO_DOCKER_REPO/app
  KO_DOCKER_REPO=123456789012.dkr.ecr.us-east-1.amazonaws.com imgcheck build ./cmd/app

  # like ko build --bare: pushes to $KO_DOCKER_REPO itself
  KO_DOCKER_REPO=123456789012.dkr.ecr.us-east-1.amazonaws.com/app imgcheck build --bare ./cmd/app

  # push to a named repository, creating it in ECR when missing
  imgcheck build ./cmd/app --push 123456789012.dkr.ecr.us-east-1.amazonaws.com/app --tags v1.2.3,latest --create-repo

  # like ko build --push=false: build and check, keep the result in ./out/
  imgcheck build ./cmd/app --push=false

  # verify against both Fargate task definitions before anything is written
  imgcheck build ./sample-server --base static --verify-taskdef examples/taskdef-arm64.json --verify-taskdef examples/taskdef-x86_64.json

  # one multi-platform archive for skopeo or docker load
  imgcheck build ./cmd/app --tarball app.tar && skopeo copy --all oci-archive:app.tar docker://registry.example/app:v1`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.packages = args
			return runBuild(cmd.Context(), o, s)
		},
	}
	o.registerFlags(cmd.Flags())
	return cmd
}

func (o *buildOptions) registerFlags(f *pflag.FlagSet) {
	f.StringSliceVar(&o.platforms, "platform", nil, `platforms to build, e.g. linux/amd64,linux/arm64 or "all" (default: KO_DEFAULTPLATFORMS, defaultPlatforms, then linux/amd64,linux/arm64)`)
	f.Var(&o.push, "push", "push to this repository (REPO[:tag]); with several packages REPO/<name>; repeatable. ko's bool also works: --push=false pushes nowhere (not even KO_DOCKER_REPO), --push=true pushes to KO_DOCKER_REPO besides the other targets")
	f.BoolVar(&o.bare, "bare", false, "ko's --bare: push to KO_DOCKER_REPO (or --push REPO) itself, without /<name>; one package only")
	f.BoolVarP(&o.baseImportPath, "base-import-paths", "B", false, "ko's -B: name images <repo>/<name>; the default for KO_DOCKER_REPO, and with one package it appends /<name> to --push REPO too")
	f.BoolVarP(&o.preservePaths, "preserve-import-paths", "P", false, "ko's -P: name images <repo>/<full import path>")
	layout := sameString{v: &o.targets.OCILayout}
	f.Var(layout, "oci-layout", "write into this OCI image layout directory (default ./out when no other target is given)")
	f.Var(layout, "oci-layout-path", "ko's name of --oci-layout")
	f.StringVar(&o.targets.Tarball, "tarball", "", "write an OCI layout archive holding the whole multi-platform index to FILE")
	f.StringVar(&o.base, "base", "", `base image: "static" (built in, the default), "scratch", a registry reference or an OCI layout (oci:DIR[:tag])`)
	tags := tagList{tags: &o.tags}
	f.VarP(tags, "tag", "t", `tag to apply; repeatable or comma-separated (default "latest")`)
	f.Var(tags, "tags", "ko's name of --tag (comma-separated)")
	f.StringSliceVar(&o.labels, "image-label", nil, "label to add to the image config, key=value[,key=value]; repeatable")
	f.StringSliceVar(&o.annotations, "image-annotation", nil, "annotation to add to every platform manifest and the index, key=value[,key=value]; repeatable")
	f.StringVar(&o.user, "image-user", "", "user the image runs as (default: the base image's)")
	f.StringArrayVar(&o.ldflags, "ldflags", nil, "ldflags for go build, replacing those of .ko.yaml; repeatable, joined with spaces")
	f.IntVarP(&o.jobs, "jobs", "j", runtime.GOMAXPROCS(0), "platforms compiled in parallel")
	f.StringVar(&o.sbom, "sbom", "spdx", "SBOM attached to each image and the index: spdx or none")
	f.StringArrayVar(&o.verifyTaskdefs, "verify-taskdef", nil, "before publishing, verify each built index against this task definition (file, directory, ARN or family[:rev]); repeatable")
	f.StringArrayVar(&o.params, "param", nil, "with --verify-taskdef: CloudFormation parameter value as Name=Value; repeatable")
	f.StringVar(&o.resource, "resource", "", "with --verify-taskdef: CloudFormation logical ID when the template holds several task definitions")
	f.BoolVar(&o.targets.CreateRepo, "create-repo", false, "create a missing ECR repository (scan on push enabled) instead of failing")
	f.StringVar(&o.imageRefs, "image-refs", "", "also write the published references to FILE, one per line")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print no progress on stderr (errors and refusals still)")
	// The shared registry flags, except --insecure-registry: build's is
	// ko's bool (see insecureFlag); verify's and inspect's take hosts.
	shared := pflag.NewFlagSet("registry", pflag.ContinueOnError)
	o.registry.register(shared)
	shared.VisitAll(func(fl *pflag.Flag) {
		if fl.Name != "insecure-registry" {
			f.AddFlag(fl)
		}
	})
	f.Var(&o.insecure, "insecure-registry", "ko's bool: allow plain HTTP to the registries of this build (its push targets and base images); --insecure-registry=HOST[,HOST] (with =) names hosts instead. Loopback hosts are always allowed")
	f.Lookup("insecure-registry").NoOptDefVal = "true"
	o.koOnly.register(f)
}

func runBuild(ctx context.Context, o *buildOptions, s streams) error {
	if err := o.checkFlags(); err != nil {
		return err
	}
	sbom, err := parseSBOMFlag(o.sbom)
	if err != nil {
		return err
	}
	b, err := build.FromEnvironment(o.workDir, o.environ)
	if err != nil {
		return err
	}
	if err := o.configureBuilder(b); err != nil {
		return err
	}
	t, err := o.buildTargets(b)
	if err != nil {
		return err
	}
	logger := o.global.logger(s)
	o.registry.insecure = o.insecureHosts(t, b)
	regOpts := o.registry.options(logger)
	if o.transport != nil {
		regOpts.Transport = o.transport
	}
	remoteOpts := regOpts.RemoteOptions(ctx)
	progress := o.progress(ctx, s)
	defer progress.Done()
	b.Jobs, b.SBOM, b.Compiler = o.jobs, sbom, o.compiler
	b.RemoteOptions, b.ParseReference, b.Progress = remoteOpts, regOpts.ParseReference, progress
	// Task definitions are loaded before building, so a bad path fails at
	// once. Without any, the image side of verify still runs.
	tds, err := loadTaskdefs(ctx, o)
	if err != nil {
		return err
	}
	b.BeforePublish = verifyBeforePublish(tds, verifier{image: image.Options{Registry: regOpts, Logger: logger}, failOn: verify.Error, logger: logger}, s, progress, o.quiet)
	t.NameOptions, t.RemoteOptions, t.Jobs, t.Progress = regOpts.NameOptions, remoteOpts, o.jobs, progress
	pubs, err := t.Publishers()
	if err != nil {
		return err
	}
	results, err := b.BuildAndPublish(ctx, o.packages, o.tags, pubs)
	progress.Done()
	var refused *build.ProblemsError
	if errors.As(err, &refused) {
		return findingsError("%s", refused.Error())
	}
	if err != nil {
		return err
	}
	return writeRefs(results, o.imageRefs, s)
}

// checkFlags refuses ko flags with no meaning here and contradictions.
func (o *buildOptions) checkFlags() error {
	if err := o.koOnly.err(); err != nil {
		return err
	}
	if o.push.mode == build.DockerRepoOff && len(o.push.repos) > 0 {
		return fmt.Errorf("--push=false and --push %s contradict each other", o.push.repos[0])
	}
	if o.insecure.all {
		return hostTakenForPackage(o.packages)
	}
	return nil
}

// configureBuilder applies the flags that shape the images.
func (o *buildOptions) configureBuilder(b *build.Builder) error {
	labels, err := parseKeyValues("--image-label", o.labels)
	if err != nil {
		return err
	}
	annotations, err := parseKeyValues("--image-annotation", o.annotations)
	if err != nil {
		return err
	}
	b.Platforms, b.Base = o.platforms, o.base
	b.Labels, b.Annotations, b.User, b.Ldflags = labels, annotations, o.user, o.ldflags
	return nil
}

// buildTargets combines the target flags with KO_DOCKER_REPO.
func (o *buildOptions) buildTargets(b *build.Builder) (build.Targets, error) {
	naming, err := namingFrom(o.bare, o.baseImportPath, o.preservePaths)
	if err != nil {
		return build.Targets{}, err
	}
	t := o.targets
	t.Push, t.DockerRepo, t.Naming = o.push.repos, o.push.mode, naming
	t.KODockerRepo, t.PerPackage, t.Creator = b.Getenv("KO_DOCKER_REPO"), len(o.packages) > 1, o.repoCreator
	if t.Creator == nil {
		t.Creator = ecrrepo.Creator{}
	}
	return t, nil
}

// insecureHosts are the hosts plain HTTP may reach: those named with
// --insecure-registry=HOST, and with the bare flag every registry this
// build pushes to or pulls a base from.
func (o *buildOptions) insecureHosts(t build.Targets, b *build.Builder) []string {
	hosts := slices.Clone(o.insecure.hosts)
	if o.insecure.all {
		hosts = append(append(hosts, t.RegistryHosts()...), b.BaseRegistryHosts()...)
	}
	return hosts
}

func parseSBOMFlag(v string) (bool, error) {
	switch v {
	case "spdx":
		return true, nil
	case "none":
		return false, nil
	}
	return false, fmt.Errorf("unknown --sbom %q: want spdx or none", v)
}
