package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/imgcheck/imgcheck/internal/distreg"
	"github.com/imgcheck/imgcheck/internal/runctest"
)

const ecrPassword = "ecr-e2e-token-password"

// TestBuildShipAndRun: imgcheck build pushes the sample server for both
// platforms through the ECR path (host name, keychain, SDK, token, real
// registry); skopeo and crane accept what was pushed; then each platform is
// copied out with skopeo, unpacked with umoci and started with runc (arm64
// under qemu-aarch64-static), and answers over HTTP and WebSocket, and stops
// cleanly on SIGTERM.
func TestBuildShipAndRun(t *testing.T) {
	runctest.Require(t, "docker-registry", "skopeo", "crane", "umoci", "runc", "qemu-aarch64-static")
	reg := distreg.Start(t, distreg.Options{Users: map[string]string{"AWS": ecrPassword}})
	ecr := startECRPath(t, reg.Host, ecrPassword)

	res := imgcheck(t, ecr.env, "build", "./sample-server", "--base", "static",
		"--platform", "linux/amd64,linux/arm64", "--push", ecrHost+"/sample-server", "--create-repo")
	if res.code != 0 {
		t.Fatalf("build --push: exit %d\n%s", res.code, res.stderr)
	}
	pushed := strings.TrimSpace(res.stdout)
	if !strings.HasPrefix(pushed, ecrHost+"/sample-server@sha256:") {
		t.Fatalf("build printed %q", pushed)
	}
	if ecr.api.Calls("GetAuthorizationToken") == 0 || ecr.connections() == 0 {
		t.Fatalf("the push did not take the ECR path: %d token calls, %d connections", ecr.api.Calls("GetAuthorizationToken"), ecr.connections())
	}
	if exists, scan := ecr.api.Repository("sample-server"); !exists || !scan {
		t.Errorf("--create-repo: repository exists=%v scanOnPush=%v", exists, scan)
	}

	// Peers read the same index straight from the registry.
	local := reg.Host + "/sample-server@" + digestOf(t, pushed)
	raw := runctest.Command(t, time.Minute, "skopeo", "inspect", "--raw", "--tls-verify=false", "--creds", "AWS:"+ecrPassword, "docker://"+local)
	var index struct {
		MediaType string `json:"mediaType"`
		Manifests []struct {
			Platform struct{ OS, Architecture string } `json:"platform"`
		} `json:"manifests"`
	}
	if err := json.Unmarshal([]byte(raw), &index); err != nil {
		t.Fatalf("skopeo inspect --raw: %v\n%s", err, raw)
	}
	var platforms []string
	for _, m := range index.Manifests {
		platforms = append(platforms, m.Platform.OS+"/"+m.Platform.Architecture)
	}
	if strings.Join(platforms, ",") != "linux/amd64,linux/arm64" {
		t.Fatalf("pushed index has platforms %v", platforms)
	}
	dockerCfg := dockerConfig(t, reg.Host, "AWS", ecrPassword)
	out, err := runctest.CommandErr(2*time.Minute, "env", "DOCKER_CONFIG="+dockerCfg, "crane", "validate", "--remote", local, "--insecure")
	if err != nil || !strings.Contains(out, "PASS") {
		t.Fatalf("crane validate --remote: %v\n%s", err, out)
	}

	// What was pushed verifies through the ECR path too.
	for _, td := range []string{"examples/taskdef-arm64.json", "examples/taskdef-x86_64.json"} {
		if v := imgcheck(t, ecr.env, "verify", pushed, "--taskdef", td); v.code != 0 {
			t.Errorf("verify %s: exit %d\n%s%s", td, v.code, v.stdout, v.stderr)
		}
	}

	for _, arch := range []string{"amd64", "arm64"} {
		t.Run("run "+arch, func(t *testing.T) { runPlatform(t, local, arch) })
	}
}

// runPlatform starts one platform of the pushed image with runc and talks to it.
func runPlatform(t *testing.T, ref, arch string) {
	layout := filepath.Join(t.TempDir(), "layout")
	runctest.Command(t, 2*time.Minute, "skopeo", "copy", "--src-tls-verify=false", "--src-creds", "AWS:"+ecrPassword,
		"--override-arch", arch, "docker://"+ref, "oci:"+layout+":"+arch)
	b := runctest.Unpack(t, layout, arch)
	port := freePort(t)
	b.AddEnv(fmt.Sprintf("PORT=%d", port), "SHUTDOWN_TIMEOUT=10s")
	if arch != "amd64" {
		// No binfmt_misc here: run the binary through the emulator explicitly.
		qemu, err := os.ReadFile("/usr/bin/qemu-aarch64-static")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(b.Rootfs(), "qemu-aarch64-static"), qemu, 0o755); err != nil {
			t.Fatal(err)
		}
		b.SetArgs(append([]string{"/qemu-aarch64-static"}, b.Args()...)...)
	}
	c := b.Start(t, fmt.Sprintf("imgcheck-e2e-%s-%d", arch, os.Getpid()))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := waitHTTP(base+"/healthz", 60*time.Second); err != nil {
		t.Fatalf("%s: /healthz never answered 200: %v\n%s", arch, err, c.Output())
	}
	var v struct {
		GOARCH string `json:"goarch"`
	}
	if err := getJSON(base+"/version", &v); err != nil || v.GOARCH != arch {
		t.Fatalf("/version goarch %q (err %v), want %s", v.GOARCH, err, arch)
	}
	ws, _, err := websocket.DefaultDialer.Dial(fmt.Sprintf("ws://127.0.0.1:%d/ws", port), nil)
	if err != nil {
		t.Fatalf("websocket: %v", err)
	}
	defer ws.Close()
	if err := ws.WriteMessage(websocket.TextMessage, []byte("hello "+arch)); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, msg, err := ws.ReadMessage(); err != nil || string(msg) != "hello "+arch {
		t.Fatalf("echo: %q, %v", msg, err)
	}
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_, _, err = ws.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("after SIGTERM the socket got %v, want close 1001", err)
	}
	res, err := c.Wait(20 * time.Second)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("after SIGTERM: exit %d, err %v\n%s", res.ExitCode, err, res.Output)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitHTTP(url string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for ctx.Err() == nil {
		resp, err := client.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return last
}

func getJSON(url string, v any) error {
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// dockerConfig writes a docker config directory holding one credential.
func dockerConfig(t *testing.T, host, user, pass string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf(`{"auths": {%q: {"auth": %q}}}`, host, base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}
