package imagetest

import (
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// ImageSpec describes a test image; layers are bottom first.
type ImageSpec struct {
	OS, Architecture, Variant, OSVersion string
	Entrypoint, Cmd, Env                 []string
	WorkingDir, User                     string
	ExposedPorts                         []string
	Healthcheck                          *v1.HealthConfig
	Layers                               []v1.Layer
	// Docker makes a Docker schema 2 manifest instead of an OCI one.
	Docker bool
}

// Image assembles an image with a deterministic config.
func Image(t testing.TB, spec ImageSpec) v1.Image {
	t.Helper()
	base := empty.Image
	if !spec.Docker {
		base = mutate.MediaType(base, types.OCIManifestSchema1)
		base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	}
	img, err := mutate.AppendLayers(base, spec.Layers...)
	if err != nil {
		t.Fatalf("appending layers: %v", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant, cf.OSVersion = spec.OS, spec.Architecture, spec.Variant, spec.OSVersion
	cf.Created = v1.Time{Time: Epoch}
	cf.Config.Entrypoint, cf.Config.Cmd, cf.Config.Env = spec.Entrypoint, spec.Cmd, spec.Env
	cf.Config.WorkingDir, cf.Config.User, cf.Config.Healthcheck = spec.WorkingDir, spec.User, spec.Healthcheck
	if len(spec.ExposedPorts) > 0 {
		cf.Config.ExposedPorts = map[string]struct{}{}
		for _, p := range spec.ExposedPorts {
			cf.Config.ExposedPorts[p] = struct{}{}
		}
	}
	cf.History = nil
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return img
}

// Child is one entry of a test index.
type Child struct {
	Image v1.Image
	Index v1.ImageIndex // a nested index instead of an image
	// Platform goes into the descriptor; nil takes it from the image's
	// config. Set it to a different platform to make a descriptor that
	// disagrees with its config.
	Platform    *v1.Platform
	Annotations map[string]string
}

// Index assembles an OCI index (or a Docker manifest list with docker).
func Index(t testing.TB, docker bool, children ...Child) v1.ImageIndex {
	t.Helper()
	var idx v1.ImageIndex = empty.Index
	if docker {
		idx = mutate.IndexMediaType(idx, types.DockerManifestList)
	} else {
		idx = mutate.IndexMediaType(idx, types.OCIImageIndex)
	}
	var adds []mutate.IndexAddendum
	for _, c := range children {
		var add mutate.IndexAddendum
		if c.Index != nil {
			add.Add = c.Index
			mt, _ := c.Index.MediaType()
			add.Descriptor = v1.Descriptor{MediaType: mt, Annotations: c.Annotations}
		} else {
			add.Add = c.Image
			mt, _ := c.Image.MediaType()
			p := c.Platform
			if p == nil {
				cf, err := c.Image.ConfigFile()
				if err != nil {
					t.Fatal(err)
				}
				p = cf.Platform()
			}
			add.Descriptor = v1.Descriptor{MediaType: mt, Platform: p, Annotations: c.Annotations}
		}
		adds = append(adds, add)
	}
	return mutate.AppendManifests(idx, adds...)
}

// Attestation is a buildkit-style attestation manifest for the image with
// the given digest: an in-toto layer under platform unknown/unknown with
// the vnd.docker.reference.* annotations. Add it with AttestationChild.
func Attestation(t testing.TB) v1.Image {
	t.Helper()
	layer := static.NewLayer([]byte(`{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document"}`), "application/vnd.in-toto+json")
	return Image(t, ImageSpec{OS: "unknown", Architecture: "unknown", Layers: []v1.Layer{layer}})
}

// AttestationChild wraps an attestation for the image with digest subject.
func AttestationChild(t testing.TB, subject v1.Hash) Child {
	t.Helper()
	return Child{
		Image:    Attestation(t),
		Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"},
		Annotations: map[string]string{
			"vnd.docker.reference.type":   "attestation-manifest",
			"vnd.docker.reference.digest": subject.String(),
		},
	}
}

// Digest returns an image's or index's digest.
func Digest(t testing.TB, x interface{ Digest() (v1.Hash, error) }) v1.Hash {
	t.Helper()
	h, err := x.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return h
}
