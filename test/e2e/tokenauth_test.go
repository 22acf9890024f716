package e2e

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/imgcheck/imgcheck/internal/distreg"
	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/internal/runctest"
)

// TestVerifyWithTokenAuth: a registry with bearer token auth (the flow of
// Docker Hub and most hosted registries): credentials from the docker
// config are exchanged for a token; without them verify exits 2.
func TestVerifyWithTokenAuth(t *testing.T) {
	runctest.Require(t, "docker-registry")
	const user, pass = "ci", "token-e2e-password"
	reg := distreg.Start(t, distreg.Options{Users: map[string]string{user: pass}, TokenAuth: true})
	bin := imagetest.GoBinary(t, "linux", "arm64", false)
	img := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "arm64", Entrypoint: []string{"/ko-app/sample-server"},
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("ko-app"), imagetest.File("ko-app/sample-server", 0o755, bin))}})
	ref, err := name.ParseReference(reg.Host+"/team/app:v1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: user, Password: pass})); err != nil {
		t.Fatal(err)
	}
	withCreds := []string{"DOCKER_CONFIG=" + dockerConfig(t, reg.Host, user, pass)}
	if res := imgcheck(t, withCreds, "verify", ref.String(), "--platform", "linux/arm64"); res.code != 0 {
		t.Fatalf("with credentials: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	noCreds := []string{"DOCKER_CONFIG=" + t.TempDir()}
	res := imgcheck(t, noCreds, "verify", ref.String(), "--platform", "linux/arm64")
	if res.code != 2 || !strings.Contains(strings.ToLower(res.stderr), "unauthorized") {
		t.Fatalf("without credentials: exit %d, stderr %q; want 2 naming the auth failure", res.code, res.stderr)
	}
	if strings.Contains(res.stderr+res.stdout, pass) {
		t.Fatal("the password reached the output")
	}
}
