package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// testRegistry is an in-process registry on 127.0.0.1 that counts the
// requests it serves.
type testRegistry struct {
	host string
	mu   sync.Mutex
	n    int
}

func startTestRegistry(t *testing.T) *testRegistry {
	t.Helper()
	r := &testRegistry{}
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.n++
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.host = strings.TrimPrefix(srv.URL, "http://")
	return r
}

func (r *testRegistry) requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// hasTag reports whether repo:tag exists.
func (r *testRegistry) hasTag(t *testing.T, repo, tag string) bool {
	t.Helper()
	resp, err := http.Head("http://" + r.host + "/v2/" + repo + "/manifests/" + tag)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// runBuildCmd runs "build ARGS" with test seams set on its options.
func runBuildCmd(t *testing.T, o *buildOptions, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	s := streams{in: strings.NewReader(""), out: &out, err: &errOut}
	o.global = &globalOptions{}
	cmd := newBuildCmdWith(s, o)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err := cmd.ExecuteContext(context.Background())
	if err != nil {
		errOut.WriteString("imgcheck: " + err.Error() + "\n")
	}
	return exitCodeFor(err), out.String(), errOut.String()
}

// noKoConfig points KO_CONFIG_PATH at an empty file, so the fixture's
// builds do not depend on any .ko.yaml around them.
func noKoConfig(t *testing.T) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ko.yaml")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KO_CONFIG_PATH", p)
}

func TestBuildKoTargetFlags(t *testing.T) {
	helloDir(t)
	noKoConfig(t)
	reg := startTestRegistry(t)
	h := reg.host
	tests := []struct {
		name       string
		args       []string
		dockerRepo string
		wantOut    []string // prefixes of the stdout lines, in order
		wantTags   map[string][]string
		noRegistry bool
	}{
		{name: "--push=false ignores KO_DOCKER_REPO", args: []string{"--push=false"}, dockerRepo: h + "/team",
			wantOut: []string{"oci:out@sha256:"}, noRegistry: true},
		{name: "--push=false with --tarball", args: []string{"--push=false", "--tarball", "app.tar"}, dockerRepo: h + "/team",
			wantOut: []string{"tarball:app.tar@sha256:"}, noRegistry: true},
		{name: "--push=true adds KO_DOCKER_REPO to --oci-layout", args: []string{"--push=true", "--oci-layout", "lay"}, dockerRepo: h + "/team",
			wantOut: []string{h + "/team/hello@sha256:", "oci:lay@sha256:"}},
		{name: "--push REPO still names a repository", args: []string{"--push", h + "/app", "--tag", "v1"},
			wantOut: []string{h + "/app@sha256:"}, wantTags: map[string][]string{"app": {"v1"}}},
		{name: "--bare", args: []string{"--bare"}, dockerRepo: h + "/bare",
			wantOut: []string{h + "/bare@sha256:"}},
		{name: "-B on --push", args: []string{"-B", "--push", h + "/apps"},
			wantOut: []string{h + "/apps/hello@sha256:"}},
		{name: "--base-import-paths on KO_DOCKER_REPO", args: []string{"--base-import-paths"}, dockerRepo: h + "/team2",
			wantOut: []string{h + "/team2/hello@sha256:"}},
		{name: "-P", args: []string{"-P"}, dockerRepo: h + "/team3",
			wantOut: []string{h + "/team3/example.com/hello@sha256:"}},
		{name: "--tags comma list and -t", args: []string{"--tags", "v1,v2", "-t", "v3", "--push", h + "/tagged"},
			wantOut: []string{h + "/tagged@sha256:"}, wantTags: map[string][]string{"tagged": {"v1", "v2", "v3"}}},
		{name: "-t with commas, as ko splits it", args: []string{"-t", "a,b", "--push", h + "/split"},
			wantOut: []string{h + "/split@sha256:"}, wantTags: map[string][]string{"split": {"a", "b"}}},
		{name: "--oci-layout-path", args: []string{"--oci-layout-path", "kolayout"},
			wantOut: []string{"oci:kolayout@sha256:"}, noRegistry: true},
		{name: "--oci-layout and --oci-layout-path alike", args: []string{"--oci-layout", "same", "--oci-layout-path", "same"},
			wantOut: []string{"oci:same@sha256:"}, noRegistry: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KO_DOCKER_REPO", tt.dockerRepo)
			before := reg.requests()
			args := append([]string{"--platform", "linux/amd64", "--quiet"}, tt.args...)
			code, out, errOut := runBuildCmd(t, &buildOptions{}, args...)
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, errOut)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != len(tt.wantOut) {
				t.Fatalf("stdout %q, want lines starting %q", out, tt.wantOut)
			}
			for i, want := range tt.wantOut {
				if !strings.HasPrefix(lines[i], want) || !digestRef.MatchString(lines[i]) {
					t.Errorf("stdout line %d = %q, want %s<digest>", i, lines[i], want)
				}
			}
			for repo, tags := range tt.wantTags {
				for _, tag := range tags {
					if !reg.hasTag(t, repo, tag) {
						t.Errorf("%s:%s was not pushed", repo, tag)
					}
				}
			}
			if tt.noRegistry && reg.requests() != before {
				t.Errorf("the registry saw %d requests", reg.requests()-before)
			}
		})
	}
}

