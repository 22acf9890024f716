package build

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/imgcheck/imgcheck/platform"
)

// pushDockerBase pushes a Docker-media-type index with amd64 and arm64
// images and a buildx-style attestation manifest.
func pushDockerBase(t *testing.T, ref name.Reference) {
	t.Helper()
	layer, err := newReproducibleLayer([]layerFile{{Path: "/etc/base-release", Mode: 0o644, Data: []byte("base 1\n")}}, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	docker := retypedLayer{Layer: layer, mediaType: types.DockerLayer}
	var adds []mutate.IndexAddendum
	for _, arch := range []string{"amd64", "arm64"} {
		img := mutate.MediaType(empty.Image, types.DockerManifestSchema2)
		img = mutate.ConfigMediaType(img, types.DockerConfigJSON)
		img, err = mutate.Append(img, mutate.Addendum{Layer: docker})
		if err != nil {
			t.Fatal(err)
		}
		img, err = mutate.ConfigFile(img, &v1.ConfigFile{OS: "linux", Architecture: arch,
			Config: v1.Config{User: "1000", Env: []string{"PATH=/usr/bin:/bin"}, WorkingDir: "/srv"},
			RootFS: v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{layer.diffID}}})
		if err != nil {
			t.Fatal(err)
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	att := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	adds = append(adds, mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
		Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
		Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"},
	}})
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.DockerManifestList), adds...)
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
}

func TestRemoteBaseIndex(t *testing.T) {
	ctx := testContext(t)
	host, reqs := startRegistry(t)
	baseRef, _ := name.ParseReference(host+"/base:1", name.Insecure)
	pushDockerBase(t, baseRef)

	b := newTestBuilder(helloModule(t), fixtures.compiler)
	b.Base = baseRef.String()
	b.Platforms = []string{"all"}
	b.ParseReference = func(s string) (name.Reference, error) { return name.ParseReference(s, name.Insecure) }
	art, err := b.Build(ctx, ".")
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(art.Index); err != nil {
		t.Fatal(err)
	}
	var plats []string
	for _, pi := range art.Images {
		plats = append(plats, platform.String(&pi.Platform))
		m, err := pi.Image.Manifest()
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Layers) != 3 {
			t.Errorf("%s: %d layers, want base + kodata + binary", platform.String(&pi.Platform), len(m.Layers))
		}
		for _, l := range m.Layers {
			if l.MediaType != types.OCILayer {
				t.Errorf("layer media type %s, want OCI", l.MediaType)
			}
		}
		if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON {
			t.Errorf("manifest %s config %s", m.MediaType, m.Config.MediaType)
		}
		if m.Annotations[AnnotationBaseName] != host+"/base:1" || m.Annotations[AnnotationBaseDigest] == "" {
			t.Errorf("base annotations %v", m.Annotations)
		}
		cfg, _ := pi.Image.ConfigFile()
		if cfg.Config.User != "1000" || cfg.Config.WorkingDir != "/srv" || !slices.Contains(cfg.Config.Env, "PATH=/usr/bin:/bin:/ko-app") {
			t.Errorf("config does not keep the base's user, workdir and PATH: %+v", cfg.Config)
		}
		fileFromImage(t, pi.Image, "/etc/base-release")
	}
	if !slices.Equal(plats, []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("--platform all over the base gave %v; the attestation manifest must be skipped", plats)
	}

	// Base layers stay *remote.MountableLayer, so go-containerregistry
	// mounts them (POST ?mount=&from=) when pushing to another repository
	// of the same registry. The in-memory registry shares blobs across
	// repositories, so there the HEAD check already finds them: assert the
	// type and that no upload of the base layer happens.
	ls, err := art.Images[0].Image.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ls[0].(*remote.MountableLayer); !ok {
		t.Errorf("base layer is %T, want *remote.MountableLayer", ls[0])
	}
	baseDigest, _ := ls[0].Digest()
	reqs.reset()
	pub := &RegistryPublisher{Repository: func(p Package) (name.Repository, error) {
		return RepositoryFor(host+"/apps", p, false, name.Insecure)
	}}
	if _, err := pub.Publish(ctx, art, nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs.all() {
		if strings.Contains(r, "/blobs/uploads/") && strings.Contains(r, baseDigest.Hex) && !strings.Contains(r, "mount=") {
			t.Errorf("base layer uploaded instead of reused: %s", r)
		}
	}

	b.Platforms = []string{"linux/s390x"}
	if _, err := b.Build(ctx, "."); err == nil || !strings.Contains(err.Error(), "no linux/s390x image") {
		t.Errorf("a platform the base lacks: err = %v", err)
	}
}
