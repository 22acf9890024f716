package image

import (
	"context"
	"fmt"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/imgcheck/imgcheck/platform"
)

// Image is one runnable image manifest with its config and layers.
type Image struct {
	src *Source

	Digest    v1.Hash         `json:"digest"`
	MediaType types.MediaType `json:"mediaType"`
	// Descriptor is the platform the index claims (nil for a single manifest).
	Descriptor *v1.Platform `json:"descriptorPlatform,omitempty"`
	// ConfigPlatform is what the image config says; a rule compares the two.
	ConfigPlatform v1.Platform       `json:"configPlatform"`
	ConfigDigest   v1.Hash           `json:"configDigest"`
	Config         Config            `json:"config"`
	Layers         []Layer           `json:"layers"`
	Annotations    map[string]string `json:"annotations,omitempty"`

	scans []*layerScan
}

// Config is the part of an image config that decides how a container starts.
type Config struct {
	OS           string           `json:"os"`
	Architecture string           `json:"architecture"`
	Variant      string           `json:"variant,omitempty"`
	OSVersion    string           `json:"os.version,omitempty"`
	Entrypoint   []string         `json:"entrypoint,omitempty"`
	Cmd          []string         `json:"cmd,omitempty"`
	Env          []string         `json:"env,omitempty"`
	WorkingDir   string           `json:"workingDir,omitempty"`
	User         string           `json:"user,omitempty"`
	ExposedPorts []string         `json:"exposedPorts,omitempty"`
	Healthcheck  *v1.HealthConfig `json:"healthcheck,omitempty"`
	DiffIDs      []v1.Hash        `json:"diffIDs,omitempty"`
}