func TestBuildKoFlagErrors(t *testing.T) {
	helloDir(t)
	noKoConfig(t)
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{name: "-L", args: []string{"-L"}, wantErr: "--tarball FILE"},
		{name: "--local", args: []string{"--local"}, wantErr: "docker load -i FILE"},
		{name: "--debug", args: []string{"--debug"}, wantErr: "Delve"},
		{name: "--disable-optimizations", args: []string{"--disable-optimizations"}, wantErr: "-gcflags=all=-N -l"},
		{name: "--tag-only", args: []string{"--tag-only"}, wantErr: "by digest"},
		{name: "--sbom-dir", args: []string{"--sbom-dir", "sboms"}, wantErr: "OCI referrer"},
		{name: "--bare and -P", args: []string{"--bare", "-P"}, wantErr: "--bare and --preserve-import-paths (-P)"},
		{name: "--push=false and a repository", args: []string{"--push=false", "--push", "reg.example/app"}, wantErr: "contradict"},
		{name: "--push true and false", args: []string{"--push=true", "--push=false"}, wantErr: "both true and false"},
		{name: "--push=true without KO_DOCKER_REPO", args: []string{"--push=true"}, wantErr: "KO_DOCKER_REPO is not set"},
		{name: "--bare with several packages", args: []string{"--bare", ".", "."}, env: map[string]string{"KO_DOCKER_REPO": "reg.example/api"}, wantErr: "overwrite"},
		{name: "--oci-layout twice", args: []string{"--oci-layout", "a", "--oci-layout-path", "b"}, wantErr: `already set to "a"`},
		{name: "--image-label without =", args: []string{"--image-label", "team"}, wantErr: `--image-label "team": want key=value`},
		{name: "--image-annotation without key", args: []string{"--image-annotation", "=x"}, wantErr: "want key=value"},
		{name: "old --insecure-registry HOST form", args: []string{"--insecure-registry", "reg.internal:5000", "."}, wantErr: "write --insecure-registry=reg.internal:5000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KO_DOCKER_REPO", "")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			code, out, errOut := runCLI(t, append([]string{"build", "--platform", "linux/amd64"}, tt.args...)...)
			if code != exitError || !strings.Contains(errOut, tt.wantErr) || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, out, errOut, tt.wantErr)
			}
		})
	}
	// A ko-only bool flag that is off is no error.
	if code, _, errOut := runCLI(t, "build", "--platform", "linux/amd64", "--local=false", "-q", "--oci-layout", t.TempDir()+"/l"); code != 0 {
		t.Errorf("--local=false: exit %d: %s", code, errOut)
	}
}

