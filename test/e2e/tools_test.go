package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/imgcheck/imgcheck/internal/distreg"
)

// repoRoot is the module root, two levels up from this package.
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// checkGeneratedDoc compares doc with the file rel (relative to the module
// root) that the test named testName generates; with -update it writes the
// file first.
func checkGeneratedDoc(t *testing.T, rel, testName, doc string) {
	t.Helper()
	path := filepath.Join(repoRoot(t), rel)
	if *update {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != doc {
		t.Errorf("%s is out of date (run go test ./test/e2e -run %s -update)", rel, testName)
	}
}

// imgcheckBinary builds the imgcheck command once per test binary: the
// end-to-end tests run the real CLI, as a user would.
var imgcheckBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "imgcheck-e2e-bin-")
	if err != nil {
		return "", err
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	bin := filepath.Join(dir, "imgcheck")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/imgcheck")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/imgcheck: %v\n%s", err, out)
	}
	return bin, nil
})

// cliResult is how an imgcheck run ended.
type cliResult struct {
	code           int
	stdout, stderr string
}

// imgcheck runs the CLI with env added to the test's environment.
func imgcheck(t testing.TB, env []string, args ...string) cliResult {
	t.Helper()
	return imgcheckIn(t, repoRoot(t), env, args...)
}

// imgcheckIn is imgcheck run in directory dir.
func imgcheckIn(t testing.TB, dir string, env []string, args ...string) cliResult {
	t.Helper()
	bin, err := imgcheckBinary()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	res := cliResult{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("imgcheck %v: %v", args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("imgcheck %v: killed, still running after 5m (a hang, not exit %d)\nstderr: %s", args, res.code, res.stderr)
	}
	return res
}

// authRegistry is a real distribution registry with htpasswd auth, and a
// docker config that holds its credentials (DOCKER_CONFIG=...).
type authRegistry struct {
	*distreg.Registry
	auth      authn.Authenticator
	dockerEnv string
}

func startAuthRegistry(t testing.TB) *authRegistry {
	t.Helper()
	const user, pass = "e2e", "e2e-registry-password"
	reg := distreg.Start(t, distreg.Options{Users: map[string]string{user: pass}})
	dir := t.TempDir()
	cfg := map[string]any{"auths": map[string]any{reg.Host: map[string]string{
		"auth": base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))}}}
	raw, _ := json.Marshal(cfg)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return &authRegistry{Registry: reg, auth: &authn.Basic{Username: user, Password: pass}, dockerEnv: "DOCKER_CONFIG=" + dir}
}

// push writes an image or index to repo:tag and returns the reference.
func (r *authRegistry) push(t testing.TB, repoTag string, x remote.Taggable) string {
	t.Helper()
	ref, err := name.ParseReference(r.Host+"/"+repoTag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	switch v := x.(type) {
	case v1.ImageIndex:
		err = remote.WriteIndex(ref, v, remote.WithAuth(r.auth))
	case v1.Image:
		err = remote.Write(ref, v, remote.WithAuth(r.auth))
	default:
		t.Fatalf("push: %T", x)
	}
	if err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
	return ref.String()
}
