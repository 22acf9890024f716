package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestProxyCounts(t *testing.T) {
	body := strings.Repeat("x", 1<<20)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			n, _ := io.Copy(io.Discard, r.Body)
			w.Header().Set("Location", "http://"+r.Host+"/v2/x/blobs/uploads/next")
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, strings.Repeat("y", int(n%7)))
			return
		}
		if r.Header.Get("Host") != "" || !strings.HasPrefix(r.Host, "127.0.0.1:") {
			t.Errorf("backend saw Host %q", r.Host)
		}
		io.WriteString(w, body)
	}))
	t.Cleanup(backend.Close)
	p, err := startProxy(strings.TrimPrefix(backend.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(context.Background()) })
	client := &http.Client{Timeout: 10 * time.Second}

	resp, err := client.Get("http://" + p.Host + "/v2/x/blobs/sha256:aa")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodPatch, "http://"+p.Host+"/v2/x/blobs/uploads/1", strings.NewReader("0123456789"))
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, p.Host) {
		t.Errorf("upload Location %q does not come back through the proxy %s", loc, p.Host)
	}

	got := p.Take()
	if got.Requests != 2 || got.BytesDown != int64(len(body))+3 || got.BytesUp != 10 || got.BlobBytesUp != 10 {
		t.Errorf("counted %d requests, %d down, %d up (%d to uploads); want 2, %d, 10, 10", got.Requests, got.BytesDown, got.BytesUp, got.BlobBytesUp, len(body)+3)
	}
	if g := got.getsByPath()["/v2/x/blobs/sha256:aa"]; g.N != 1 || g.Kind != "blob" {
		t.Errorf("getsByPath = %+v, want one whole-blob GET", g)
	}
	if again := p.Take(); again.Requests != 0 || len(again.Log) != 0 {
		t.Errorf("Take did not reset: %+v", again)
	}

	// A client that hangs up mid-body (head -c 64 in a pipeline) is still
	// counted, with what reached it.
	resp, err = client.Get("http://" + p.Host + "/v2/x/blobs/sha256:bb")
	if err != nil {
		t.Fatal(err)
	}
	io.CopyN(io.Discard, resp.Body, 64)
	resp.Body.Close()
	cut := p.Take()
	if cut.Requests != 1 || cut.BytesDown < 64 || cut.BytesDown > int64(len(body)) {
		t.Errorf("aborted GET counted as %d requests, %d bytes", cut.Requests, cut.BytesDown)
	}
}

// TestProbeInspectThroughProxy runs the real pieces of benchmark 1 that
// need no peer tool: the registry, the counting proxy, the fixtures and
// imgcheck inspect, and checks that the ranged read stays small.
func TestProbeInspectThroughProxy(t *testing.T) {
	if _, err := exec.LookPath("docker-registry"); err != nil {
		t.Fatalf("docker-registry is needed (.ci/install-tools installs it): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	h := &harness{repo: repo, work: work, reps: 1, sizes: layerSizes{big: 1 << 20, upper: 1 << 20}, log: testLog{t}}
	if h.env, err = cleanEnv(work); err != nil {
		t.Fatal(err)
	}
	if err := h.setup(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.teardown)
	fx, err := buildFixtures(ctx, h, false)
	if err != nil {
		t.Fatal(err)
	}
	if n := fx.BinarySize["arm64"]; n < 6<<20 || n > 10<<20 {
		t.Errorf("the arm64 binary is %d bytes, want a 6-10 MB service binary", n)
	}
	for _, img := range fx.Probes[:2] {
		h.proxy.Take()
		res, answer, ok, err := h.probeInspect(ctx, h.proxy.Host+"/"+img.Repo)
		tr := h.proxy.Take()
		if err != nil || !ok {
			t.Fatalf("image (%s): inspect answered %q (ok=%v, err=%v, exit %d): %s", img.Key, answer, ok, err, res.Exit, res.Stderr)
		}
		if tr.BytesDown > 256<<10 || tr.Requests == 0 {
			t.Errorf("image (%s): inspect downloaded %d bytes in %d requests; want a small ranged read", img.Key, tr.BytesDown, tr.Requests)
		}
		res, answer, ok, err = h.probeVerify(ctx, h.proxy.Host+"/"+img.Repo)
		if err != nil || !ok {
			t.Errorf("image (%s): verify against the ARM64 task definition: %s (err %v): %s", img.Key, answer, err, res.Stdout)
		}
	}
	if _, err := os.Stat(h.imgcheck); err != nil {
		t.Errorf("setup did not build imgcheck: %v", err)
	}
}

// testLog sends the harness's progress lines to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func TestRunScriptSyntax(t *testing.T) {
	out, err := exec.Command("bash", "-n", "run").CombinedOutput()
	if err != nil {
		t.Fatalf("bash -n bench/run: %v\n%s", err, out)
	}
	b, err := os.ReadFile("run")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"go install \"github.com/regclient/regclient/cmd/regctl@", ".ci/install-tools", "go run ./bench"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("bench/run lacks %q", want)
		}
	}
}
