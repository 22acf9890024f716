package image

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ParseRef parses an image reference, written the way the tools around
// imgcheck write it:
//
//	host/repo:tag, host/repo@sha256:..., host/repo:tag@sha256:...  a registry
//	docker://REF (skopeo), registry://REF                          the same registry reference
//	oci:DIR, oci:DIR:tag, oci:DIR:name:tag, oci:DIR@sha256:...     an OCI image layout (skopeo)
//	ocidir://DIR, ocidir://DIR:tag, ocidir://DIR@sha256:...        the same layout (regctl)
//	oci-archive:FILE, oci-archive:FILE:name:tag                    an OCI layout in a tar (skopeo)
//	tarball:FILE, tarball:FILE@sha256:...                          an OCI or docker save archive
//	build:NAME@sha256:...                                          an index held by imgcheck build
//
// As in skopeo, the directory or file of oci: and oci-archive: ends at the
// first colon (after a Windows drive letter such as C:\); what follows is
// the org.opencontainers.image.ref.name of the manifest to pick, so
// "oci:out:app:v1" is the entry "app:v1" of out/. A trailing
// "@sha256:..." is a digest and must be a valid one. tarball: keeps the
// whole rest as the file name (an "@sha256:..." suffix is a digest only
// when valid; Open still prefers a file that has the whole name).
// "build:" is a scheme only in the exact form above. Transports imgcheck
// cannot read (docker-daemon:, containers-storage:, ...) are refused with
// what to use instead. Errors wrap ErrMalformed.
func ParseRef(s string) (Ref, error) {
	if s == "" {
		return Ref{}, fmt.Errorf("%w: empty image reference", ErrMalformed)
	}
	if scheme, ok := matchScheme(s); ok {
		rest := strings.TrimPrefix(s, scheme)
		switch scheme {
		case schemeDocker, schemeRegistry:
			return parseRegistryRef(s, rest)
		case schemeLayout:
			return parseNamedRef(s, rest, RefLayout, validRefName)
		case schemeOCIDir:
			return parseNamedRef(s, rest, RefLayout, ValidTag)
		case schemeOCIArchive:
			return parseNamedRef(s, rest, RefOCIArchive, validRefName)
		case schemeArchive:
			return parseArchiveRef(s, rest)
		}
		return Ref{}, fmt.Errorf("%w: image reference %q: imgcheck does not read %s images; %s", ErrMalformed, s, scheme, unsupportedSchemes[scheme])
	}
	if r, ok := parseBuiltRef(s); ok {
		return r, nil
	}
	return parseRegistryRef(s, s)
}

// unsupportedSchemes are containers-transports(5) transports that would
// otherwise read as a registry host or repository, with what to use.
var unsupportedSchemes = map[string]string{
	"docker-archive:":     "read the archive with tarball:FILE",
	"docker-daemon:":      "save the image (docker save -o app.tar IMAGE) and read tarball:app.tar",
	"containers-storage:": "push it to a registry, or copy it to a layout (skopeo copy ... oci:DIR) and read oci:DIR",
	"dir:":                "copy it to a layout (skopeo copy dir:... oci:DIR) and read oci:DIR",
	"ostree:":             "copy it to a layout (skopeo copy ostree:... oci:DIR) and read oci:DIR",
}

// matchScheme returns the scheme prefix of s that ParseRef handles (or
// refuses), if any. oci-archive: is tested before oci:.
func matchScheme(s string) (string, bool) {
	for _, p := range []string{schemeDocker, schemeRegistry, schemeOCIDir, schemeOCIArchive, schemeLayout, schemeArchive} {
		if strings.HasPrefix(s, p) {
			return p, true
		}
	}
	for p := range unsupportedSchemes {
		if strings.HasPrefix(s, p) {
			return p, true
		}
	}
	return "", false
}

// shadowedRegistryName reports whether a registry name, written bare,
// would read as another kind of reference (a Docker Hub repository named
// "oci", say): String then writes it with docker://.
func shadowedRegistryName(n string) bool {
	if _, ok := matchScheme(n); ok {
		return true
	}
	_, ok := parseBuiltRef(n)
	return ok
}

func parseRegistryRef(s, rest string) (Ref, error) {
	if _, err := name.ParseReference(rest); err != nil {
		return Ref{}, fmt.Errorf("%w: image reference %q: %w", ErrMalformed, s, err)
	}
	return Ref{Kind: RefRegistry, Name: rest}, nil
}

// parseNamedRef reads DIR[:name][@sha256:...] of a layout or OCI archive.
func parseNamedRef(s, rest string, kind RefKind, validName func(string) bool) (Ref, error) {
	r := Ref{Kind: kind}
	if at := strings.LastIndex(rest, "@"); at >= 0 && strings.HasPrefix(rest[at+1:], "sha256:") {
		d, err := parseDigest(s, rest[at+1:])
		if err != nil {
			return Ref{}, err
		}
		rest, r.Digest = rest[:at], d
	}
	path, tag, hasTag := splitPathAndName(rest)
	if path == "" {
		what := "layout directory"
		if kind == RefOCIArchive {
			what = "archive file"
		}
		return Ref{}, fmt.Errorf("%w: image reference %q names no %s", ErrMalformed, s, what)
	}
	if hasTag && !validName(tag) {
		return Ref{}, fmt.Errorf("%w: image reference %q: %q after the first colon is not a valid image name or tag", ErrMalformed, s, tag)
	}
	r.Name, r.Tag = path, tag
	return r, nil
}

// splitPathAndName splits at the first colon, as skopeo does, except the
// colon of a leading Windows drive ("C:" alone, or followed by a slash).
func splitPathAndName(s string) (path, ref string, found bool) {
	start := 0
	if len(s) >= 2 && isASCIILetter(s[0]) && s[1] == ':' && (len(s) == 2 || s[2] == '\\' || s[2] == '/') {
		start = 2
	}
	i := strings.IndexByte(s[start:], ':')
	if i < 0 {
		return s, "", false
	}
	return s[:start+i], s[start+i+1:], true
}

func isASCIILetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

var (
	// refNameRE is the grammar of org.opencontainers.image.ref.name in
	// the OCI image spec (annotations.md): components of alphanumerics
	// joined by one of -._:@+ or "--", separated by slashes.
	refNameRE = regexp.MustCompile(`^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$`)
)

// validRefName accepts an OCI ref name or a registry tag (a layout written
// by regctl may be named "_x", which the OCI grammar does not allow).
func validRefName(s string) bool { return refNameRE.MatchString(s) || ValidTag(s) }

// ValidTag reports whether s is a registry tag as the OCI distribution
// spec writes it, [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}: also the form regctl
// writes after ocidir://DIR:. (Checked by hand: the bounded repetition
// compiles to a large regexp program at every start of the CLI.)
func ValidTag(s string) bool {
	if len(s) == 0 || len(s) > 128 || s[0] == '.' || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && !(c >= '0' && c <= '9') && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
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
