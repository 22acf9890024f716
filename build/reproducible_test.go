package build

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/imgcheck/imgcheck/platform"
)

// TestRebuildIsIdenticalAndUploadsNothing compiles for real twice (no
// cache wrapper) and pushes both results to a logging registry.
func TestRebuildIsIdenticalAndUploadsNothing(t *testing.T) {
	ctx := testContext(t)
	dir := helloModule(t)
	host, reqs := startRegistry(t)
	pub := &RegistryPublisher{Repository: func(p Package) (name.Repository, error) {
		return RepositoryFor(host+"/app", p, true, name.Insecure)
	}}
	var digests []string
	for i := range 2 {
		reqs.reset()
		res, err := newTestBuilder(dir, GoCompiler{}).BuildAndPublish(ctx, []string{"."}, nil, []Publisher{pub})
		if err != nil {
			t.Fatalf("build %d: %v", i+1, err)
		}
		digests = append(digests, res[0].Digest)
		uploads := reqs.blobUploads()
		if i == 0 && len(uploads) == 0 {
			t.Fatalf("first push uploaded no blob; request log: %v", reqs.all())
		}
		if i == 1 && len(uploads) != 0 {
			t.Errorf("second push uploaded blobs: %v", uploads)
		}
		if i == 1 {
			for _, r := range reqs.all() {
				if !strings.HasPrefix(r, "GET ") && !strings.HasPrefix(r, "HEAD ") {
					t.Errorf("second push wrote to the registry: %s", r)
				}
			}
		}
	}
	if digests[0] != digests[1] {
		t.Errorf("two builds gave different digests: %s and %s", digests[0], digests[1])
	}
}

// TestIndexWrittenAfterPlatformManifests checks the order the registry saw:
// every platform manifest PUT precedes the index PUT.
func TestIndexWrittenAfterPlatformManifests(t *testing.T) {
	ctx := testContext(t)
	host, reqs := startRegistry(t)
	b := newTestBuilder(helloModule(t), fixtures.compiler)
	art, err := b.Build(ctx, ".")
	if err != nil {
		t.Fatal(err)
	}
	pub := &RegistryPublisher{Repository: func(p Package) (name.Repository, error) {
		return RepositoryFor(host+"/app", p, true, name.Insecure)
	}}
	if _, err := pub.Publish(ctx, art, []string{"v1"}); err != nil {
		t.Fatal(err)
	}
	var puts []string
	for _, r := range reqs.all() {
		if strings.HasPrefix(r, "PUT ") && strings.Contains(r, "/manifests/") {
			puts = append(puts, r[strings.LastIndex(r, "/")+1:])
		}
	}
	indexAt := slices.Index(puts, art.Digest.String())
	if indexAt < 0 {
		t.Fatalf("index %s never PUT; manifest PUTs: %v", art.Digest, puts)
	}
	for _, img := range art.Images {
		at := slices.Index(puts, img.Digest.String())
		if at < 0 || at > indexAt {
			t.Errorf("platform %s manifest PUT at %d, index at %d: %v", platform.String(&img.Platform), at, indexAt, puts)
		}
	}
}

func TestSBOMReferrers(t *testing.T) {
	ctx := testContext(t)
	for _, referrersAPI := range []bool{false, true} {
		host, _ := startRegistry(t, registry.WithReferrersSupport(referrersAPI))
		b := newTestBuilder(helloModule(t), fixtures.compiler)
		art, err := b.Build(ctx, ".")
		if err != nil {
			t.Fatal(err)
		}
		repo, _ := name.NewRepository(host+"/app", name.Insecure)
		pub := &RegistryPublisher{Repository: func(Package) (name.Repository, error) { return repo, nil }}
		if _, err := pub.Publish(ctx, art, nil); err != nil {
			t.Fatal(err)
		}
		subjects := []string{art.Digest.String()}
		for _, img := range art.Images {
			subjects = append(subjects, img.Digest.String())
		}
		for _, s := range subjects {
			idx, err := remote.Referrers(repo.Digest(s), remote.WithContext(ctx))
			if err != nil {
				t.Fatalf("referrers API %v: referrers of %s: %v", referrersAPI, s, err)
			}
			im, _ := idx.IndexManifest()
			// go-containerregistry's test registry reports the config media
			// type as artifactType in its referrers API (a pre-1.1 draft
			// rule); the fallback tag and real registries use the manifest's.
			if len(im.Manifests) != 1 || !slices.Contains([]string{SPDXArtifactType, ociEmptyConfigType}, im.Manifests[0].ArtifactType) {
				t.Fatalf("referrers API %v: referrers of %s = %+v, want one %s", referrersAPI, s, im.Manifests, SPDXArtifactType)
			}
			if !referrersAPI && im.Manifests[0].ArtifactType != SPDXArtifactType {
				t.Errorf("fallback tag index lists artifactType %q", im.Manifests[0].ArtifactType)
			}
			sbom, err := remote.Image(repo.Digest(im.Manifests[0].Digest.String()))
			if err != nil {
				t.Fatal(err)
			}
			m, err := sbom.Manifest()
			if err != nil {
				t.Fatal(err)
			}
			if m.ArtifactType != SPDXArtifactType || m.Subject == nil || m.Subject.Digest.String() != s {
				t.Errorf("SBOM manifest artifactType %q subject %v, want %s about %s", m.ArtifactType, m.Subject, SPDXArtifactType, s)
			}
			layers, _ := sbom.Layers()
			rc, _ := layers[0].Compressed()
			var doc spdxDocument
			if err := jsonDecode(rc, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.SPDXVersion != "SPDX-2.3" || !strings.HasSuffix(doc.DocumentNamespace, strings.TrimPrefix(s, "sha256:")) ||
				doc.CreationInfo.Created != "2023-11-14T22:13:20Z" {
				t.Errorf("SPDX document header: %+v", doc)
			}
			var purls []string
			for _, p := range doc.Packages {
				purls = append(purls, p.ExternalRefs[0].ReferenceLocator)
			}
			if !slices.Contains(purls, "pkg:golang/example.com/hello") || !slices.ContainsFunc(purls, func(p string) bool { return strings.HasPrefix(p, "pkg:golang/stdlib@go1.") }) {
				t.Errorf("purls %v lack the main module or stdlib", purls)
			}
		}
		if !referrersAPI {
			// The fallback tag schema: sha256-<hex> tags an index of referrers.
			tags, err := remote.List(repo, remote.WithContext(ctx))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(tags, "sha256-"+art.Digest.Hex) {
				t.Errorf("fallback tag for the index missing; tags %v", tags)
			}
		}
	}
}

// TestBuildIsPathIndependent builds two copies of the sources in different
// directories (as on two machines): -trimpath and the fixed layer metadata
// make the digests equal.
func TestBuildIsPathIndependent(t *testing.T) {
	var digests []string
	for range 2 {
		dir := filepath.Join(t.TempDir(), "src", "hello")
		if err := os.CopyFS(dir, os.DirFS(helloModule(t))); err != nil {
			t.Fatal(err)
		}
		b := newTestBuilder(dir, GoCompiler{})
		b.Platforms = []string{"linux/arm64"}
		art, err := b.Build(testContext(t), ".")
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, art.Digest.String())
	}
	if digests[0] != digests[1] {
		t.Errorf("same sources in two directories gave %s and %s", digests[0], digests[1])
	}
}
