package image

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// RefKind says where an image reference points.
type RefKind int

// Kinds of image references. A new reference scheme is a new kind here, a
// case in ParseRef and String, and a case in Open.
const (
	// RefRegistry: host/repo[:tag][@digest], read over the distribution API.
	RefRegistry RefKind = iota + 1
	// RefLayout: oci:DIR[:tag|@digest], an OCI image layout directory.
	RefLayout
	// RefArchive: tarball:FILE[@digest], an OCI layout archive or a docker
	// save archive.
	RefArchive
	// RefBuilt: build:NAME@digest, an index imgcheck build holds in memory
	// before it publishes it (see Options.Built).
	RefBuilt
)

// Scheme prefixes of the references that are not registry references.
const (
	schemeLayout  = "oci:"
	schemeArchive = "tarball:"
	schemeBuilt   = "build:"
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
	}
	return fmt.Sprintf("RefKind(%d)", int(k))
}

// Ref is a parsed image reference. The zero Ref is not a reference.
type Ref struct {
	Kind RefKind
	// Name is the reference as written for a registry, the directory of a
	// layout, the file of an archive, or the package name of a build.
	Name string
	// Tag picks a layout's manifest by its ref.name annotation (layouts only).
	Tag string
	// Digest picks a manifest or index by digest (layouts, archives and
	// builds; a registry reference keeps its digest inside Name).
	Digest v1.Hash
}

// ParseRef parses an image reference:
//
//	host/repo:tag, host/repo@sha256:..., host/repo:tag@sha256:...  a registry
//	oci:DIR, oci:DIR:tag, oci:DIR@sha256:...                       an OCI image layout
//	tarball:FILE, tarball:FILE@sha256:...                          an archive
//	build:NAME@sha256:...                                          an index held by imgcheck build
//
// In a layout reference a colon is a tag separator only after the last
// slash, so "oci:C:\x" and "oci:./dir" stay paths. An archive's
// "@sha256:..." suffix is a digest only when it is a valid one; Open still
// prefers a file that has the whole name. "build:" is a scheme only in the
// exact form above. Errors wrap ErrMalformed.
func ParseRef(s string) (Ref, error) {
	switch {
	case strings.HasPrefix(s, schemeLayout):
		return parseLayoutRef(s, strings.TrimPrefix(s, schemeLayout))
	case strings.HasPrefix(s, schemeArchive):
		return parseArchiveRef(s, strings.TrimPrefix(s, schemeArchive))
	}
	if r, ok := parseBuiltRef(s); ok {
		return r, nil
	}
	if _, err := name.ParseReference(s); err != nil {
		return Ref{}, fmt.Errorf("%w: image reference %q: %w", ErrMalformed, s, err)
	}
	return Ref{Kind: RefRegistry, Name: s}, nil
}

func parseLayoutRef(s, rest string) (Ref, error) {
	r := Ref{Kind: RefLayout, Name: rest}
	at := strings.LastIndex(rest, "@")
	colon, slash := strings.LastIndex(rest, ":"), strings.LastIndexAny(rest, `/\`)
	switch {
	case at >= 0 && strings.HasPrefix(rest[at+1:], "sha256:"):
		d, err := parseDigest(s, rest[at+1:])
		if err != nil {
			return Ref{}, err
		}
		r.Name, r.Digest = rest[:at], d
	case colon > slash && colon > 1:
		r.Name, r.Tag = rest[:colon], rest[colon+1:]
		if r.Tag == "" {
			return Ref{}, fmt.Errorf("%w: image reference %q: empty tag after the last colon", ErrMalformed, s)
		}
	}
	if r.Name == "" {
		return Ref{}, fmt.Errorf("%w: image reference %q names no layout directory", ErrMalformed, s)
	}
	return r, nil
}

func parseArchiveRef(s, rest string) (Ref, error) {
	r := Ref{Kind: RefArchive, Name: rest}
	if i := strings.LastIndex(rest, "@sha256:"); i > 0 {
		if d, err := parseDigest(s, rest[i+1:]); err == nil {
			r.Name, r.Digest = rest[:i], d
		}
	}
	if r.Name == "" {
		return Ref{}, fmt.Errorf("%w: image reference %q names no archive file", ErrMalformed, s)
	}
	return r, nil
}

// parseBuiltRef recognises build:NAME@sha256:... with a NAME free of "/"
// and ":" (a binary name). Anything else starting with "build:" stays a
// registry reference, as it was before the scheme existed.
func parseBuiltRef(s string) (Ref, bool) {
	rest, ok := strings.CutPrefix(s, schemeBuilt)
	if !ok {
		return Ref{}, false
	}
	pkg, digest, ok := strings.Cut(rest, "@")
	if !ok || pkg == "" || strings.ContainsAny(pkg, "/:") {
		return Ref{}, false
	}
	d, err := parseDigest(s, digest)
	if err != nil {
		return Ref{}, false
	}
	return Ref{Kind: RefBuilt, Name: pkg, Digest: d}, true
}

// parseDigest accepts sha256 digests only: the blobs of layouts and
// archives are stored under them.
func parseDigest(ref, s string) (v1.Hash, error) {
	d, err := v1.NewHash(s)
	if err != nil || !validHash(d) {
		return v1.Hash{}, fmt.Errorf("%w: image reference %q: %q is not a sha256 digest", ErrMalformed, ref, s)
	}
	return d, nil
}

// String writes the reference in the form ParseRef reads.
func (r Ref) String() string {
	var b strings.Builder
	switch r.Kind {
	case RefRegistry:
		return r.Name
	case RefLayout:
		b.WriteString(schemeLayout + r.Name)
		if r.Tag != "" {
			b.WriteString(":" + r.Tag)
		}
	case RefArchive:
		b.WriteString(schemeArchive + r.Name)
	case RefBuilt:
		b.WriteString(schemeBuilt + r.Name)
	default:
		return ""
	}
	if r.Digest != (v1.Hash{}) {
		b.WriteString("@" + r.Digest.String())
	}
	return b.String()
}

// Deployable reports whether a container runtime can pull the reference:
// only registry references can be pinned into a task definition.
func (r Ref) Deployable() bool { return r.Kind == RefRegistry }
