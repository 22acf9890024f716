package build

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/match"

	"github.com/imgcheck/imgcheck/image"
)

// AnnotationRefName names an index.json entry of an OCI layout.
const AnnotationRefName = "org.opencontainers.image.ref.name"

// LayoutPublisher writes into an OCI image layout directory, created when
// missing. Each package and tag is one index.json entry named
// "<binary name>:<tag>" (so several packages share one layout and its
// blobs); rebuilding replaces the entry. SBOM referrers are added as
// index.json entries without a name, carrying their subject.
type LayoutPublisher struct {
	Dir string
	// NoReferrers leaves SBOM artifacts out (the tarball target uses this
	// so that index.json names only images).
	NoReferrers bool
	// OneEntry writes one entry per package (the first tag) instead of one
	// per tag, so a single-package layout has exactly one manifest.
	OneEntry bool
}

// Publish implements Publisher.
func (l *LayoutPublisher) Publish(_ context.Context, art *Artifact, tags []string) (string, error) {
	tags, err := tagsOrDefault(tags)
	if err != nil {
		return "", err
	}
	p, err := openLayout(l.Dir)
	if err != nil {
		return "", err
	}
	if l.OneEntry {
		tags = tags[:1]
	}
	for _, t := range tags {
		refName := art.Package.Name + ":" + t
		if err := p.ReplaceIndex(art.Index, match.Annotation(AnnotationRefName, refName),
			layout.WithAnnotations(map[string]string{AnnotationRefName: refName})); err != nil {
			return "", fmt.Errorf("writing %s to OCI layout %s: %w", refName, l.Dir, err)
		}
	}
	if !l.NoReferrers {
		for _, ref := range art.Referrers {
			d, err := ref.Digest()
			if err != nil {
				return "", err
			}
			if err := p.ReplaceImage(ref, match.Digests(d)); err != nil {
				return "", fmt.Errorf("writing SBOM %s to OCI layout %s: %w", d, l.Dir, err)
			}
		}
	}
	return image.Ref{Kind: image.RefLayout, Name: l.Dir, Digest: art.Digest}.String(), nil
}

// openLayout opens an OCI layout, creating an empty one when dir does not
// exist or is empty; any other directory is refused rather than written
// into.
func openLayout(dir string) (layout.Path, error) {
	p, err := layout.FromPath(dir)
	if err == nil {
		return p, nil
	}
	entries, rerr := os.ReadDir(dir)
	if rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		return "", fmt.Errorf("opening OCI layout %s: %w", dir, rerr)
	}
	if len(entries) > 0 {
		return "", fmt.Errorf("%s is not an OCI image layout (no oci-layout file) and not empty; refusing to write into it", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating OCI layout %s: %w", dir, err)
	}
	p, err = layout.Write(dir, empty.Index)
	if err != nil {
		return "", fmt.Errorf("creating OCI layout %s: %w", dir, err)
	}
	return p, nil
}

// LayoutIndex reads back an index from a layout by digest (used by tests
// and by the verify step of the command).
func LayoutIndex(dir string, digest v1.Hash) (v1.ImageIndex, error) {
	p, err := layout.FromPath(filepath.Clean(dir))
	if err != nil {
		return nil, fmt.Errorf("opening OCI layout %s: %w", dir, err)
	}
	ii, err := p.ImageIndex()
	if err != nil {
		return nil, err
	}
	return ii.ImageIndex(digest)
}
