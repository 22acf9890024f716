package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/internal/runctest"
)

// TestPeerImagesVerify: an image built by ko, and copies pushed by skopeo
// in Docker schema 2 and in OCI format, verify against the example task
// definitions as they should.
func TestPeerImagesVerify(t *testing.T) {
	runctest.Require(t, "ko", "skopeo", "docker-registry")
	reg := startAuthRegistry(t)
	base := reg.push(t, "base/static:v1", imagetest.Index(t, false,
		imagetest.Child{Image: baseImage(t, "amd64")}, imagetest.Child{Image: baseImage(t, "arm64")}))

	// ko, with its own config so that it uses the local base.
	cfgDir := t.TempDir()
	koYAML := "defaultBaseImage: " + base + "\n"
	if err := os.WriteFile(filepath.Join(cfgDir, ".ko.yaml"), []byte(koYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ko", "build", "./sample-server", "--base-import-paths", "--sbom=none",
		"--platform=linux/amd64,linux/arm64")
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), reg.dockerEnv, "KO_DOCKER_REPO="+reg.Host+"/ko", "KO_CONFIG_PATH="+cfgDir, "GOFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("ko build: %v\n%s", err, stderr)
	}
	koRef := strings.TrimSpace(string(out))
	if !strings.Contains(koRef, "@sha256:") {
		t.Fatalf("ko printed %q, want a digest reference", koRef)
	}

	for _, td := range []string{"examples/taskdef-arm64.json", "examples/taskdef-x86_64.json"} {
		res := imgcheck(t, []string{reg.dockerEnv}, "verify", koRef, "--taskdef", td)
		if res.code != 0 {
			t.Errorf("ko image vs %s: exit %d\n%s\n%s", td, res.code, res.stdout, res.stderr)
		}
	}

	// skopeo re-pushes one platform in each manifest format.
	creds := "e2e:e2e-registry-password"
	for _, format := range []string{"v2s2", "oci"} {
		dst := reg.Host + "/skopeo/" + format + ":arm64"
		runctest.Command(t, 2*time.Minute, "skopeo", "copy", "--src-tls-verify=false", "--dest-tls-verify=false",
			"--src-creds", creds, "--dest-creds", creds, "--override-arch", "arm64", "--format", format,
			"docker://"+koRef, "docker://"+dst)
		raw := runctest.Command(t, time.Minute, "skopeo", "inspect", "--raw", "--tls-verify=false", "--creds", creds, "docker://"+dst)
		wantType := map[string]string{"v2s2": "application/vnd.docker.distribution.manifest.v2+json", "oci": "application/vnd.oci.image.manifest.v1+json"}[format]
		if !strings.Contains(raw, wantType) {
			t.Fatalf("skopeo --format %s pushed %s", format, raw)
		}
		if res := imgcheck(t, []string{reg.dockerEnv}, "verify", dst, "--taskdef", "examples/taskdef-arm64.json"); res.code != 0 {
			t.Errorf("skopeo %s copy vs ARM64: exit %d\n%s\n%s", format, res.code, res.stdout, res.stderr)
		}
		res := imgcheck(t, []string{reg.dockerEnv}, "verify", dst, "--taskdef", "examples/taskdef-x86_64.json", "--format", "json")
		if res.code != 1 || !strings.Contains(res.stdout, `"IC102"`) {
			t.Errorf("skopeo %s arm64 copy vs X86_64: exit %d, want 1 with IC102\n%s", format, res.code, res.stdout)
		}
	}
}

// baseImage is a minimal base with /etc/passwd, as ko expects of a base.
func baseImage(t *testing.T, arch string) v1.Image {
	t.Helper()
	passwd := []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")
	return imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: arch,
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("etc"), imagetest.File("etc/passwd", 0o644, passwd))}})
}
