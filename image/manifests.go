package image

import (
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Kind says what an index entry is for.
type Kind string

// Kinds of manifests.
const (
	KindRunnable    Kind = "runnable"    // an image for a platform
	KindAttestation Kind = "attestation" // a buildkit attestation (SBOM, provenance)
	KindArtifact    Kind = "artifact"    // signatures, SBOMs and other non-image content
	KindIndex       Kind = "index"       // a nested index (its children are listed too)
)

// Docker's annotation that marks attestation manifests.
const (
	annotationReferenceType = "vnd.docker.reference.type"
	attestationManifest     = "attestation-manifest"
	annotationReferenceDig  = "vnd.docker.reference.digest"
)

// Manifest is one entry of an image: a child of an index (nested indexes
// flattened) or, for a single-manifest image, the image itself.
type Manifest struct {
	Digest      v1.Hash           `json:"digest"`
	MediaType   types.MediaType   `json:"mediaType"`
	Size        int64             `json:"size"`
	Platform    *v1.Platform      `json:"platform,omitempty"` // from the descriptor, or the config for a single manifest
	Kind        Kind              `json:"kind"`
	Path        []v1.Hash         `json:"path,omitempty"` // digests of the indexes above it, outermost first
	Annotations map[string]string `json:"annotations,omitempty"`
	// AttestsTo is the digest of the manifest an attestation describes.
	AttestsTo string `json:"attestsTo,omitempty"`
}

// kindOf classifies an index descriptor without fetching it.
func kindOf(d v1.Descriptor) Kind {
	switch {
	case d.MediaType.IsIndex():
		return KindIndex
	case d.Annotations[annotationReferenceType] == attestationManifest,
		d.Platform != nil && d.Platform.OS == "unknown" && d.Platform.Architecture == "unknown":
		return KindAttestation
	case d.ArtifactType != "" && !isImageConfig(types.MediaType(d.ArtifactType)),
		d.MediaType != "" && !d.MediaType.IsImage():
		return KindArtifact
	}
	return KindRunnable
}

// Manifests lists every manifest of the image. A single manifest is listed
// with the platform its config declares.
func (s *Source) Manifests(ctx context.Context) ([]Manifest, error) {
	root, err := s.root(ctx)
	if err != nil {
		return nil, err
	}
	if root.Manifest != nil {
		m := Manifest{Digest: root.Digest, MediaType: root.MediaType, Size: int64(len(root.Raw)), Kind: KindRunnable, Annotations: root.Manifest.Annotations}
		cfgKind, cf, err := s.config(ctx, root.Manifest)
		if err != nil {
			return nil, err
		}
		m.Kind = cfgKind
		if cf != nil {
			m.Platform = cf.Platform()
		}
		return []Manifest{m}, nil
	}
	fl := flattening{seen: map[v1.Hash]bool{root.Digest: true}, bytes: int64(len(root.Raw))}
	if err := s.flatten(ctx, root, nil, &fl); err != nil {
		return nil, err
	}
	return fl.out, nil
}

// flattening is the state of one walk over nested indexes. A hostile index
// can list the same child index thousands of times (each listing its own
// thousands): each child index is fetched and walked once, and what a walk
// may visit is bounded in descriptors and in bytes of index documents.
type flattening struct {
	out     []Manifest
	seen    map[v1.Hash]bool // indexes already walked
	visited int              // descriptors visited, repeats included
	bytes   int64            // bytes of the index documents walked
}

func (s *Source) flatten(ctx context.Context, idx *document, path []v1.Hash, fl *flattening) error {
	lim := s.opts.Limits
	if len(path) >= lim.MaxIndexDepth {
		return fmt.Errorf("%w: indexes nested deeper than %d", ErrLimit, lim.MaxIndexDepth)
	}
	path = append(append([]v1.Hash{}, path...), idx.Digest)
	for _, d := range idx.Index.Manifests {
		if fl.visited++; fl.visited > lim.MaxDescriptors {
			return fmt.Errorf("%w: the indexes of %s list more than %d descriptors in all (nested indexes included)", ErrLimit, s.name, lim.MaxDescriptors)
		}
		m := Manifest{Digest: d.Digest, MediaType: d.MediaType, Size: d.Size, Platform: d.Platform, Kind: kindOf(d), Path: path, Annotations: d.Annotations}
		if m.Kind == KindAttestation {
			m.AttestsTo = d.Annotations[annotationReferenceDig]
		}
		fl.out = append(fl.out, m)
		if m.Kind != KindIndex || fl.seen[d.Digest] {
			continue // a repeated child index is listed, its children once
		}
		fl.seen[d.Digest] = true
		if fl.bytes+d.Size > lim.MaxIndexBytes {
			return fmt.Errorf("%w: the indexes of %s add up to more than %d bytes", ErrLimit, s.name, lim.MaxIndexBytes)
		}
		child, err := s.manifest(ctx, d)
		if err != nil {
			return fmt.Errorf("reading nested index %s of %s: %w", d.Digest, s.name, classify(ctx, err))
		}
		fl.bytes += int64(len(child.Raw))
		if child.Index == nil {
			return fmt.Errorf("%w: %s is described as an index but is not one", ErrMalformed, d.Digest)
		}
		if err := s.flatten(ctx, child, path, fl); err != nil {
			return err
		}
	}
	return nil
}

// config fetches and parses an image config, and says whether the
// manifest is an image at all (an artifact's config is something else).
func (s *Source) config(ctx context.Context, m *v1.Manifest) (Kind, *v1.ConfigFile, error) {
	if (m.ArtifactType != "" && !isImageConfig(types.MediaType(m.ArtifactType))) || !isImageConfig(m.Config.MediaType) {
		return KindArtifact, nil, nil
	}
	raw, err := s.configBlob(ctx, m.Config)
	if err != nil {
		return "", nil, fmt.Errorf("reading config %s of %s: %w", m.Config.Digest, s.name, classify(ctx, err))
	}
	cf, err := parseConfig(raw)
	if err != nil {
		return "", nil, fmt.Errorf("config %s of %s: %w", m.Config.Digest, s.name, err)
	}
	return KindRunnable, cf, nil
}

// isImageConfig: an image config media type (empty counts: old clients).
func isImageConfig(mt types.MediaType) bool {
	return mt == "" || mt == types.OCIConfigJSON || mt == types.DockerConfigJSON
}
