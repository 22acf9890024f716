package build

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"

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

// Publish implements Publisher. Blobs are written first, each renamed
// into place; index.json is then changed under the layout lock and renamed
// into place, so readers and concurrent builds never see a torn layout.
func (l *LayoutPublisher) Publish(_ context.Context, art *Artifact, tags []string) (string, error) {
	tags, err := tagsOrDefault(tags)
	if err != nil {
		return "", err
	}
	if err := openLayout(l.Dir); err != nil {
		return "", err
	}
	if l.OneEntry {
		tags = tags[:1]
	}
	blobs := layoutBlobs{dir: l.Dir}
	if err := blobs.putIndex(art.Index); err != nil {
		return "", fmt.Errorf("writing %s to OCI layout %s: %w", art.Package.Name, l.Dir, err)
	}
	desc, err := partial.Descriptor(art.Index)
	if err != nil {
		return "", err
	}
	entries := make([]v1.Descriptor, 0, len(tags)+len(art.Referrers))
	for _, t := range tags {
		d := *desc
		d.Annotations = map[string]string{AnnotationRefName: art.Package.Name + ":" + t}
		entries = append(entries, d)
	}
	if !l.NoReferrers {
		for _, ref := range art.Referrers {
			if err := blobs.putImage(ref); err != nil {
				return "", fmt.Errorf("writing an SBOM of %s to OCI layout %s: %w", art.Package.Name, l.Dir, err)
			}
			d, err := partial.Descriptor(ref)
			if err != nil {
				return "", err
			}
			entries = append(entries, *d)
		}
	}
	err = updateLayoutIndex(l.Dir, func(idx *v1.IndexManifest) error {
		idx.Manifests = slices.DeleteFunc(idx.Manifests, func(old v1.Descriptor) bool {
			return slices.ContainsFunc(entries, func(e v1.Descriptor) bool { return sameLayoutEntry(old, e) })
		})
		idx.Manifests = append(idx.Manifests, entries...)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("updating OCI layout %s: %w", l.Dir, err)
	}
	return image.Ref{Kind: image.RefLayout, Name: l.Dir, Digest: art.Digest}.String(), nil
}

// sameLayoutEntry: a named entry is replaced by the entry of the same name;
// an unnamed one (an SBOM referrer) by the same digest.
func sameLayoutEntry(old, e v1.Descriptor) bool {
	if name := e.Annotations[AnnotationRefName]; name != "" {
		return old.Annotations[AnnotationRefName] == name
	}
	return old.Digest == e.Digest
}

// openLayout makes sure dir is an OCI layout, creating an empty one (under
// the layout lock) when dir does not exist or is empty; any other directory
// is refused rather than written into. A writer creating the layout right
// now leaves its lock and temporary files (names starting with a dot) and
// index.json before oci-layout, so those alone do not make dir foreign.
func openLayout(dir string) error {
	marker := filepath.Join(dir, "oci-layout")
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	if err := refuseForeignDir(dir, "index.json"); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating OCI layout %s: %w", dir, err)
	}
	unlock, err := lockLayout(dir)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(marker); err == nil {
		return nil // another writer created it while we waited
	}
	// A creator killed between index.json and oci-layout left only those.
	if err := refuseForeignDir(dir, "index.json"); err != nil {
		return err
	}
	empty, err := json.MarshalIndent(&v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: []v1.Descriptor{}}, "", "   ")
	if err != nil {
		return err
	}
	// index.json first: once oci-layout exists, readers take it as a layout.
	if err := writeFileAtomic(filepath.Join(dir, "index.json"), empty, 0o644); err != nil {
		return fmt.Errorf("creating OCI layout %s: %w", dir, err)
	}
	if err := writeFileAtomic(marker, []byte("{\n    \"imageLayoutVersion\": \"1.0.0\"\n}"), 0o644); err != nil {
		return fmt.Errorf("creating OCI layout %s: %w", dir, err)
	}
	return nil
}

// refuseForeignDir fails when dir holds anything but dot files and the
// file named also.
func refuseForeignDir(dir, also string) error {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("opening OCI layout %s: %w", dir, err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") && e.Name() != also {
			return fmt.Errorf("%s is not an OCI image layout (no oci-layout file) and not empty; refusing to write into it", dir)
		}
	}
	return nil
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
