package verify

import "errors"

// Errors a program can test with errors.Is to tell its user what to give
// (imgcheck names the flags).
var (
	// ErrNothingToVerify: no image and no task definition.
	ErrNothingToVerify = errors.New("nothing to verify: no image and no task definition")
	// ErrContainerWithoutTaskDef: container names given without a task
	// definition to look them up in.
	ErrContainerWithoutTaskDef = errors.New("container names need a task definition")
	// ErrPairing: the images given cannot be paired with the task
	// definition's containers (one container name per image, in order).
	ErrPairing = errors.New("cannot pair the images with containers")
	// ErrUnresolvedImage: a container's image is a template or parameter
	// that is not known before deployment.
	ErrUnresolvedImage = errors.New("container image not known")
	// ErrInstanceArchitecture: the task can run on EC2 or EXTERNAL
	// instances and nothing says their CPU architecture.
	ErrInstanceArchitecture = errors.New("CPU architecture decided by the instance")
	// ErrUnresolvedValue: a task or service value a rule reads is still an
	// expression or placeholder.
	ErrUnresolvedValue = errors.New("task definition value not known")
	// ErrPlatformsNotNeeded: platforms were given for a task whose
	// definition (runtimePlatform, Fargate, placement constraints) decides
	// the platform itself.
	ErrPlatformsNotNeeded = errors.New("platforms were given, but the task definition decides the platform")
)
