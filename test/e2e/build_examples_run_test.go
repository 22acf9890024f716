package e2e

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/imgcheck/imgcheck/internal/distreg"
	"github.com/imgcheck/imgcheck/internal/examples"
	"github.com/imgcheck/imgcheck/internal/runctest"
)

// unreachableHosts are registry hosts the examples name that cannot be
// reached here: they become the example's local registry.
var unreachableHosts = []string{"reg.example", "registry.example"}

// byDigest is a line imgcheck build prints: a reference by digest.
var byDigest = regexp.MustCompile(`^\S+@sha256:[0-9a-f]{64}$`)

// runBuildExample runs one example's commands in a fresh directory against
// a fresh registry, then checks what it must have written.
func runBuildExample(t *testing.T, ex buildExample, want buildResult) {
	dir := exampleDir(t, ex.cmds[0])
	// A user's ko settings must not change what the examples do.
	env := []string{"KO_DOCKER_REPO=", "KO_CONFIG_PATH=", "KO_DEFAULTBASEIMAGE=", "KO_DEFAULTPLATFORMS="}
	viaECR := strings.Contains(ex.Line, ecrHost)
	var reg *distreg.Registry
	var ecr *ecrPath
	auth := authn.Anonymous
	if viaECR {
		reg = distreg.Start(t, distreg.Options{Users: map[string]string{"AWS": ecrPassword}})
		ecr = startECRPath(t, reg.Host, ecrPassword)
		env = append(env, ecr.env...)
		auth = &authn.Basic{Username: "AWS", Password: ecrPassword}
	} else {
		reg = distreg.Start(t, distreg.Options{})
	}

	var printed strings.Builder
	for _, c := range ex.cmds {
		cmdEnv := append(slices.Clone(env), rewriteHosts(c.Env, reg.Host)...)
		if args, ok := c.Imgcheck(); ok {
			res := imgcheckIn(t, dir, cmdEnv, rewriteHosts(args, reg.Host)...)
			if res.code != 0 {
				t.Fatalf("imgcheck %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
			}
			for _, l := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
				if !byDigest.MatchString(l) {
					t.Errorf("stdout line %q is not a reference by digest", l)
				}
			}
			printed.WriteString(res.stdout)
			continue
		}
		switch c.Args[0] {
		case "skopeo":
			runSkopeo(t, dir, cmdEnv, rewriteHosts(c.Args, reg.Host))
		default:
			t.Fatalf("the example runs %q, which this test does not know how to run", c.Args[0])
		}
	}

	for _, a := range want.artifacts {
		checkArtifact(t, dir, reg.Host, auth, a, printed.String())
	}
	if viaECR && (ecr.connections() == 0 || ecr.api.Calls("GetAuthorizationToken") == 0) {
		t.Errorf("the push did not take the ECR path: %d connections to %s, %d token calls", ecr.connections(), ecrHost, ecr.api.Calls("GetAuthorizationToken"))
	}
	if want.ecrRepo != "" {
		if !viaECR {
			t.Fatalf("buildResults names ECR repository %s for an example without an ECR host", want.ecrRepo)
		}
		if exists, scanOnPush := ecr.api.Repository(want.ecrRepo); !exists || !scanOnPush {
			t.Errorf("ECR repository %s: exists %v, scan on push %v", want.ecrRepo, exists, scanOnPush)
		}
	}
}

// rewriteHosts points references to unreachableHosts (as words, NAME=values
// or docker:// references) at host.
func rewriteHosts(words []string, host string) []string {
	out := slices.Clone(words)
	for i, w := range out {
		for _, h := range unreachableHosts {
			for _, before := range []string{"", "=", "//"} {
				if j := strings.Index(w, before+h+"/"); j >= 0 && (before != "" || j == 0) {
					w = w[:j+len(before)] + host + w[j+len(before)+len(h):]
				}
			}
		}
		out[i] = w
	}
	return out
}

// runSkopeo runs an example's skopeo command, told that the local
// registry speaks plain HTTP.
func runSkopeo(t *testing.T, dir string, env, args []string) {
	t.Helper()
	runctest.Require(t, "skopeo")
	if len(args) < 2 || args[1] != "copy" {
		t.Fatalf("the example runs %q; this test runs skopeo copy", strings.Join(args, " "))
	}
	real := slices.Concat(args[:2], []string{"--dest-tls-verify=false"}, args[2:])
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, real[0], real[1:]...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(real, " "), err, out)
	}
}

