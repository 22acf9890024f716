package verify

import (
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/taskdef"
)

// ErrNotPassed: a task definition is pinned only after a passing run.
var ErrNotPassed = errors.New("verification did not pass")

// PinTaskDef returns the task definition with each verified registry image
// referenced by the digest that was verified, in the file's own format. It
// refuses unless the report passed: a pinned file is a promise.
func PinTaskDef(td *taskdef.TaskDefinition, r *Report) ([]byte, error) {
	if r.Verdict != VerdictPass {
		return nil, ErrNotPassed
	}
	images := map[string]string{}
	for _, p := range r.Pinned {
		images[p.Container] = p.To
	}
	if len(images) == 0 {
		return nil, errors.New("no registry image to pin (images in OCI layouts, archives and builds cannot be deployed)")
	}
	data, err := td.RewriteImages(images)
	if err != nil {
		return nil, fmt.Errorf("pinning %s: %w", td.Source.File, err)
	}
	return data, nil
}

// pinRef turns a registry reference into repo@digest. Other references
// (oci:, tarball:, build:) are not pinned: ECS cannot pull them.
func pinRef(ref string, digest v1.Hash) (string, bool) {
	r, err := image.ParseRef(ref)
	if err != nil || !r.Deployable() {
		return "", false
	}
	n, err := name.ParseReference(r.Name)
	if err != nil {
		return "", false
	}
	return n.Context().Name() + "@" + digest.String(), true
}
