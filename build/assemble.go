package build

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Paths and variables of ko's image layout, kept so ko users find their
// binary and data where they expect.
const (
	AppDir      = "/ko-app"
	KoDataPath  = "/var/run/ko"
	koDataEnv   = "KO_DATA_PATH"
	createdByKo = "imgcheck build"
)

// OCI annotation keys set on every image manifest and index.
const (
	AnnotationSource     = "org.opencontainers.image.source"
	AnnotationRevision   = "org.opencontainers.image.revision"
	AnnotationCreated    = "org.opencontainers.image.created"
	AnnotationVersion    = "org.opencontainers.image.version"
	AnnotationBaseName   = "org.opencontainers.image.base.name"
	AnnotationBaseDigest = "org.opencontainers.image.base.digest"
)

// appLayer is a layer imgcheck adds, with the history line describing it.
type appLayer struct {
	layer   *memoryLayer
	comment string
}

// imageSpec is everything that goes into one platform image.
type imageSpec struct {
	base        *baseImage
	layers      []appLayer
	binaryName  string
	created     time.Time
	annotations map[string]string // source, revision, version and the caller's
	labels      map[string]string
	user        string
}

// assembleImage builds the platform image as an OCI manifest on top of the
// base. It writes the manifest and config itself so that the bytes, and so
// the digests, depend only on the inputs.
func assembleImage(spec imageSpec) (v1.Image, error) {
	cfg := spec.base.config.DeepCopy()
	created := v1.Time{Time: spec.created.UTC()}
	cfg.Created = created
	cfg.Config.Entrypoint = []string{AppDir + "/" + spec.binaryName}
	cfg.Config.Cmd = nil
	cfg.Config.Env = withAppEnv(cfg.Config.Env)
	if len(spec.labels) > 0 {
		merged := maps.Clone(cfg.Config.Labels)
		if merged == nil {
			merged = map[string]string{}
		}
		maps.Copy(merged, spec.labels)
		cfg.Config.Labels = merged
	}
	if spec.user != "" {
		cfg.Config.User = spec.user
	}
	layers := slices.Clone(spec.base.layers)
	descs := slices.Clone(spec.base.descs)
	cfg.RootFS.Type = "layers"
	for _, l := range spec.layers {
		layers = append(layers, l.layer)
		descs = append(descs, mustDescriptor(l.layer))
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, l.layer.diffID)
		cfg.History = append(cfg.History, v1.History{Created: created, CreatedBy: createdByKo, Comment: l.comment})
	}
	rawCfg, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("encoding image config: %w", err)
	}
	cfgDigest, cfgSize, err := v1.SHA256(strings.NewReader(string(rawCfg)))
	if err != nil {
		return nil, err
	}
	ann := map[string]string{AnnotationCreated: spec.created.UTC().Format(time.RFC3339)}
	for k, v := range spec.annotations {
		if v != "" {
			ann[k] = v
		}
	}
	if spec.base.name != "" {
		ann[AnnotationBaseName] = spec.base.name
		ann[AnnotationBaseDigest] = spec.base.digest.String()
	}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config:        v1.Descriptor{MediaType: types.OCIConfigJSON, Digest: cfgDigest, Size: cfgSize},
		Layers:        descs,
		Annotations:   ann,
	}
	rawManifest, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding image manifest: %w", err)
	}
	byDigest := make(map[v1.Hash]v1.Layer, len(layers))
	for i, l := range layers {
		byDigest[descs[i].Digest] = l
	}
	return newRawImage(&rawImage{
		manifest: rawManifest, config: rawCfg, mediaType: types.OCIManifestSchema1, layers: byDigest,
	}, descs)
}

// withAppEnv puts /ko-app on PATH (keeping the base's PATH) and sets
// KO_DATA_PATH, as ko does.
func withAppEnv(env []string) []string {
	out := make([]string, 0, len(env)+2)
	sawPath := false
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "PATH":
			sawPath = true
			if !slices.Contains(strings.Split(v, ":"), AppDir) {
				kv = "PATH=" + v + ":" + AppDir
			}
		case koDataEnv:
			continue
		}
		out = append(out, kv)
	}
	if !sawPath {
		out = append(out, "PATH="+defaultPATH+":"+AppDir)
	}
	return append(out, koDataEnv+"="+KoDataPath)
}

// rawImage is an image whose manifest and config bytes are fixed. It backs
// both platform images and SBOM artifacts.
type rawImage struct {
	manifest, config []byte
	mediaType        types.MediaType
	layers           map[v1.Hash]v1.Layer
}

// newRawImage completes a rawImage to a v1.Image whose Layers and
// LayerByDigest return the original layer values, so that a
// *remote.MountableLayer from a base is still mountable when pushed.
func newRawImage(r *rawImage, descs []v1.Descriptor) (v1.Image, error) {
	img, err := partial.CompressedToImage(r)
	if err != nil {
		return nil, err
	}
	order := make([]v1.Hash, 0, len(descs))
	for _, d := range descs {
		order = append(order, d.Digest)
	}
	return &layeredImage{Image: img, raw: r, order: order}, nil
}

type layeredImage struct {
	v1.Image
	raw   *rawImage
	order []v1.Hash
}

func (l *layeredImage) Layers() ([]v1.Layer, error) {
	out := make([]v1.Layer, 0, len(l.order))
	for _, h := range l.order {
		out = append(out, l.raw.layers[h])
	}
	return out, nil
}

func (l *layeredImage) LayerByDigest(h v1.Hash) (v1.Layer, error) {
	if layer, ok := l.raw.layers[h]; ok {
		return layer, nil
	}
	return l.Image.LayerByDigest(h) // the config blob
}

func (r *rawImage) RawConfigFile() ([]byte, error)      { return r.config, nil }
func (r *rawImage) MediaType() (types.MediaType, error) { return r.mediaType, nil }
func (r *rawImage) RawManifest() ([]byte, error)        { return r.manifest, nil }
func (r *rawImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if l, ok := r.layers[h]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("blob %s is not part of this image", h)
}
