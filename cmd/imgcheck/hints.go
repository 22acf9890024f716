package main

import (
	"errors"
	"fmt"

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
	case errors.Is(err, ecrrepo.ErrNotECR):
		return "leave out --create-repo for this registry"
	}
	return ""
}

// withFlagHint appends the flag hint, if any, to the error's message.
func withFlagHint(err error) error {
	if hint := flagHint(err); hint != "" {
		return fmt.Errorf("%w (%s)", err, hint)
	}
	return err
}
