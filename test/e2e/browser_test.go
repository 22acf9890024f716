package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/imgcheck/imgcheck/internal/cdp"
)

// browserTestTimeout bounds the whole browser scenario.
const browserTestTimeout = 50 * time.Second

// pageRoundTripScript drives the sample page as a user would: it waits for
// the WebSocket to open, types a message and clicks Send, waits for the
// echo, then sends "/all <broadcast>" and waits for it to come back. It is
// a function applied to its JSON arguments by the caller.
const pageRoundTripScript = `async function (args) {
  const deadline = Date.now() + args.timeoutMs;
  const status = document.getElementById("status");
  const log = document.getElementById("log");
  const input = document.getElementById("message");
  const send = document.getElementById("send");
  const texts = (sel) => Array.from(log.querySelectorAll(sel)).map((li) => li.textContent);
  async function until(what, cond) {
    while (!cond()) {
      if (Date.now() > deadline) {
        throw new Error("timed out waiting for " + what + "; status " + status.dataset.state +
          ", received " + JSON.stringify(texts("li.in")));
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  await until("the WebSocket to open", () => status.dataset.state === "open");
  input.value = args.echo;
  send.click();
  await until("the echo", () => texts("li.in").includes(args.echo));
  input.value = "/all " + args.broadcast;
  send.click();
  await until("the broadcast", () => texts("li.in").includes(args.broadcast));
  return {
    platform: document.getElementById("platform").textContent.trim(),
    status: status.dataset.state,
    echoed: texts("li.in"),
    sent: texts("li.out"),
  };
}`

// pageResult is what pageRoundTripScript returns.
type pageResult struct {
	Platform string   `json:"platform"`
	Status   string   `json:"status"`
	Echoed   []string `json:"echoed"`
	Sent     []string `json:"sent"`
}

// TestBrowserSamplePage loads the sample server's page in headless Chromium
// and checks, through the page itself, that it shows the server's platform
// and that its WebSocket echo and broadcast work; a second client in Go
// receives the page's broadcast.
func TestBrowserSamplePage(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is needed for the browser scenario (Debian package chromium; .ci/install-tools installs it): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), browserTestTimeout)
	defer cancel()

	srv := startSampleServer(t)
	serverPlatform := fetchServerPlatform(ctx, t, srv)
	if want := runtime.GOOS + "/" + runtime.GOARCH; serverPlatform != want {
		t.Fatalf("/version reports %s, want the native %s", serverPlatform, want)
	}
	peer := dialReadyPeer(ctx, t, srv)

	browser, err := cdp.Launch(ctx, cdp.LaunchOptions{Path: chromium, UserDataDir: t.TempDir(), StartTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := browser.Close(); err != nil {
			t.Errorf("stopping chromium: %v", err)
		}
	})
	page, err := browser.OpenPage(ctx)
	if err != nil {
		t.Fatalf("%v\nchromium stderr:\n%s", err, browser.Stderr())
	}
	defer page.Close()
	if err := page.Navigate(ctx, srv.baseURL+"/"); err != nil {
		t.Fatal(err)
	}

	nonce := strconv.FormatInt(time.Now().UnixNano(), 36)
	echo, broadcast := "hello from chromium "+nonce, "hello "+nonce
	args, err := json.Marshal(map[string]any{"echo": echo, "broadcast": broadcast, "timeoutMs": 15000})
	if err != nil {
		t.Fatal(err)
	}
	var got pageResult
	if err := page.Evaluate(ctx, fmt.Sprintf("(%s)(%s)", pageRoundTripScript, args), &got); err != nil {
		t.Fatalf("driving the page: %v\nserver log:\n%s", err, srv.stdout)
	}
	t.Logf("page: %+v", got)

	if got.Platform != serverPlatform {
		t.Errorf("page shows platform %q, want the server's %q", got.Platform, serverPlatform)
	}
	if got.Status != "open" {
		t.Errorf("page WebSocket status %q, want open", got.Status)
	}
	if want := []string{echo, broadcast}; !slices.Equal(got.Echoed, want) {
		t.Errorf("page received %q, want %q (the echo, then the broadcast)", got.Echoed, want)
	}
	if want := []string{echo, "/all " + broadcast}; !slices.Equal(got.Sent, want) {
		t.Errorf("page sent %q, want %q", got.Sent, want)
	}
	// The echo goes to the sender only, so the first thing the peer gets
	// is the page's broadcast.
	_ = peer.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, msg, err := peer.ReadMessage(); err != nil || string(msg) != broadcast {
		t.Errorf("Go peer received %q, %v; want the page's broadcast %q", msg, err, broadcast)
	}

	checkScreenshot(ctx, t, page)
}

// fetchServerPlatform asks /version for the server's GOOS/GOARCH.
func fetchServerPlatform(ctx context.Context, t *testing.T, srv *sampleServer) string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.baseURL+"/version", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("GET /version: %v", err)
	}
	defer resp.Body.Close()
	var v struct {
		Version string `json:"version"`
		GOOS    string `json:"goos"`
		GOARCH  string `json:"goarch"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("decoding /version: %v", err)
	}
	if v.Version != sampleServerVersion {
		t.Fatalf("/version reports version %q, want %q: another process answers on port %d", v.Version, sampleServerVersion, srv.port)
	}
	return v.GOOS + "/" + v.GOARCH
}

// dialReadyPeer connects a Go WebSocket client and completes one echo, so
// the server has registered it before the page broadcasts.
func dialReadyPeer(ctx context.Context, t *testing.T, srv *sampleServer) *websocket.Conn {
	t.Helper()
	dialer := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, _, err := dialer.DialContext(ctx, srv.wsURL(), nil)
	if err != nil {
		t.Fatalf("dialing %s: %v", srv.wsURL(), err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := conn.WriteMessage(websocket.TextMessage, []byte("peer ready?")); err != nil {
		t.Fatalf("peer write: %v", err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, msg, err := conn.ReadMessage(); err != nil || string(msg) != "peer ready?" {
		t.Fatalf("peer echo = %q, %v", msg, err)
	}
	return conn
}

// checkScreenshot captures the page, checks it is a real rendering (a PNG
// of viewport size with more than one colour), and keeps it for humans.
func checkScreenshot(ctx context.Context, t *testing.T, page *cdp.Page) {
	t.Helper()
	shot, err := page.Screenshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot (%d bytes) is not a PNG: %v", len(shot), err)
	}
	b := img.Bounds()
	if b.Dx() < 200 || b.Dy() < 200 || len(shot) < 4096 {
		t.Errorf("screenshot is %dx%d, %d bytes; want a viewport-sized rendering", b.Dx(), b.Dy(), len(shot))
	}
	if n := distinctColours(img, 3); n < 3 {
		t.Errorf("screenshot has %d colours; a rendered page has text on a background", n)
	}
	path := filepath.Join(t.TempDir(), "sample-page.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%dx%d, %d bytes)", path, b.Dx(), b.Dy(), len(shot))
}

// distinctColours counts the colours in img, stopping at limit.
func distinctColours(img image.Image, limit int) int {
	seen := make(map[[4]uint32]bool)
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}
