package build

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/imgcheck/imgcheck/build/koconfig"
)

// needTool finds a real component the test runs against. A missing tool is
// a failure, never a skip (.ci/install-tools installs them).
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		home, _ := os.UserHomeDir()
		if p, err = exec.LookPath(filepath.Join(home, "go", "bin", name)); err != nil {
			t.Fatalf("%s is required for this test (run .ci/install-tools): %v", name, err)
		}
	}
	return p
}

// buildHelloArtifact builds the fixture for amd64 and arm64 once per test.
func buildHelloArtifact(t *testing.T) *Artifact {
	t.Helper()
	art, err := newTestBuilder(helloModule(t), fixtures.compiler).Build(testContext(t), ".")
	if err != nil {
		t.Fatal(err)
	}
	return art
}

func platformImage(t *testing.T, idx v1.ImageIndex, arch string) v1.Image {
	t.Helper()
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range im.Manifests {
		if d.Platform != nil && d.Platform.Architecture == arch {
			img, err := idx.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			return img
		}
	}
	t.Fatalf("no %s image in index", arch)
	return nil
}

// TestTarballCopiesWithSkopeo loads the archive with skopeo, as users will.
func TestTarballCopiesWithSkopeo(t *testing.T) {
	skopeo := needTool(t, "skopeo")
	art := buildHelloArtifact(t)
	dir := t.TempDir()
	tarFile := filepath.Join(dir, "hello.tar")
	pub := &TarballPublisher{File: tarFile}
	defer pub.Close()
	if _, err := pub.Publish(testContext(t), art, nil); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "copied")
	cmd := exec.CommandContext(testContext(t), skopeo, "--insecure-policy", "copy", "--all", "--preserve-digests",
		"oci-archive:"+tarFile, "oci:"+dest+":copied")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("skopeo copy: %v\n%s", err, out)
	}
	p, err := layout.FromPath(dest)
	if err != nil {
		t.Fatal(err)
	}
	top, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := top.ImageIndex(art.Digest)
	if err != nil {
		t.Fatalf("skopeo's copy does not hold index %s: %v", art.Digest, err)
	}
	if err := validate.Index(idx); err != nil {
		t.Fatal(err)
	}
}

// TestArm64BinaryRunsUnderQEMU runs the arm64 image's binary: the strongest
// proof that the platform got the right program.
func TestArm64BinaryRunsUnderQEMU(t *testing.T) {
	qemu := needTool(t, "qemu-aarch64-static")
	art := buildHelloArtifact(t)
	_, data := fileFromImage(t, platformImage(t, art.Index, "arm64"), AppDir+"/hello")
	bin := filepath.Join(t.TempDir(), "hello")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(testContext(t), qemu, bin).CombinedOutput()
	if err != nil {
		t.Fatalf("running arm64 binary: %v\n%s", err, out)
	}
	if string(out) != "hello dev " {
		t.Errorf("arm64 binary printed %q", out)
	}
}

// TestSameBinaryAsKo builds the fixture with ko and with imgcheck and
// compares the binaries byte for byte: a .ko.yaml ko accepts builds the
// same program here. ko's base comes from a local registry (no network).
func TestSameBinaryAsKo(t *testing.T) {
	ko := needTool(t, "ko")
	host, _ := startRegistry(t)
	baseRef, err := name.ParseReference(host+"/base:1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	pushDockerBase(t, baseRef)
	dir := helloModule(t)
	// ko names the layout like a repository: lower case only, unlike
	// t.TempDir's test-named path.
	koTmp, err := os.MkdirTemp("", "imgcheck-ko-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(koTmp) })
	koLayout := filepath.Join(koTmp, "layout")
	cmd := exec.CommandContext(testContext(t), ko, "build", "--push=false", "--oci-layout-path", koLayout,
		"--bare", "--sbom=none", "--platform=linux/amd64,linux/arm64", ".")
	cmd.Dir = dir
	// One .ko.yaml, with a templated ldflag, read by both tools.
	confDir := t.TempDir()
	koYAML := "defaultBaseImage: " + baseRef.String() + `
builds:
- id: hello
  main: .
  ldflags:
  - -s -w
  - -X main.version={{.Env.HELLO_VERSION}}
`
	if err := os.WriteFile(filepath.Join(confDir, ".ko.yaml"), []byte(koYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "HELLO_VERSION=1.2.3", "KO_CONFIG_PATH="+confDir)
	cmd.Env = append(env, "KO_DOCKER_REPO="+host+"/ko")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ko build: %v\n%s", err, out)
	}
	p, err := layout.FromPath(koLayout)
	if err != nil {
		t.Fatal(err)
	}
	top, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	tm, err := top.IndexManifest()
	if err != nil || len(tm.Manifests) == 0 {
		t.Fatalf("ko's layout index: %+v %v", tm, err)
	}
	koIdx, err := top.ImageIndex(tm.Manifests[len(tm.Manifests)-1].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := koconfig.Load(dir, LookupEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	b := newTestBuilder(dir, fixtures.compiler)
	b.Environ = env
	b.Config = cfg
	b.ParseReference = func(s string) (name.Reference, error) { return name.ParseReference(s, name.Insecure) }
	art, err := b.Build(testContext(t), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		_, koBin := fileFromImage(t, platformImage(t, koIdx, arch), AppDir+"/hello")
		_, ours := fileFromImage(t, platformImage(t, art.Index, arch), AppDir+"/hello")
		if !bytes.Equal(koBin, ours) {
			t.Errorf("%s: ko's binary (sha256 %x) differs from imgcheck's (sha256 %x)", arch, sha256.Sum256(koBin), sha256.Sum256(ours))
		}
	}
}

// TestLayoutUnpacksWithUmoci unpacks the layout into a runtime bundle with
// umoci and checks what a container runtime would run.
func TestLayoutUnpacksWithUmoci(t *testing.T) {
	umoci := needTool(t, "umoci")
	// umoci 0.4 cannot pick a platform from an index: build one.
	b := newTestBuilder(helloModule(t), fixtures.compiler)
	b.Platforms = []string{"linux/amd64"}
	art, err := b.Build(testContext(t), ".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	layoutDir := filepath.Join(dir, "layout")
	if _, err := (&LayoutPublisher{Dir: layoutDir}).Publish(testContext(t), art, []string{"v1"}); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "bundle")
	cmd := exec.CommandContext(testContext(t), umoci, "unpack", "--rootless", "--image", layoutDir+":hello:v1", bundle)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("umoci unpack: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Process struct {
			Args []string
			Env  []string
			Cwd  string
			User struct{ UID, GID int }
		}
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	p := spec.Process
	if !slices.Equal(p.Args, []string{"/ko-app/hello"}) || p.User.UID != 65532 || p.Cwd != "/home/nonroot" ||
		!slices.Contains(p.Env, "KO_DATA_PATH=/var/run/ko") {
		t.Errorf("runtime process = %+v", p)
	}
	for file, mode := range map[string]os.FileMode{"ko-app/hello": 0o755, "tmp": 0o1777 | os.ModeDir, "var/run/ko/greeting.txt": 0o644} {
		st, err := os.Lstat(filepath.Join(bundle, "rootfs", file))
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		got := st.Mode() & (os.ModePerm | os.ModeDir | os.ModeSticky)
		want := mode & (os.ModePerm | os.ModeDir)
		if mode&0o1000 != 0 {
			want |= os.ModeSticky
		}
		if got != want {
			t.Errorf("%s: mode %v, want %v", file, got, want)
		}
	}
}
