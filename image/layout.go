package image

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Annotations that name a manifest in an OCI layout's index.json.
const (
	annotationRefName       = "org.opencontainers.image.ref.name"
	annotationContainerdRef = "io.containerd.image.name"
)

// openLayout opens an OCI image layout directory.
func openLayout(r Ref, lim Limits) (store, error) {
	dir := r.Name
	open := func(h v1.Hash) (io.ReadCloser, error) {
		if !validHash(h) {
			return nil, fmt.Errorf("%w: invalid digest %q", ErrMalformed, h)
		}
		return os.Open(filepath.Join(dir, "blobs", h.Algorithm, h.Hex))
	}
	f, err := os.Open(filepath.Join(dir, "index.json"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s is not an OCI image layout (no index.json)", ErrNotFound, dir)
		}
		return nil, err
	}
	defer f.Close()
	raw, err := readBounded(f, lim.MaxManifestBytes)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, "index.json"), err)
	}
	return layoutRoot(&localStore{name: dir, open: open, lim: lim}, raw, r.Tag, r.Digest)
}

// validHash rejects digests that could walk out of the blobs directory.
func validHash(h v1.Hash) bool {
	if h.Algorithm != "sha256" || len(h.Hex) != 64 {
		return false
	}
	return strings.Trim(h.Hex, "0123456789abcdef") == ""
}

// layoutRoot picks the root document from a layout's index.json: the
// manifest with the name and digest asked for (both must agree when both
// are given), else the only manifest, else index.json itself.
func layoutRoot(s *localStore, indexJSON []byte, tag string, digest v1.Hash) (store, error) {
	byDigest := digest != (v1.Hash{})
	idx, err := parseDocument(indexJSON, types.OCIImageIndex)
	if err != nil {
		return nil, fmt.Errorf("%s/index.json: %w", s.name, err)
	}
	if idx.Index == nil {
		return nil, fmt.Errorf("%w: %s/index.json is not an index", ErrMalformed, s.name)
	}
	var pick *v1.Descriptor
	for i, d := range idx.Index.Manifests {
		if (tag != "" && namesTag(d, tag)) || (tag == "" && byDigest && d.Digest == digest) {
			pick = &idx.Index.Manifests[i]
			break
		}
	}
	switch {
	case pick != nil && byDigest && pick.Digest != digest:
		return nil, fmt.Errorf("%w: %q in %s is %s, not %s", ErrNotFound, tag, s.name, pick.Digest, digest)
	case pick == nil && tag != "":
		return nil, fmt.Errorf("%w: no manifest named %q in %s%s", ErrNotFound, tag, s.name, layoutNames(idx.Index.Manifests))
	case pick == nil && byDigest:
		pick = &v1.Descriptor{Digest: digest, Size: -1} // no descriptor declares its size
	case pick == nil && len(idx.Index.Manifests) == 1:
		pick = &idx.Index.Manifests[0]
	case pick == nil && soleImage(idx.Index.Manifests) >= 0:
		// One image next to its referrers (SBOMs, signatures): the image.
		pick = &idx.Index.Manifests[soleImage(idx.Index.Manifests)]
	case pick == nil:
		s.rootDoc = idx
		return s, nil
	}
	doc, err := s.manifest(context.Background(), *pick)
	if err != nil {
		return nil, err
	}
	s.rootDoc = doc
	return s, nil
}

// namesTag reports whether an index.json entry carries the name: its
// org.opencontainers.image.ref.name ("v1" as regctl writes it, "app:v1"
// as skopeo and imgcheck build do), or containerd's full image name.
func namesTag(d v1.Descriptor, tag string) bool {
	if d.Annotations[annotationRefName] == tag {
		return true
	}
	full := d.Annotations[annotationContainerdRef]
	return full != "" && (full == tag || strings.HasSuffix(full, ":"+tag) || strings.HasSuffix(full, "/"+tag))
}

// layoutNames lists the names a layout offers, for a "no such name" error.
func layoutNames(ds []v1.Descriptor) string {
	var names []string
	for _, d := range ds {
		if n := d.Annotations[annotationRefName]; n != "" {
			names = append(names, strconv.Quote(n))
		}
	}
	if len(names) == 0 {
		return " (its manifests have no names: pick one by digest)"
	}
	const most = 10
	if len(names) > most {
		names = append(names[:most], "...")
	}
	return " (it names " + strings.Join(names, ", ") + ")"
}

// soleImage returns the index of the only entry that is not an artifact
// (no artifactType), or -1 when there are none or several.
func soleImage(ds []v1.Descriptor) int {
	found := -1
	for i, d := range ds {
		if d.ArtifactType != "" {
			continue
		}
		if found >= 0 {
			return -1
		}
		found = i
	}
	return found
}

// openArchive opens a tar file: an OCI archive (a layout in a tar) or a
// docker save archive (oci-archive: reads either too, as long as it names
// no manifest).
func openArchive(r Ref, lim Limits) (store, error) {
	// FILE@sha256:... picks that manifest or index of an OCI archive (the
	// form imgcheck build prints), unless a file has that whole name.
	file, digest := r.Name, r.Digest
	if r.Kind == RefArchive && digest != (v1.Hash{}) {
		if whole := r.Name + "@" + digest.String(); fileExists(whole) {
			file, digest = whole, v1.Hash{}
		}
	}
	f, err := os.Open(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, file)
		}
		return nil, err
	}
	members, err := indexArchive(f, lim)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("reading archive %s: %w", file, err)
	}
	openMember := func(name string) (io.ReadCloser, error) {
		m, ok := members[name]
		if !ok {
			return nil, fmt.Errorf("%s in %s: %w", name, file, os.ErrNotExist)
		}
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		return memberReader{io.NewSectionReader(f, m.off, m.size), f}, nil
	}
	if _, ok := members["index.json"]; ok {
		rc, _ := openMember("index.json")
		raw, err := readBounded(rc, lim.MaxManifestBytes)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("reading index.json in %s: %w", file, err)
		}
		open := func(h v1.Hash) (io.ReadCloser, error) {
			if !validHash(h) {
				return nil, fmt.Errorf("%w: invalid digest %q", ErrMalformed, h)
			}
			return openMember("blobs/" + h.Algorithm + "/" + h.Hex)
		}
		return layoutRoot(&localStore{name: file, open: open, lim: lim}, raw, r.Tag, digest)
	}
	if digest != (v1.Hash{}) || r.Tag != "" {
		return nil, fmt.Errorf("%w: %s is a docker save archive; select an image by name or digest only in OCI archives", ErrMalformed, file)
	}
	if _, ok := members["manifest.json"]; ok {
		return dockerArchive(file, lim)
	}
	return nil, fmt.Errorf("%w: %s has neither index.json nor manifest.json", ErrMalformed, file)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

type archiveMember struct{ off, size int64 }

// memberReader reads one member of an archive; it knows its size.
type memberReader struct {
	*io.SectionReader
	f *os.File
}

func (m memberReader) Close() error { return m.f.Close() }

// indexArchive records where each regular file's content starts.
func indexArchive(f *os.File, lim Limits) (map[string]archiveMember, error) {
	members := map[string]archiveMember{}
	tr := tar.NewReader(f)
	for n := 0; ; n++ {
		hdr, err := tr.Next()
		if err == io.EOF {
			return members, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		if n >= lim.MaxTarEntries {
			return nil, fmt.Errorf("%w: more than %d entries", ErrLimit, lim.MaxTarEntries)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, err
		}
		members[strings.TrimPrefix(cleanPath(hdr.Name), "/")] = archiveMember{off: off, size: hdr.Size}
	}
}
