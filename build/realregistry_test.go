package build

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// startDistribution runs the CNCF distribution registry (docker-registry)
// on 127.0.0.1 with storage in a temporary directory.
func startDistribution(t *testing.T) string {
	t.Helper()
	bin := needTool(t, "docker-registry")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n", filepath.Join(dir, "data"), addr)
	cfgFile := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", cfgFile)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	client := &http.Client{Timeout: time.Second}
	for range 100 {
		resp, err := client.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("docker-registry did not start on %s:\n%s", addr, logs.String())
	return ""
}

// loggingTransport records requests on their way to a real registry.
type loggingTransport struct{ log *requestLog }

func (l loggingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	l.log.add(r)
	return http.DefaultTransport.RoundTrip(r)
}

// TestPushToDistribution pushes to a real registry without the referrers
// API: SBOMs land under the fallback tag, a rebuild uploads nothing, and a
// base layer is mounted across repositories.
func TestPushToDistribution(t *testing.T) {
	ctx := testContext(t)
	host := startDistribution(t)
	reqs := &requestLog{}
	opts := []remote.Option{remote.WithTransport(loggingTransport{reqs})}
	insecure := func(s string) (name.Reference, error) { return name.ParseReference(s, name.Insecure) }
	baseRef, _ := insecure(host + "/base:1")
	pushDockerBase(t, baseRef)

	b := newTestBuilder(helloModule(t), fixtures.compiler)
	b.Base, b.ParseReference, b.RemoteOptions = baseRef.String(), insecure, opts
	pub := &RegistryPublisher{Options: opts, Repository: func(p Package) (name.Repository, error) {
		return RepositoryFor(host+"/apps", p, false, name.Insecure)
	}}
	for round := range 2 {
		reqs.reset()
		res, err := b.BuildAndPublish(ctx, []string{"."}, []string{"v1"}, []Publisher{pub})
		if err != nil {
			t.Fatalf("round %d: %v", round+1, err)
		}
		all := reqs.all()
		if round == 0 && !slices.ContainsFunc(all, func(r string) bool {
			return strings.HasPrefix(r, "POST /v2/apps/hello/blobs/uploads/?") && strings.Contains(r, "from=base")
		}) {
			t.Errorf("base layer not mounted from base: %v", all)
		}
		if round == 1 {
			if up := reqs.blobUploads(); len(up) != 0 {
				t.Errorf("rebuild uploaded blobs: %v", up)
			}
			repo, _ := name.NewRepository(host+"/apps/hello", name.Insecure)
			idx, err := remote.Referrers(repo.Digest(res[0].Digest), remote.WithContext(ctx))
			if err != nil {
				t.Fatal(err)
			}
			im, _ := idx.IndexManifest()
			if len(im.Manifests) != 1 || im.Manifests[0].ArtifactType != SPDXArtifactType {
				t.Errorf("index referrers via fallback tag: %+v", im.Manifests)
			}
		}
	}
}
