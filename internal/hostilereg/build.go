package hostilereg

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Media types the server writes.
const (
	MediaTypeIndex    = "application/vnd.oci.image.index.v1+json"
	MediaTypeManifest = "application/vnd.oci.image.manifest.v1+json"
	MediaTypeConfig   = "application/vnd.oci.image.config.v1+json"
	MediaTypeLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
)

// Descriptor is an OCI descriptor.
type Descriptor struct {
	MediaType string    `json:"mediaType"`
	Digest    string    `json:"digest"`
	Size      int64     `json:"size"`
	Platform  *Platform `json:"platform,omitempty"`
}

// Platform is a descriptor's platform.
type Platform struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
}

// Layer is a layer blob and what the manifest and config say of it.
type Layer struct {
	MediaType string // MediaTypeLayer when empty
	Data      []byte // the blob as served
	// DiffID is the config's diff_id; a layer a test never reads to the
	// end may have any (computing the real one of a bomb takes minutes).
	DiffID string
	// SizeDelta is added to the size the manifest declares (a size lie).
	SizeDelta int64
}

// ImageSpec describes an image for PutImage: linux/amd64 with an
// entrypoint, layers bottom first.
type ImageSpec struct {
	Entrypoint      []string
	Layers          []Layer
	ConfigSizeDelta int64 // added to the config size the manifest declares
}

// PutImage stores the config, layers and manifest of an image under
// repo:tag and returns the manifest's descriptor (for an index).
func (s *Server) PutImage(repo, tag string, spec ImageSpec) Descriptor {
	type rootFS struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	}
	cfg := struct {
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
		Config       struct {
			Entrypoint []string `json:"Entrypoint,omitempty"`
		} `json:"config"`
		RootFS rootFS `json:"rootfs"`
	}{Architecture: "amd64", OS: "linux", RootFS: rootFS{Type: "layers", DiffIDs: []string{}}}
	cfg.Config.Entrypoint = spec.Entrypoint
	layers := []Descriptor{}
	for _, l := range spec.Layers {
		mt := l.MediaType
		if mt == "" {
			mt = MediaTypeLayer
		}
		d := s.PutBlob(l.Data)
		layers = append(layers, Descriptor{MediaType: mt, Digest: d, Size: int64(len(l.Data)) + l.SizeDelta})
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, l.DiffID)
	}
	cfgRaw := mustJSON(cfg)
	manifest := struct {
		SchemaVersion int          `json:"schemaVersion"`
		MediaType     string       `json:"mediaType"`
		Config        Descriptor   `json:"config"`
		Layers        []Descriptor `json:"layers"`
	}{2, MediaTypeManifest, Descriptor{MediaType: MediaTypeConfig, Digest: s.PutBlob(cfgRaw), Size: int64(len(cfgRaw)) + spec.ConfigSizeDelta}, layers}
	raw := mustJSON(manifest)
	d := s.PutManifest(repo, tag, MediaTypeManifest, raw)
	return Descriptor{MediaType: MediaTypeManifest, Digest: d, Size: int64(len(raw)), Platform: &Platform{OS: "linux", Architecture: "amd64"}}
}

// PutIndex stores an index of the descriptors under repo:tag and returns
// its descriptor.
func (s *Server) PutIndex(repo, tag string, manifests []Descriptor) Descriptor {
	raw := mustJSON(struct {
		SchemaVersion int          `json:"schemaVersion"`
		MediaType     string       `json:"mediaType"`
		Manifests     []Descriptor `json:"manifests"`
	}{2, MediaTypeIndex, manifests})
	d := s.PutManifest(repo, tag, MediaTypeIndex, raw)
	return Descriptor{MediaType: MediaTypeIndex, Digest: d, Size: int64(len(raw))}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("hostilereg: %v", err)) // only fixed, encodable types reach here
	}
	return b
}

// WriteLayout writes every manifest and blob the server holds into an OCI
// image layout at dir, with index.json naming repo:tag (as tag), so that a
// test can check that a local store holds hostile content to the same
// rules as a registry.
func (s *Server) WriteLayout(dir, repo, tag string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	root, ok := s.manifests[repo+":"+tag]
	if !ok {
		return fmt.Errorf("no manifest %s:%s", repo, tag)
	}
	blobs := filepath.Join(dir, "blobs", "sha256")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		return err
	}
	write := func(o object) error {
		return os.WriteFile(filepath.Join(blobs, strings.TrimPrefix(o.digest, "sha256:")), o.data, 0o644)
	}
	for _, o := range s.manifests {
		if err := write(o); err != nil {
			return err
		}
	}
	for _, o := range s.blobs {
		if err := write(o); err != nil {
			return err
		}
	}
	index := mustJSON(struct {
		SchemaVersion int          `json:"schemaVersion"`
		Manifests     []layoutDesc `json:"manifests"`
	}{2, []layoutDesc{{Descriptor{MediaType: root.mediaType, Digest: root.digest, Size: int64(len(root.data))}, map[string]string{"org.opencontainers.image.ref.name": tag}}}})
	if err := os.WriteFile(filepath.Join(dir, "index.json"), index, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644)
}

type layoutDesc struct {
	Descriptor
	Annotations map[string]string `json:"annotations"`
}
