package build

import (
	"bytes"
	"encoding/json"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// newIndex writes an OCI image index over the platform images. The
// descriptors carry media type, digest, size and platform only: no
// artifactType (go-containerregistry would copy the config media type
// there, and tools such as skopeo 1.9 drop the field when copying, which
// changes the index digest).
func newIndex(images []PlatformImage, annotations map[string]string) (*rawIndex, error) {
	m := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Annotations: annotations}
	byDigest := make(map[v1.Hash]v1.Image, len(images))
	for _, pi := range images {
		d, err := describe(pi.Image)
		if err != nil {
			return nil, err
		}
		pl := pi.Platform
		d.Platform = &pl
		m.Manifests = append(m.Manifests, d)
		byDigest[d.Digest] = pi.Image
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding image index: %w", err)
	}
	digest, size, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return &rawIndex{raw: raw, manifest: &m, digest: digest, size: size, images: byDigest}, nil
}

// rawIndex is an index whose bytes are fixed at creation.
type rawIndex struct {
	raw      []byte
	manifest *v1.IndexManifest
	digest   v1.Hash
	size     int64
	images   map[v1.Hash]v1.Image
}

func (r *rawIndex) MediaType() (types.MediaType, error) { return types.OCIImageIndex, nil }
func (r *rawIndex) Digest() (v1.Hash, error)            { return r.digest, nil }
func (r *rawIndex) Size() (int64, error)                { return r.size, nil }
func (r *rawIndex) RawManifest() ([]byte, error)        { return r.raw, nil }
func (r *rawIndex) IndexManifest() (*v1.IndexManifest, error) {
	return r.manifest.DeepCopy(), nil
}

func (r *rawIndex) Image(h v1.Hash) (v1.Image, error) {
	if img, ok := r.images[h]; ok {
		return img, nil
	}
	return nil, fmt.Errorf("image %s is not in this index", h)
}

func (r *rawIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	return nil, fmt.Errorf("index %s is not in this index: it holds only images", h)
}
