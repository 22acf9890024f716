package verify

import (
	"fmt"
	"strings"

	"github.com/imgcheck/imgcheck/taskdef"
)

// Subject is one image to verify, and the container it is for. Container
// is empty in image-only mode (no task definition).
type Subject struct {
	Container string
	Ref       string
	// FromTask is true when Ref comes from the task definition rather than
	// from the command line.
	FromTask bool
}

// PairImages decides which image each container is verified with:
//
//   - no images: every container's own image;
//   - one image and no container names: the task's only container;
//   - images with container names: paired in order, one each.
//
// Containers not named keep their own image only when no image was given.
func PairImages(td *taskdef.TaskDefinition, images, containers []string) ([]Subject, error) {
	if td == nil {
		if len(containers) > 0 {
			return nil, ErrContainerWithoutTaskDef
		}
		if len(images) == 0 {
			return nil, ErrNothingToVerify
		}
		var out []Subject
		for _, ref := range images {
			out = append(out, Subject{Ref: ref})
		}
		return out, nil
	}
	if len(td.Containers) == 0 {
		return nil, fmt.Errorf("%s: the task definition has no containers", td.Source.File)
	}
	switch {
	case len(images) == 0 && len(containers) == 0:
		var out []Subject
		for _, c := range td.Containers {
			out = append(out, Subject{Container: c.Name.Value, Ref: c.Image.Value, FromTask: true})
		}
		return out, nil
	case len(images) == 0:
		var out []Subject
		for _, name := range containers {
			c, ok := containerNamed(td, name)
			if !ok {
				return nil, unknownContainer(td, name)
			}
			out = append(out, Subject{Container: name, Ref: c.Image.Value, FromTask: true})
		}
		return out, nil
	case len(containers) == 0:
		if len(images) > 1 {
			return nil, fmt.Errorf("%w: %d images and no container names", ErrPairing, len(images))
		}
		if len(td.Containers) > 1 {
			return nil, fmt.Errorf("%w: the task definition has %d containers (%s): say which one the image is for",
				ErrPairing, len(td.Containers), strings.Join(containerNames(td), ", "))
		}
		return []Subject{{Container: td.Containers[0].Name.Value, Ref: images[0]}}, nil
	case len(images) != len(containers):
		return nil, fmt.Errorf("%w: %d images and %d container names: give one name per image, in the same order", ErrPairing, len(images), len(containers))
	}
	seen := map[string]bool{}
	var out []Subject
	for i, name := range containers {
		if _, ok := containerNamed(td, name); !ok {
			return nil, unknownContainer(td, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("%w: container %s given twice", ErrPairing, name)
		}
		seen[name] = true
		out = append(out, Subject{Container: name, Ref: images[i]})
	}
	return out, nil
}

func unknownContainer(td *taskdef.TaskDefinition, name string) error {
	return fmt.Errorf("%w: container %s: the task definition has no such container (it has %s)", ErrPairing, name, strings.Join(containerNames(td), ", "))
}