// checkArtifact checks that a is there, is an index of its platforms, and
// is what the example's imgcheck printed.
func checkArtifact(t *testing.T, dir, host string, auth authn.Authenticator, a artifact, printed string) {
	t.Helper()
	var idx v1.ImageIndex
	switch a.kind {
	case kindPushed, kindCopied:
		ref, err := name.ParseReference(host+"/"+a.at, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if idx, err = remote.Index(ref, remote.WithAuth(auth)); err != nil {
			t.Errorf("%s %s: %v", a.kind, a.at, err)
			return
		}
	case kindLayout:
		idx = layoutEntry(t, filepath.Join(dir, a.at), a.entry)
	case kindTarball:
		idx = layoutEntry(t, untar(t, filepath.Join(dir, a.at)), a.entry)
	default:
		t.Fatalf("artifact kind %q", a.kind)
	}
	if idx == nil {
		return
	}
	digest, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatalf("%s %s: %v", a.kind, a.at, err)
	}
	var platforms []string
	for _, m := range im.Manifests {
		if m.Platform != nil {
			platforms = append(platforms, m.Platform.String())
		}
	}
	if got := strings.Join(platforms, ","); got != a.platforms {
		t.Errorf("%s %s %s: platforms %q, want %q", a.kind, a.at, a.entry, got, a.platforms)
	}
	if !strings.Contains(printed, "@"+digest.String()) {
		t.Errorf("%s %s %s is %s, which imgcheck did not print:\n%s", a.kind, a.at, a.entry, digest, printed)
	}
}

// layoutEntry opens the index that the OCI layout in dir names entry.
func layoutEntry(t *testing.T, dir, entry string) v1.ImageIndex {
	t.Helper()
	top, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Errorf("OCI layout %s: %v", dir, err)
		return nil
	}
	im, err := top.IndexManifest()
	if err != nil {
		t.Fatalf("OCI layout %s: %v", dir, err)
	}
	var names []string
	for _, d := range im.Manifests {
		n := d.Annotations["org.opencontainers.image.ref.name"]
		if n != entry {
			names = append(names, n)
			continue
		}
		idx, err := top.ImageIndex(d.Digest)
		if err != nil {
			t.Fatalf("OCI layout %s entry %s: %v", dir, entry, err)
		}
		return idx
	}
	t.Errorf("OCI layout %s has no entry %s (entries %q)", dir, entry, names)
	return nil
}

// untar unpacks an OCI layout archive into a new directory.
func untar(t *testing.T, file string) string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatalf("the archive: %v", err)
	}
	defer f.Close()
	dir := t.TempDir()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return dir
		}
		if err != nil {
			t.Fatalf("reading %s: %v", file, err)
		}
		if !filepath.IsLocal(h.Name) {
			t.Fatalf("%s: entry %q leaves the archive", file, h.Name)
		}
		p := filepath.Join(dir, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o755)
		case tar.TypeReg:
			err = writeFileFrom(p, tr)
		default:
			err = fmt.Errorf("entry %q of type %c", h.Name, h.Typeflag)
		}
		if err != nil {
			t.Fatalf("unpacking %s: %v", file, err)
		}
	}
}

func writeFileFrom(path string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// exampleDir makes a fresh directory for an example whose first command is
// c: a copy of the parts of this repository that ./sample-server builds use
// (its in-module packages are all under sample-server), or else a small
// module with the main packages the examples name.
func exampleDir(t *testing.T, c examples.Command) string {
	t.Helper()
	dir := t.TempDir()
	if !slices.Contains(c.Args, "./sample-server") {
		files := map[string]string{"go.mod": "module example.com/services\n\ngo 1.26\n"}
		for _, p := range []string{"app", "api", "worker"} {
			files["cmd/"+p+"/main.go"] = fmt.Sprintf("// Command %s is a service an example builds.\npackage main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(%q) }\n", p, p)
		}
		for p, body := range files {
			if err := writeFileFrom(filepath.Join(dir, p), strings.NewReader(body)); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	copyRepoParts(t, dir)
	return dir
}

// copyRepoParts copies into dir the parts of this repository that
// ./sample-server builds and the examples' task definitions use.
func copyRepoParts(t *testing.T, dir string) {
	t.Helper()
	root := repoRoot(t)
	for _, f := range []string{"go.mod", "go.sum", ".ko.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"sample-server", "examples"} {
		if err := os.CopyFS(filepath.Join(dir, d), os.DirFS(filepath.Join(root, d))); err != nil {
			t.Fatal(err)
		}
	}
}
