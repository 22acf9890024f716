package image

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// document is a parsed manifest or index with the bytes it came from.
type document struct {
	Raw       []byte
	MediaType types.MediaType
	Digest    v1.Hash
	Index     *v1.IndexManifest // set for an index or manifest list
	Manifest  *v1.Manifest      // set for an image (or artifact) manifest
}

// docHeader holds the fields that tell what kind of document this is.
type docHeader struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     types.MediaType   `json:"mediaType"`
	Manifests     json.RawMessage   `json:"manifests"`
	Config        json.RawMessage   `json:"config"`
	FSLayers      json.RawMessage   `json:"fsLayers"`
	Signatures    json.RawMessage   `json:"signatures"`
	Annotations   map[string]string `json:"annotations"`
}

// digestOf is the sha256 digest of b.
func digestOf(b []byte) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", sha256.Sum256(b))}
}

// parseDocument classifies and parses a manifest or index. contentType is
// the media type the registry or parent descriptor announced (may be empty).
func parseDocument(raw []byte, contentType types.MediaType) (*document, error) {
	var h docHeader
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("%w: manifest is not JSON: %w", ErrMalformed, err)
	}
	mt := h.MediaType
	if mt == "" {
		mt = contentType
	}
	d := &document{Raw: raw, Digest: digestOf(raw)}
	switch {
	case h.SchemaVersion == 1 || mt == types.DockerManifestSchema1 || mt == types.DockerManifestSchema1Signed || len(h.FSLayers) > 0:
		return nil, ErrSchema1
	case h.SchemaVersion != 2:
		return nil, fmt.Errorf("%w: manifest schemaVersion %d, want 2", ErrMalformed, h.SchemaVersion)
	case mt.IsIndex() || (mt == "" && len(h.Manifests) > 0 && len(h.Config) == 0):
		idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%w: index: %w", ErrMalformed, err)
		}
		if err := checkDescriptors(idx.Manifests, "manifests"); err != nil {
			return nil, err
		}
		d.Index, d.MediaType = idx, mt
		if d.MediaType == "" {
			d.MediaType = types.OCIImageIndex
		}
	case len(h.Config) > 0:
		m, err := v1.ParseManifest(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%w: manifest: %w", ErrMalformed, err)
		}
		if err := checkDescriptors(append([]v1.Descriptor{m.Config}, m.Layers...), "layers"); err != nil {
			return nil, err
		}
		d.Manifest, d.MediaType = m, mt
		if d.MediaType == "" {
			d.MediaType = types.OCIManifestSchema1
		}
	default:
		return nil, fmt.Errorf("%w: document of media type %q is neither an index nor a manifest", ErrMalformed, mt)
	}
	return d, nil
}

func checkDescriptors(ds []v1.Descriptor, field string) error {
	for i, d := range ds {
		if d.Size < 0 {
			return fmt.Errorf("%w: %s[%d]: negative size %d", ErrMalformed, field, i, d.Size)
		}
		if d.Digest.Algorithm == "" || d.Digest.Hex == "" {
			return fmt.Errorf("%w: %s[%d]: missing digest", ErrMalformed, field, i)
		}
	}
	return nil
}

// verifyDigest checks content against the digest that names it.
func verifyDigest(what string, b []byte, want v1.Hash) error {
	if want.Algorithm != "sha256" {
		return fmt.Errorf("%w: %s: unsupported digest algorithm %q", ErrMalformed, what, want.Algorithm)
	}
	if got := digestOf(b); got != want {
		return &DigestMismatchError{What: what, Want: want, Got: got}
	}
	return nil
}

// parseConfig parses an image config blob.
func parseConfig(raw []byte) (*v1.ConfigFile, error) {
	cf, err := v1.ParseConfigFile(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: image config: %w", ErrMalformed, err)
	}
	return cf, nil
}
