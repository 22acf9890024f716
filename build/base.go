package build

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/platform"
)

// baseImage is a base for one platform: its layers (already reported with
// OCI media types) with their manifest descriptors, and its config.
type baseImage struct {
	layers []v1.Layer
	descs  []v1.Descriptor
	config *v1.ConfigFile
	// name and digest feed the base.name / base.digest annotations; empty
	// for the built-in bases, which have no registry reference.
	name   string
	digest v1.Hash
}

// baseSource yields a base per platform.
type baseSource interface {
	// Platforms lists the platforms the base offers, nil meaning any.
	Platforms() []v1.Platform
	// String names the base for progress output (with its digest).
	String() string
	For(ctx context.Context, p v1.Platform) (*baseImage, error)
}

type builtinSource struct {
	static bool
	layer  *memoryLayer
}

func (builtinSource) Platforms() []v1.Platform { return nil }

func (b builtinSource) String() string {
	if b.static {
		return BaseStatic + " (built in)"
	}
	return BaseScratch
}

func (s *remoteSource) String() string {
	return s.ref.Context().Name() + "@" + s.desc.Digest.String()
}

func (b builtinSource) For(_ context.Context, p v1.Platform) (*baseImage, error) {
	if b.static {
		return staticBase(b.layer, p), nil
	}
	return scratchBase(p), nil
}

// remoteSource is a base image or index in a registry, fetched once.
type remoteSource struct {
	ref   name.Reference
	desc  *remote.Descriptor
	index v1.ImageIndex // nil for a single image
	opts  []remote.Option
}

// openBase resolves a base reference: "static", "scratch", an OCI layout
// (oci:DIR[:tag|@digest]) or a registry reference fetched through opts.
func openBase(ctx context.Context, ref string, staticLayer *memoryLayer, opts []remote.Option, parse func(string) (name.Reference, error)) (baseSource, error) {
	switch ref {
	case "", BaseStatic:
		return builtinSource{static: true, layer: staticLayer}, nil
	case BaseScratch:
		return builtinSource{}, nil
	}
	if r, err := image.ParseRef(ref); err == nil && r.Kind != image.RefRegistry {
		if r.Kind != image.RefLayout {
			return nil, fmt.Errorf("base image %q: %s references cannot be a base; use a registry reference or an OCI layout (oci:DIR)", ref, r.Kind)
		}
		return openLayoutBase(ref, r)
	}
	r, err := parse(ref)
	if err != nil {
		return nil, fmt.Errorf("base image %q: %w", ref, err)
	}
	opts = append(append([]remote.Option{}, opts...), remote.WithContext(ctx))
	desc, err := remote.Get(r, opts...)
	if err != nil {
		return nil, fmt.Errorf("fetching base image %s: %w", r, err)
	}
	src := &remoteSource{ref: r, desc: desc, opts: opts}
	if desc.MediaType.IsIndex() {
		if src.index, err = desc.ImageIndex(); err != nil {
			return nil, fmt.Errorf("reading base index %s: %w", r, err)
		}
	}
	return src, nil
}

// isLayoutBase reports whether a base reference names an OCI layout.
func isLayoutBase(ref string) bool {
	r, err := image.ParseRef(ref)
	return err == nil && r.Kind == image.RefLayout
}

func (s *remoteSource) Platforms() []v1.Platform { return indexPlatforms(s.index) }

// indexPlatforms lists the runnable platforms of a base index; nil for a
// single image (nil index).
func indexPlatforms(idx v1.ImageIndex) []v1.Platform {
	if idx == nil {
		return nil
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil
	}
	var out []v1.Platform
	for _, m := range im.Manifests {
		if m.Platform != nil && isRunnable(m) {
			out = append(out, *m.Platform)
		}
	}
	return out
}

// isRunnable skips attestation manifests (buildx records them as
// unknown/unknown with a reference-type annotation).
func isRunnable(d v1.Descriptor) bool {
	if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
		return false
	}
	return d.Platform == nil || (d.Platform.OS != "unknown" && d.Platform.Architecture != "unknown")
}

// indexImage picks the image of a base index for p, by the rule verify uses.
func indexImage(idx v1.ImageIndex, p v1.Platform, label string) (v1.Image, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading base index %s: %w", label, err)
	}
	i := platform.Best(p, im.Manifests, func(m v1.Descriptor) *v1.Platform {
		if !isRunnable(m) || !m.MediaType.IsImage() {
			return nil
		}
		return m.Platform
	})
	if i < 0 {
		return nil, fmt.Errorf("base index %s has no image for %s", label, platform.String(&p))
	}
	img, err := idx.Image(im.Manifests[i].Digest)
	if err != nil {
		return nil, fmt.Errorf("reading base %s for %s: %w", label, platform.String(&p), err)
	}
	return img, nil
}

