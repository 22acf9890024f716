package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/imgcheck/imgcheck/build"
	"github.com/imgcheck/imgcheck/build/ecrrepo"
	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/verify"
)

type buildOptions struct {
	packages       []string
	targets        build.Targets // the flags that name targets
	platforms      []string
	base           string
	tags           []string
	jobs           int
	sbom           string
	verifyTaskdefs []string
	params         []string
	resource       string
	imageRefs      string
	registry       registryFlags
	global         *globalOptions

	// workDir and environ default to the process's; tests set them.
	workDir string
	environ []string
	// compiler and repoCreator are seams for tests; nil means the real ones.
	compiler    build.Compiler
	repoCreator build.RepoCreator
}

func newBuildCmd(s streams, g *globalOptions) *cobra.Command {
	o := &buildOptions{global: g}
	cmd := &cobra.Command{
		Use:   "build [PACKAGE|DIR ...]",
		Short: "Build reproducible multi-platform images of Go main packages, daemonless, like ko",
		Long: `build cross-compiles each Go main package (default ".") for every platform,
puts the binary at /ko-app/<name> on a base image, checks each platform's binary
(static ELF for the right machine) and only then writes the multi-platform index:
to registries (--push, or KO_DOCKER_REPO), an OCI layout (--oci-layout) or an
OCI layout archive (--tarball). With no target it writes the layout ./out/.

.ko.yaml (or KO_CONFIG_PATH) is read as ko reads it; docs/build.md lists the
supported keys and ko's flags with their imgcheck equivalents.

stdout gets one reference per package and target (repo@sha256:..., oci:DIR@sha256:...,
tarball:FILE@sha256:...); progress goes to stderr.

Exit codes: 0 built and published; 1 the build was refused (a platform's
binary failed its check, or --verify-taskdef found errors; nothing was
published); 2 any other error.`,
		Example: `  # first build: linux/amd64 and linux/arm64 into ./out/, no registry needed
  imgcheck build ./sample-server

  # like ko build -B ./cmd/app: pushes to $KO_DOCKER_REPO/app
  KO_DOCKER_REPO=123456789012.dkr.ecr.us-east-1.amazonaws.com imgcheck build ./cmd/app

  # push to a named repository, creating it in ECR when missing
  imgcheck build ./cmd/app --push 123456789012.dkr.ecr.us-east-1.amazonaws.com/app --tag v1.2.3 --create-repo

  # verify against both Fargate task definitions before anything is written
  imgcheck build ./sample-server --verify-taskdef examples/taskdef-arm64.json --verify-taskdef examples/taskdef-x86_64.json

  # one multi-platform archive for skopeo or docker load
  imgcheck build ./cmd/app --tarball app.tar && skopeo copy oci-archive:app.tar docker://registry.example/app:v1`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.packages = args
			return runBuild(cmd.Context(), o, s)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.platforms, "platform", nil, `platforms to build, e.g. linux/amd64,linux/arm64 or "all" (default: KO_DEFAULTPLATFORMS, defaultPlatforms, then linux/amd64,linux/arm64)`)
	f.StringArrayVar(&o.targets.Push, "push", nil, "push to this repository (REPO[:tag]); with several packages REPO/<name>; repeatable")
	f.StringVar(&o.targets.OCILayout, "oci-layout", "", "write into this OCI image layout directory (default ./out when no other target is given)")
	f.StringVar(&o.targets.Tarball, "tarball", "", "write an OCI layout archive holding the whole multi-platform index to FILE")
	f.StringVar(&o.base, "base", "", `base image: "static" (built in, the default), "scratch", or a registry reference`)
	f.StringArrayVarP(&o.tags, "tag", "t", nil, `tag to apply; repeatable (default "latest")`)
	f.IntVarP(&o.jobs, "jobs", "j", runtime.GOMAXPROCS(0), "platforms compiled in parallel")
	f.StringVar(&o.sbom, "sbom", "spdx", "SBOM attached to each image and the index: spdx or none")
	f.StringArrayVar(&o.verifyTaskdefs, "verify-taskdef", nil, "before publishing, verify each built index against this task definition (file, directory, ARN or family[:rev]); repeatable")
	f.StringArrayVar(&o.params, "param", nil, "with --verify-taskdef: CloudFormation parameter value as Name=Value; repeatable")
	f.StringVar(&o.resource, "resource", "", "with --verify-taskdef: CloudFormation logical ID when the template holds several task definitions")
	f.BoolVar(&o.targets.CreateRepo, "create-repo", false, "create a missing ECR repository (scan on push enabled) instead of failing")
	f.StringVar(&o.imageRefs, "image-refs", "", "also write the published references to FILE, one per line")
	o.registry.register(f)
	return cmd
}

func runBuild(ctx context.Context, o *buildOptions, s streams) error {
	sbom, err := parseSBOMFlag(o.sbom)
	if err != nil {
		return err
	}
	b, err := build.FromEnvironment(o.workDir, o.environ)
	if err != nil {
		return err
	}
	logger := o.global.logger(s)
	regOpts := o.registry.options(logger)
	remoteOpts := regOpts.RemoteOptions(ctx)
	progress := build.NewProgressPrinter(s.err, isTerminal(s.err), len(o.packages) > 1)
	b.Platforms, b.Base, b.Jobs, b.SBOM, b.Compiler = o.platforms, o.base, o.jobs, sbom, o.compiler
	b.RemoteOptions, b.ParseReference, b.Progress = remoteOpts, regOpts.ParseReference, progress
	// Task definitions are loaded before building, so a bad path fails at
	// once. Without any, the image side of verify still runs.
	tds, err := loadTaskdefs(ctx, o)
	if err != nil {
		return err
	}
	b.BeforePublish = verifyBeforePublish(tds, verifier{image: image.Options{Registry: regOpts, Logger: logger}, failOn: verify.Error, logger: logger}, s)
	t := o.targets
	t.KODockerRepo, t.PerPackage, t.Creator = b.Getenv("KO_DOCKER_REPO"), len(o.packages) > 1, o.repoCreator
	if t.Creator == nil {
		t.Creator = ecrrepo.Creator{}
	}
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

func parseSBOMFlag(v string) (bool, error) {
	switch v {
	case "spdx":
		return true, nil
	case "none":
		return false, nil
	}
	return false, fmt.Errorf("unknown --sbom %q: want spdx or none", v)
}
