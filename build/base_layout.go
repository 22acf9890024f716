package build

import (
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/imgcheck/imgcheck/image"
)

// layoutSource is a base image or index in a local OCI image layout, so
// that a base can be used with no registry at all (oci:DIR[:tag|@digest]).
type layoutSource struct {
	ref    string
	digest v1.Hash
	index  v1.ImageIndex // nil for a single image
	image  v1.Image
}

// openLayoutBase opens the layout r names and picks its root: the entry
// with the digest or the ref.name tag asked for, else the only entry that
// is not an artifact (an image next to its SBOMs).
func openLayoutBase(ref string, r image.Ref) (baseSource, error) {
	idx, err := layout.ImageIndexFromPath(r.Name)
	if err != nil {
		return nil, fmt.Errorf("base image %s: reading the OCI layout: %w", ref, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("base image %s: %w", ref, err)
	}
	pick := -1
	for i, d := range im.Manifests {
		switch {
		case r.Digest != (v1.Hash{}) && d.Digest == r.Digest,
			r.Tag != "" && d.Annotations[AnnotationRefName] == r.Tag:
			pick = i
		}
		if pick >= 0 {
			break
		}
	}
	if pick < 0 && r.Digest == (v1.Hash{}) && r.Tag == "" {
		pick = soleRunnable(im.Manifests)
	}
	if pick < 0 {
		return nil, fmt.Errorf("base image %s: the layout has no entry with that tag or digest, or several and none was named (add :tag or @sha256:...)", ref)
	}
	d := im.Manifests[pick]
	src := &layoutSource{ref: ref, digest: d.Digest}
	switch {
	case d.MediaType.IsIndex():
		src.index, err = idx.ImageIndex(d.Digest)
	case d.MediaType.IsImage():
		src.image, err = idx.Image(d.Digest)
	default:
		err = fmt.Errorf("entry %s has media type %s, not an image or index", d.Digest, d.MediaType)
	}
	if err != nil {
		return nil, fmt.Errorf("base image %s: %w", ref, err)
	}
	return src, nil
}

// soleRunnable returns the only entry that is not an artifact, or -1.
// go-containerregistry writes an image's config media type as its
// artifactType, so those count as images.
func soleRunnable(ds []v1.Descriptor) int {
	found := -1
	for i, d := range ds {
		if t := types.MediaType(d.ArtifactType); t != "" && t != types.OCIConfigJSON && t != types.DockerConfigJSON {
			continue
		}
		if found >= 0 {
			return -1
		}
		found = i
	}
	return found
}

func (s *layoutSource) Platforms() []v1.Platform { return indexPlatforms(s.index) }

func (s *layoutSource) String() string { return s.ref + "@" + s.digest.String() }

// For takes the platform image apart. A layout has no registry name, so
// the images get no base.name or base.digest annotation.
func (s *layoutSource) For(_ context.Context, p v1.Platform) (*baseImage, error) {
	img := s.image
	if s.index != nil {
		var err error
		if img, err = indexImage(s.index, p, s.ref); err != nil {
			return nil, err
		}
	}
	return baseFromImage(s.ref, "", img, p)
}
