package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/imgcheck/imgcheck/build"
	"github.com/imgcheck/imgcheck/build/ecrrepo"
	"github.com/imgcheck/imgcheck/registry"
	"github.com/imgcheck/imgcheck/taskdef"
	"github.com/imgcheck/imgcheck/verify"
)

// flagHint names the flag that fixes an error a library reported in its
// own terms ("" when none does). Libraries never mention flags; the
// command line is imgcheck's.
func flagHint(err error) string {
	var plain *registry.PlainHTTPError
	switch {
	case errors.As(err, &plain):
		return fmt.Sprintf("use --insecure-registry %s if intended", plain.Host)
	case errors.Is(err, taskdef.ErrAmbiguous):
		return "pick one with --resource NAME"
	case errors.Is(err, taskdef.ErrNoDesiredCount):
		return "pass --count N"
	case errors.Is(err, verify.ErrNothingToVerify):
		return "give an IMAGE, or --taskdef FILE to verify its images"
	case errors.Is(err, verify.ErrContainerWithoutTaskDef):
		return "--container needs --taskdef"
	case errors.Is(err, verify.ErrPairing):
		return "name the container of each IMAGE with one --container NAME per image, in order"
	case errors.Is(err, verify.ErrUnresolvedImage):
		return "pass the image as IMAGE with --container NAME, or CloudFormation parameters with --param Name=Value"
	case errors.Is(err, verify.ErrInstanceArchitecture):
		return "name the instances' platforms with --platform linux/arm64 (repeatable)"
	case errors.Is(err, verify.ErrPlatformsNotNeeded):
		return "leave out --platform for this task definition"
	case errors.Is(err, verify.ErrUnresolvedValue):
		return "give CloudFormation parameters with --param Name=Value"
	case errors.Is(err, build.ErrDaemonTarget):
		return "use --tarball FILE, then docker load -i FILE"
	case errors.Is(err, build.ErrCreateRepoWithoutRegistry):
		return "--create-repo needs --push REPO or KO_DOCKER_REPO"
	case errors.Is(err, build.ErrNoDockerRepo):
		return "set KO_DOCKER_REPO, or leave out --push=true"
	case errors.Is(err, build.ErrBareSeveral):
		return "--bare takes one package"
	case errors.Is(err, ecrrepo.ErrNotECR):
		return "leave out --create-repo for this registry"
	}
	return ""
}

// buildFlagHint is flagHint for imgcheck build, whose --verify-taskdef
// verifies the image it built as a task's only container and has no
// --container, and whose --platform names the platforms to build, not
// those of a task's instances.
func buildFlagHint(err error) string {
	const instead = "build the image into an OCI layout with --push=false, then run imgcheck verify oci:DIR --taskdef FILE"
	switch {
	case errors.Is(err, verify.ErrPairing):
		return instead + " --container NAME"
	case errors.Is(err, verify.ErrInstanceArchitecture):
		return instead + " --platform linux/arm64, or set the task's runtimePlatform.cpuArchitecture"
	}
	return flagHint(err)
}

// withFlagHint appends the flag hint, if any, to the error's message.
func withFlagHint(err error) error {
	return withHint(err, flagHint)
}

// withCommandHint is withFlagHint with the hints of the command that
// failed (cmd nil: the shared ones).
func withCommandHint(cmd *cobra.Command, err error) error {
	if cmd != nil && cmd.Name() == "build" {
		return withHint(err, buildFlagHint)
	}
	return withFlagHint(err)
}

func withHint(err error, hintFor func(error) string) error {
	if hint := hintFor(err); hint != "" {
		return fmt.Errorf("%w (%s)", err, hint)
	}
	return err
}