func TestBuildImageConfigFlags(t *testing.T) {
	dir := helloDir(t)
	noKoConfig(t)
	code, out, errOut := runCLI(t, "build", "--platform", "linux/amd64", "-q",
		"--image-label", "team=payments,tier=web", "--image-annotation", "com.example/owner=payments",
		"--image-user", "1000:1000", "--ldflags", "-s -w", "--ldflags", "-X main.version=flagged")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if errOut != "" {
		t.Errorf("--quiet printed %q", errOut)
	}
	if !strings.HasPrefix(out, "oci:out@") {
		t.Fatalf("build printed %q, want oci:out@DIGEST", out)
	}
	idx := builtLayoutIndex(t, dir, out)
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if im.Annotations["com.example/owner"] != "payments" {
		t.Errorf("index annotations %v", im.Annotations)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Config.User != "1000:1000" || cfg.Config.Labels["team"] != "payments" || cfg.Config.Labels["tier"] != "web" {
		t.Errorf("config user %q labels %v", cfg.Config.User, cfg.Config.Labels)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.Annotations["com.example/owner"] != "payments" {
		t.Errorf("manifest annotations %v", m.Annotations)
	}
	if !bytes.Contains(imagetest.TopLayerTar(t, img), []byte("flagged")) {
		t.Error("the binary does not carry -X main.version=flagged")
	}
}

// redirectTransport dials every host to addr: a registry reached under a
// name that is not a loopback address, as on a private network.
func redirectTransport(addr string) http.RoundTripper {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	return tr
}

// TestBuildInsecureRegistry: ko's bare --insecure-registry takes no value
// (the package after it stays a package) and allows plain HTTP to the
// build's own registries; =HOST names a host; without either, plain HTTP
// to a host that is not loopback is refused.
func TestBuildInsecureRegistry(t *testing.T) {
	helloDir(t)
	noKoConfig(t)
	t.Setenv("KO_DOCKER_REPO", "")
	reg := startTestRegistry(t)
	const host = "registry.internal:5000"
	tests := []struct {
		name string
		args []string
		ok   bool
	}{
		{name: "bare flag before the package", args: []string{"--insecure-registry", ".", "--push", host + "/a"}, ok: true},
		{name: "=true", args: []string{"--insecure-registry=true", "--push", host + "/b"}, ok: true},
		{name: "=HOST", args: []string{"--insecure-registry=" + host, "--push", host + "/c"}, ok: true},
		{name: "=other host", args: []string{"--insecure-registry=other.internal", "--push", host + "/d"}},
		{name: "=false", args: []string{"--insecure-registry=false", "--push", host + "/e"}},
		{name: "not given", args: []string{"--push", host + "/f"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &buildOptions{transport: redirectTransport(reg.host)}
			code, out, errOut := runBuildCmd(t, o, append([]string{"--platform", "linux/amd64", "-q"}, tt.args...)...)
			if tt.ok && (code != 0 || !strings.HasPrefix(out, host+"/")) {
				t.Fatalf("exit %d stdout %q:\n%s", code, out, errOut)
			}
			if !tt.ok && (code != exitError || out != "") {
				t.Fatalf("plain HTTP to %s was not refused: exit %d stdout %q", host, code, out)
			}
			if !tt.ok && !strings.Contains(errOut, host) {
				t.Errorf("the refusal does not name the host: %s", errOut)
			}
		})
	}
}

// TestVerifyInspectInsecureRegistryTakesHost: verify and inspect keep
// their --insecure-registry HOST form.
func TestVerifyInspectInsecureRegistryTakesHost(t *testing.T) {
	for _, verb := range []string{"verify", "inspect"} {
		root := newRootCmd(streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard})
		cmd, _, err := root.Find([]string{verb})
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.ParseFlags([]string{"--insecure-registry", "reg.internal:5000", "reg.internal:5000/app:v1"}); err != nil {
			t.Fatal(err)
		}
		if args := cmd.Flags().Args(); len(args) != 1 || args[0] != "reg.internal:5000/app:v1" {
			t.Errorf("%s: args %v, want only the image", verb, args)
		}
		if v := cmd.Flags().Lookup("insecure-registry").Value.String(); !strings.Contains(v, "reg.internal:5000") {
			t.Errorf("%s: --insecure-registry = %q", verb, v)
		}
	}
}

// TestBuildLdflagsReplaceKoYAML: --ldflags replaces the .ko.yaml ldflags,
// which are then not rendered (a template they need cannot fail).
func TestBuildLdflagsReplaceKoYAML(t *testing.T) {
	helloDir(t)
	t.Setenv("KO_CONFIG_PATH", "")
	if err := os.WriteFile(".ko.yaml", []byte("defaultLdflags:\n  - -X main.version={{ .Env.IMGCHECK_TEST_UNSET }}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "build", "--platform", "linux/amd64", "-q"); code != exitError || !strings.Contains(errOut, "IMGCHECK_TEST_UNSET") {
		t.Fatalf("without --ldflags: exit %d, %s; want the template error", code, errOut)
	}
	if code, _, errOut := runCLI(t, "build", "--platform", "linux/amd64", "-q", "--ldflags", "-s -w"); code != 0 {
		t.Fatalf("with --ldflags: exit %d: %s", code, errOut)
	}
}
