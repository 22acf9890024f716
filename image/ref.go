package image

import (
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// RefKind says where an image reference points.
type RefKind int

// Kinds of image references. A new reference scheme is a kind here (or a
// spelling of one in ParseRef), a case in String, and a case in Open.
const (
	// RefRegistry: host/repo[:tag][@digest] (also docker://...), read over
	// the distribution API.
	RefRegistry RefKind = iota + 1
	// RefLayout: oci:DIR[:name][@digest] (also ocidir://DIR[:tag]), an OCI
	// image layout directory.
	RefLayout
	// RefArchive: tarball:FILE[@digest], an OCI layout archive or a docker
	// save archive; the file name is everything after the scheme.
	RefArchive
	// RefBuilt: build:NAME@digest, an index imgcheck build holds in memory
	// before it publishes it (see Options.Built).
	RefBuilt
	// RefOCIArchive: oci-archive:FILE[:name][@digest], an OCI layout in a
	// tar file, written the way skopeo writes it.
	RefOCIArchive
)

// Scheme prefixes of the references that are not plain registry references.
const (
	schemeLayout     = "oci:"
	schemeOCIArchive = "oci-archive:"
	schemeArchive    = "tarball:"
	schemeBuilt      = "build:"
	schemeOCIDir     = "ocidir://" // regctl's spelling of a layout
	schemeDocker     = "docker://" // skopeo's spelling of a registry reference
	schemeRegistry   = "registry://"
)

func (k RefKind) String() string {
	switch k {
	case RefRegistry:
		return "registry"
	case RefLayout:
		return "OCI layout"
	case RefArchive:
		return "archive"
	case RefBuilt:
		return "in-memory build"
	case RefOCIArchive:
		return "OCI archive"
	}
	return fmt.Sprintf("RefKind(%d)", int(k))
}

// Ref is a parsed image reference. The zero Ref is not a reference.
type Ref struct {
	Kind RefKind
	// Name is the reference as written for a registry (without docker://),
	// the directory of a layout, the file of an archive, or the package
	// name of a build.
	Name string
	// Tag picks a manifest of a layout or OCI archive by its
	// org.opencontainers.image.ref.name annotation ("v1", or skopeo's
	// "app:v1").
	Tag string
	// Digest picks a manifest or index by digest (layouts, archives and
	// builds; a registry reference keeps its digest inside Name).
	Digest v1.Hash
}

// String writes the reference in the form ParseRef reads back to the same
// Ref: oci: for layouts however they were spelled, and a registry name
// bare unless it would read as another scheme (then docker://).
func (r Ref) String() string {
	var b strings.Builder
	switch r.Kind {
	case RefRegistry:
		if shadowedRegistryName(r.Name) {
			return schemeDocker + r.Name
		}
		return r.Name
	case RefLayout:
		b.WriteString(schemeLayout + r.Name)
	case RefOCIArchive:
		b.WriteString(schemeOCIArchive + r.Name)
	case RefArchive:
		b.WriteString(schemeArchive + r.Name)
	case RefBuilt:
		b.WriteString(schemeBuilt + r.Name)
	default:
		return ""
	}
	if r.Tag != "" {
		b.WriteString(":" + r.Tag)
	}
	if r.Digest != (v1.Hash{}) {
		b.WriteString("@" + r.Digest.String())
	}
	return b.String()
}

// Deployable reports whether a container runtime can pull the reference:
// only registry references can be pinned into a task definition.
func (r Ref) Deployable() bool { return r.Kind == RefRegistry }
