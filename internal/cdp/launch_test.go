package cdp

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParseDevToolsLine(t *testing.T) {
	for _, tt := range []struct {
		name, line, want string
	}{
		{"chromium's line", "DevTools listening on ws://127.0.0.1:39957/devtools/browser/adb7f03c-016f", "ws://127.0.0.1:39957/devtools/browser/adb7f03c-016f"},
		{"surrounding space", "  DevTools listening on ws://127.0.0.1:9222/devtools/browser/x \r", "ws://127.0.0.1:9222/devtools/browser/x"},
		{"IPv6 loopback", "DevTools listening on ws://[::1]:9222/devtools/browser/x", "ws://[::1]:9222/devtools/browser/x"},
		{"other line", "[10892:10922:1125/185050.606082:ERROR:dbus/bus.cc:405] Failed to connect to the bus", ""},
		{"empty", "", ""},
		{"prefix only", "DevTools listening on ", ""},
		{"prefix in the middle", "x DevTools listening on ws://127.0.0.1:1/devtools/browser/x", ""},
		{"wss", "DevTools listening on wss://127.0.0.1:9222/devtools/browser/x", ""},
		{"http", "DevTools listening on http://127.0.0.1:9222/devtools/browser/x", ""},
		{"remote host", "DevTools listening on ws://10.0.0.7:9222/devtools/browser/x", ""},
		{"host name", "DevTools listening on ws://example.com:9222/devtools/browser/x", ""},
		{"no port", "DevTools listening on ws://127.0.0.1/devtools/browser/x", ""},
		{"port zero", "DevTools listening on ws://127.0.0.1:0/devtools/browser/x", ""},
		{"user info", "DevTools listening on ws://u:p@127.0.0.1:9222/devtools/browser/x", ""},
		{"page path", "DevTools listening on ws://127.0.0.1:9222/devtools/page/x", ""},
		{"bad escape", "DevTools listening on ws://127.0.0.1:9222/devtools/browser/%zz", ""},
		{"control characters", "DevTools listening on ws://127.0.0.1:9222/devtools/browser/\x00", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseDevToolsLine(tt.line)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("parseDevToolsLine(%q) = %q, %v; want %q", tt.line, got, ok, tt.want)
			}
		})
	}
}

// FuzzParseDevToolsLine checks that whatever is accepted is a loopback
// ws: URL with a port, and that accepting is stable.
func FuzzParseDevToolsLine(f *testing.F) {
	f.Add("DevTools listening on ws://127.0.0.1:39957/devtools/browser/adb7f03c")
	f.Add("DevTools listening on ws://[::1]:1/devtools/browser/")
	f.Add("DevTools listening on ws://127.0.0.1:9222/devtools/browser/%41?x=1#f")
	f.Add("garbage")
	f.Fuzz(func(t *testing.T, line string) {
		got, ok := parseDevToolsLine(line)
		if !ok {
			if got != "" {
				t.Fatalf("rejected %q but returned %q", line, got)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "ws" {
			t.Fatalf("accepted %q as %q, which is not a ws: URL: %v", line, got, err)
		}
		host, port, err := net.SplitHostPort(u.Host)
		if err != nil || port == "" {
			t.Fatalf("accepted %q with host %q: %v", line, u.Host, err)
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			t.Fatalf("accepted %q with a host that is not loopback: %q", line, host)
		}
		if again, ok := parseDevToolsLine(devToolsPrefix + got); !ok || again != got {
			t.Fatalf("reparsing %q gave %q, %v", got, again, ok)
		}
	})
}

// fakeBrowser writes an executable shell script standing in for the
// browser; it records its arguments and environment in dir.
func fakeBrowser(t *testing.T, body string) (path, dir string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "browser")
	script := "#!/bin/sh\n" +
		`printf '%s\n' "$@" > "` + dir + `/args"` + "\n" +
		`printf '%s\n' "$HOME" > "` + dir + `/home"` + "\n" + body
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, dir
}

func TestLaunchFindsTheEndpointAndCloseKillsTheGroup(t *testing.T) {
	path, dir := fakeBrowser(t, `echo "some noise" >&2
sleep 300 &
echo $! > "$(dirname "$0")/child"
echo "DevTools listening on ws://127.0.0.1:4321/devtools/browser/abc" >&2
wait
`)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	userData := t.TempDir()
	b, err := Launch(ctx, LaunchOptions{Path: path, UserDataDir: userData, StartTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if b.DebugURL != "http://127.0.0.1:4321" || b.BrowserWebSocketURL != "ws://127.0.0.1:4321/devtools/browser/abc" {
		t.Errorf("endpoint = %q, %q", b.DebugURL, b.BrowserWebSocketURL)
	}
	args := readFile(t, filepath.Join(dir, "args"))
	for _, want := range []string{"--headless", "--no-sandbox", "--user-data-dir=" + userData, "--remote-debugging-port=0", "about:blank"} {
		if !strings.Contains(args, want+"\n") {
			t.Errorf("browser arguments lack %s:\n%s", want, args)
		}
	}
	if home := strings.TrimSpace(readFile(t, filepath.Join(dir, "home"))); home != filepath.Join(userData, "home") {
		t.Errorf("HOME = %q, want inside the user data dir", home)
	}
	child, err := strconv.Atoi(strings.TrimSpace(readFile(t, filepath.Join(dir, "child"))))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.Stderr(), "some noise") {
		t.Errorf("Stderr() = %q, want what the browser wrote", b.Stderr())
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	// The helper in the browser's group must be gone too (ESRCH once reaped
	// by init; a zombie still accepts signal 0, so poll briefly).
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(child, 0) == nil && !isZombie(child) {
		if time.Now().After(deadline) {
			t.Fatalf("child %d of the browser survived Close", child)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

func isZombie(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // gone
	}
	// The state follows the parenthesized command name.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] == 'Z'
}

func TestLaunchFailures(t *testing.T) {
	exits, _ := fakeBrowser(t, "echo 'cannot open display' >&2\nexit 3\n")
	silent, _ := fakeBrowser(t, "exec sleep 300\n")
	for _, tt := range []struct {
		name string
		opts LaunchOptions
		want string
	}{
		{"no path", LaunchOptions{UserDataDir: t.TempDir()}, "no browser path"},
		{"no user data dir", LaunchOptions{Path: exits}, "no user data directory"},
		{"missing binary", LaunchOptions{Path: filepath.Join(t.TempDir(), "absent"), UserDataDir: t.TempDir()}, "launching"},
		{"exits at once", LaunchOptions{Path: exits, UserDataDir: t.TempDir()}, "cannot open display"},
		{"never listens", LaunchOptions{Path: silent, UserDataDir: t.TempDir(), StartTimeout: 300 * time.Millisecond}, "no DevTools endpoint within 300ms"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			b, err := Launch(ctx, tt.opts)
			if err == nil {
				_ = b.Close()
				t.Fatalf("Launch succeeded, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Launch error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLaunchHonoursContext(t *testing.T) {
	silent, _ := fakeBrowser(t, "exec sleep 300\n")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := Launch(ctx, LaunchOptions{Path: silent, UserDataDir: t.TempDir()})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Launch error = %v, want the context's deadline", err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