// Getenv returns the value of key in the config's Env ("" when unset).
func (c Config) Getenv(key string) string {
	for _, kv := range slices.Backward(c.Env) {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// Layer describes one layer, bottom (index 0) first.
type Layer struct {
	Index        int             `json:"index"`
	Digest       v1.Hash         `json:"digest"`
	DiffID       v1.Hash         `json:"diffID,omitempty"`
	MediaType    types.MediaType `json:"mediaType"`
	Compression  Compression     `json:"compression"` // from the media type; the stream itself is sniffed
	Foreign      bool            `json:"foreign,omitempty"`
	Size         int64           `json:"size"`                       // compressed
	Uncompressed int64           `json:"uncompressedSize,omitempty"` // known once read to the end; 0 = unknown
	Verified     bool            `json:"verified,omitempty"`         // read to the end, digest and diff_id checked
}

// Layer media types the runtimes ECS uses can apply: OCI and Docker, plain,
// gzip or zstd, distributable or not. containerd refuses any other type,
// an encrypted one ("+encrypted") without the keys.
var layerMediaTypes = map[types.MediaType]bool{
	types.OCIUncompressedLayer:           true,
	types.OCILayer:                       true,
	types.OCILayerZStd:                   true,
	types.OCIUncompressedRestrictedLayer: true,
	types.OCIRestrictedLayer:             true,
	"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd": true,
	types.DockerUncompressedLayer:                                  true,
	types.DockerLayer:                                              true,
	"application/vnd.docker.image.rootfs.diff.tar.zstd":            true,
	"application/vnd.docker.image.rootfs.foreign.diff.tar":         true,
	types.DockerForeignLayer:                                       true,
}

// checkLayerMediaType fails for a layer the runtime cannot apply.
func checkLayerMediaType(i int, mt types.MediaType) error {
	switch {
	case strings.HasSuffix(string(mt), "+encrypted"):
		return fmt.Errorf("%w: layer %d has the encrypted media type %q; the runtime cannot apply it without the decryption keys, and its content cannot be checked", ErrUnsupported, i, mt)
	case !layerMediaTypes[mt]:
		return fmt.Errorf("%w: layer %d has the unknown media type %q; the runtime cannot apply it", ErrUnsupported, i, mt)
	}
	return nil
}

func compressionOf(mt types.MediaType) Compression {
	s := string(mt)
	switch {
	case strings.HasSuffix(s, "zstd"):
		return CompressionZstd
	case strings.HasSuffix(s, "gzip"):
		return CompressionGzip
	case strings.HasSuffix(s, ".tar"):
		return CompressionNone
	}
	return CompressionGzip
}

// OpenManifest opens one manifest listed by Manifests. It fails for
// attestations, artifacts and indexes, which have no filesystem to run.
func (s *Source) OpenManifest(ctx context.Context, m Manifest) (*Image, error) {
	if m.Kind != KindRunnable {
		return nil, fmt.Errorf("%w: %s is an %s manifest, not a runnable image", ErrMalformed, m.Digest, m.Kind)
	}
	root, err := s.root(ctx)
	if err != nil {
		return nil, err
	}
	doc := root
	if root.Digest != m.Digest {
		doc, err = s.manifest(ctx, v1.Descriptor{Digest: m.Digest, MediaType: m.MediaType, Size: m.Size})
		if err != nil {
			return nil, fmt.Errorf("reading manifest %s of %s: %w", m.Digest, s.name, classify(ctx, err))
		}
	}
	if doc.Manifest == nil {
		return nil, fmt.Errorf("%w: %s is not an image manifest", ErrMalformed, m.Digest)
	}
	kind, cf, err := s.config(ctx, doc.Manifest)
	if err != nil {
		return nil, err
	}
	if kind != KindRunnable {
		return nil, fmt.Errorf("%w: %s is an artifact (config media type %s), not a runnable image", ErrMalformed, m.Digest, doc.Manifest.Config.MediaType)
	}
	img := &Image{src: s, Digest: doc.Digest, MediaType: doc.MediaType, ConfigDigest: doc.Manifest.Config.Digest, Annotations: doc.Manifest.Annotations}
	if root.Index != nil {
		img.Descriptor = m.Platform
	}
	if cp := cf.Platform(); cp != nil {
		img.ConfigPlatform = *cp
	}
	img.Config = Config{
		OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant, OSVersion: cf.OSVersion,
		Entrypoint: cf.Config.Entrypoint, Cmd: cf.Config.Cmd, Env: cf.Config.Env,
		WorkingDir: cf.Config.WorkingDir, User: cf.Config.User, Healthcheck: cf.Config.Healthcheck,
		DiffIDs: cf.RootFS.DiffIDs,
	}
	for port := range cf.Config.ExposedPorts {
		img.Config.ExposedPorts = append(img.Config.ExposedPorts, port)
	}
	slices.Sort(img.Config.ExposedPorts)
	if len(cf.RootFS.DiffIDs) != len(doc.Manifest.Layers) {
		return nil, fmt.Errorf("%w: manifest %s has %d layers but its config lists %d diff_ids", ErrMalformed, m.Digest, len(doc.Manifest.Layers), len(cf.RootFS.DiffIDs))
	}
	for i, d := range doc.Manifest.Layers {
		if err := checkLayerMediaType(i, d.MediaType); err != nil {
			return nil, fmt.Errorf("manifest %s of %s: %w", m.Digest, s.name, err)
		}
		l := Layer{Index: i, Digest: d.Digest, DiffID: cf.RootFS.DiffIDs[i], MediaType: d.MediaType, Compression: compressionOf(d.MediaType), Foreign: !d.MediaType.IsDistributable() || len(d.URLs) > 0, Size: d.Size}
		img.Layers = append(img.Layers, l)
		sc := s.cache.layer(d, l.DiffID, s.store.fetcher(d), s.opts.Limits, s.opts.LayerIndex, !s.opts.Strict)
		img.scans = append(img.scans, sc)
		s.useLayer(sc)
	}
	return img, nil
}

// refreshLayerSizes fills in uncompressed sizes learned by reading layers.
func (img *Image) refreshLayerSizes() {
	for i, sc := range img.scans {
		sc.mu.Lock()
		if sc.complete {
			img.Layers[i].Uncompressed, img.Layers[i].Verified = sc.uncompressed, sc.verified
		}
		sc.mu.Unlock()
	}
}

// Source returns the Source the image was opened from.
func (img *Image) Source() *Source { return img.src }

// String is the image's platform, os/arch[/variant][:os.version], from its config.
func (img *Image) String() string { return platform.String(&img.ConfigPlatform) }