func (s *remoteSource) For(_ context.Context, p v1.Platform) (*baseImage, error) {
	if s.index != nil {
		img, err := indexImage(s.index, p, s.ref.String())
		if err != nil {
			return nil, err
		}
		return baseFromImage(s.ref.String(), s.ref.Context().Name()+tagSuffix(s.ref), img, p)
	}
	img, err := s.desc.Image()
	if err != nil {
		return nil, fmt.Errorf("reading base image %s: %w", s.ref, err)
	}
	return baseFromImage(s.ref.String(), s.ref.Context().Name()+tagSuffix(s.ref), img, p)
}

// baseFromImage takes a base platform image apart; label names it in
// errors, annName (when not "") goes into the base.name annotation.
func baseFromImage(ref, annName string, img v1.Image, p v1.Platform) (*baseImage, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading config of base %s: %w", ref, err)
	}
	if !platform.Matches(p, v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}) {
		return nil, fmt.Errorf("base image %s is %s/%s only, cannot build %s on it: use a multi-platform base image or build its platform only",
			ref, cfg.OS, cfg.Architecture, platform.String(&p))
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("reading manifest of base %s: %w", ref, err)
	}
	digest, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("digest of base %s: %w", ref, err)
	}
	b := &baseImage{config: cfg.DeepCopy(), name: annName, digest: digest}
	for _, d := range m.Layers {
		l, err := img.LayerByDigest(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("layer %s of base %s: %w", d.Digest, ref, err)
		}
		mt, ok := ociLayerType(d.MediaType)
		if !ok {
			return nil, fmt.Errorf("base %s: layer %s has media type %s, which imgcheck cannot carry into an OCI image", ref, d.Digest, d.MediaType)
		}
		d.MediaType = mt
		b.layers = append(b.layers, retypeLayer(l, mt))
		b.descs = append(b.descs, d)
	}
	// The config names exactly the platform the index entry will name, so
	// that an arm64 base labelled v8 cannot disagree with "linux/arm64".
	b.config.OS, b.config.Architecture, b.config.Variant = p.OS, p.Architecture, p.Variant
	return b, nil
}

func tagSuffix(ref name.Reference) string {
	if t, ok := ref.(name.Tag); ok {
		return ":" + t.TagStr()
	}
	return "@" + ref.Identifier()
}

// ociLayerType maps Docker layer media types to their OCI equivalents (the
// bytes are the same; only the label differs).
func ociLayerType(mt types.MediaType) (types.MediaType, bool) {
	switch mt {
	case types.OCILayer, types.OCILayerZStd, types.OCIUncompressedLayer, types.OCIRestrictedLayer, types.OCIUncompressedRestrictedLayer:
		return mt, true
	case types.DockerLayer:
		return types.OCILayer, true
	case types.DockerUncompressedLayer:
		return types.OCIUncompressedLayer, true
	case types.DockerForeignLayer:
		return types.OCIRestrictedLayer, true
	}
	return "", false
}

// retypeLayer relabels a layer's media type. A layer from a registry stays
// a *remote.MountableLayer, so a push to another repository of the same
// registry mounts it instead of uploading it.
func retypeLayer(l v1.Layer, mt types.MediaType) v1.Layer {
	if cur, err := l.MediaType(); err == nil && cur == mt {
		return l
	}
	if ml, ok := l.(*remote.MountableLayer); ok {
		return &remote.MountableLayer{Layer: retypedLayer{Layer: ml.Layer, mediaType: mt}, Reference: ml.Reference}
	}
	return retypedLayer{Layer: l, mediaType: mt}
}

type retypedLayer struct {
	v1.Layer
	mediaType types.MediaType
}

func (l retypedLayer) MediaType() (types.MediaType, error) { return l.mediaType, nil }

// BaseRegistryHosts lists the registry hosts of every base image this
// Builder may pull (Base, KO_DEFAULTBASEIMAGE, defaultBaseImage and
// baseImageOverrides), for a caller that allows plain HTTP to them.
func (b *Builder) BaseRegistryHosts() []string {
	refs := []string{b.Base, b.Getenv("KO_DEFAULTBASEIMAGE")}
	if b.Config != nil {
		refs = append(refs, b.Config.DefaultBaseImage)
		for _, r := range b.Config.BaseImageOverrides {
			refs = append(refs, r)
		}
	}
	var hosts []string
	for _, ref := range refs {
		if ref == "" || ref == BaseStatic || ref == BaseScratch || isLayoutBase(ref) {
			continue
		}
		if r, err := name.ParseReference(ref, name.WeakValidation); err == nil && !slices.Contains(hosts, r.Context().RegistryStr()) {
			hosts = append(hosts, r.Context().RegistryStr())
		}
	}
	slices.Sort(hosts)
	return hosts
}
