package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/imgcheck/imgcheck/internal/distreg"
	"github.com/imgcheck/imgcheck/internal/faultproxy"
	"github.com/imgcheck/imgcheck/internal/runctest"
)

// TestBuildPushUnderFaults: with each fault of the proxy on a share of the
// requests, imgcheck build --push either completes with an index whose
// every child manifest exists, or fails; re-running without faults then
// completes and uploads only the blobs that were missing.
func TestBuildPushUnderFaults(t *testing.T) {
	runctest.Require(t, "docker-registry")
	reg := distreg.Start(t, distreg.Options{})
	proxy := faultproxy.Start(t, reg.Host)
	proxy.StallFor = faultStall
	args := []string{"build", "./sample-server", "--base", "static", "--sbom", "none", "--platform", "linux/amd64,linux/arm64"}

	// The build is reproducible: a layout build names every blob a push sends.
	dir := filepath.Join(t.TempDir(), "layout")
	if res := imgcheck(t, nil, append(args, "--oci-layout", dir)...); res.code != 0 {
		t.Fatalf("layout build: exit %d\n%s", res.code, res.stderr)
	}
	want := layoutBlobs(t, dir)

	for i, fault := range faultproxy.AllFaults {
		t.Run(string(fault), func(t *testing.T) {
			repo := fmt.Sprintf("faults/app%d", i)
			proxy.SetRule(faultproxy.Rule{Fault: fault, Every: 4, Limit: 2})
			first := imgcheck(t, nil, append(args, "--push", proxy.Host+"/"+repo)...)
			proxy.SetRule(faultproxy.Rule{})
			if first.code == 0 {
				checkIndexComplete(t, reg.Host+"/"+repo+"@"+digestOf(t, strings.TrimSpace(first.stdout)))
			}
			missing := missingBlobs(t, reg.Host+"/"+repo, want)
			proxy.ResetStats()
			second := imgcheck(t, nil, append(args, "--push", proxy.Host+"/"+repo)...)
			if second.code != 0 {
				t.Fatalf("re-run after the fault: exit %d\n%s", second.code, second.stderr)
			}
			checkIndexComplete(t, reg.Host+"/"+repo+"@"+digestOf(t, strings.TrimSpace(second.stdout)))
			// Only what was missing may be sent again (a blob the registry
			// has must not be uploaded twice).
			if got := uploadsIn(proxy.Log()); got > len(missing) {
				t.Errorf("first run exit %d left %d blobs missing (%v); the re-run uploaded %d\nfirst run: %s %s\nre-run requests: %v",
					first.code, len(missing), missing, got, first.stdout, first.stderr, proxy.Log())
			}
			t.Logf("fault %s: first run exit %d, %d of %d blobs missing after it", fault, first.code, len(missing), len(want))
		})
	}
}

// faultStall keeps stalled responses short: the point is the outcome, not the wait.
const faultStall = 2 * time.Second

// layoutBlobs lists the layer and config blobs of every image in a layout.
func layoutBlobs(t *testing.T, dir string) []v1.Hash {
	t.Helper()
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	root, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	var out []v1.Hash
	var walk func(idx v1.ImageIndex)
	walk = func(idx v1.ImageIndex) {
		im, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range im.Manifests {
			if d.MediaType.IsIndex() {
				child, err := idx.ImageIndex(d.Digest)
				if err != nil {
					t.Fatal(err)
				}
				walk(child)
				continue
			}
			img, err := idx.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			m, err := img.Manifest()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, m.Config.Digest)
			for _, l := range m.Layers {
				out = append(out, l.Digest)
			}
		}
	}
	walk(root)
	return dedupe(out)
}

func dedupe(hs []v1.Hash) []v1.Hash {
	seen := map[v1.Hash]bool{}
	var out []v1.Hash
	for _, h := range hs {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// missingBlobs asks the registry directly which blobs it lacks.
func missingBlobs(t *testing.T, repo string, want []v1.Hash) []v1.Hash {
	t.Helper()
	var out []v1.Hash
	for _, h := range want {
		resp, err := http.Head(fmt.Sprintf("http://%s/v2/%s/blobs/%s", strings.SplitN(repo, "/", 2)[0], strings.SplitN(repo, "/", 2)[1], h))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			out = append(out, h)
		}
	}
	return out
}

// checkIndexComplete reads the index straight from the registry and
// requires every child manifest to be there.
func checkIndexComplete(t *testing.T, ref string) {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(r)
	if err != nil {
		t.Fatalf("reading the pushed index %s: %v", ref, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range im.Manifests {
		if _, err := remote.Head(r.Context().Digest(d.Digest.String())); err != nil {
			t.Errorf("index %s points at a missing manifest %s: %v", ref, d.Digest, err)
		}
	}
}

// uploadsIn counts completed blob uploads (the final PUT of an upload).
func uploadsIn(log []string) int {
	n := 0
	for _, line := range log {
		if strings.HasPrefix(line, "PUT ") && strings.Contains(line, "/blobs/uploads/") {
			n++
		}
	}
	return n
}
