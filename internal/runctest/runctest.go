// Package runctest starts container images with the real OCI runtime (runc)
// for end-to-end tests: skopeo copies an image into an OCI layout, umoci
// unpacks one platform into a runtime bundle, runc runs it. It is how the
// tests learn what a real runtime does with an image, to compare with what
// imgcheck predicted.
package runctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Require fails the test when a tool is missing. CI installs every tool the
// tests use (.ci/install-tools), so a missing one is never a reason to skip.
func Require(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found on PATH: run .ci/install-tools, which installs every tool the tests use", tool)
		}
	}
}

// Command runs a tool with a timeout and returns its combined output; the
// test fails on a non-zero exit.
func Command(t testing.TB, timeout time.Duration, name string, args ...string) string {
	t.Helper()
	out, err := CommandErr(timeout, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// CommandErr is Command without failing the test.
func CommandErr(timeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return buf.String(), err
}

// Bundle is an OCI runtime bundle: rootfs plus config.json.
type Bundle struct {
	Dir  string
	spec map[string]any
}

// Unpack unpacks the image tagged tag in an OCI layout (one platform's
// manifest: copy it with skopeo --override-arch first) into a new bundle.
func Unpack(t testing.TB, layoutDir, tag string) *Bundle {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	Command(t, 2*time.Minute, "umoci", "unpack", "--image", layoutDir+":"+tag, dir)
	b := &Bundle{Dir: dir}
	raw, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &b.spec); err != nil {
		t.Fatalf("bundle config.json: %v", err)
	}
	b.prepare()
	return b
}

// prepare makes the bundle runnable in a test: no terminal, the host's
// network namespace (so that a server inside listens on the host's
// 127.0.0.1).
func (b *Bundle) prepare() {
	proc := b.process()
	proc["terminal"] = false
	linux, _ := b.spec["linux"].(map[string]any)
	if linux == nil {
		return
	}
	var keep []any
	nss, _ := linux["namespaces"].([]any)
	for _, ns := range nss {
		if m, ok := ns.(map[string]any); ok && m["type"] == "network" {
			continue
		}
		keep = append(keep, ns)
	}
	linux["namespaces"] = keep
}

func (b *Bundle) process() map[string]any {
	proc, _ := b.spec["process"].(map[string]any)
	if proc == nil {
		proc = map[string]any{}
		b.spec["process"] = proc
	}
	return proc
}

// Args returns the process arguments umoci derived from the image config.
func (b *Bundle) Args() []string {
	raw, _ := b.process()["args"].([]any)
	var out []string
	for _, a := range raw {
		s, _ := a.(string)
		out = append(out, s)
	}
	return out
}

// SetArgs replaces the process arguments.
func (b *Bundle) SetArgs(args ...string) {
	list := make([]any, len(args))
	for i, a := range args {
		list[i] = a
	}
	b.process()["args"] = list
}

// AddEnv appends KEY=VALUE entries to the process environment.
func (b *Bundle) AddEnv(kv ...string) {
	env, _ := b.process()["env"].([]any)
	for _, e := range kv {
		env = append(env, e)
	}
	b.process()["env"] = env
}

// Rootfs is the bundle's root filesystem directory.
func (b *Bundle) Rootfs() string {
	root, _ := b.spec["root"].(map[string]any)
	p, _ := root["path"].(string)
	if p == "" {
		p = "rootfs"
	}
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(b.Dir, p)
}

func (b *Bundle) write() error {
	raw, err := json.MarshalIndent(b.spec, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(b.Dir, "config.json"), raw, 0o644)
}

// Result is how a container run ended.
type Result struct {
	ExitCode int
	Output   string // stdout and stderr of runc and the container
}

// Container is a running container.
type Container struct {
	ID   string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan error
}

// syncBuffer is a bytes.Buffer that the child's output copier and the test
// can use at the same time.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Output returns what the container and runc printed so far.
func (c *Container) Output() string { return c.out.String() }

// Start starts the bundle's process with runc in the foreground of a child
// process, so that its exit status is runc's.
func (b *Bundle) Start(t testing.TB, id string) *Container {
	t.Helper()
	if err := b.write(); err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	cmd := exec.Command("runc", "run", "--bundle", b.Dir, id)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("runc run: %v", err)
	}
	c := &Container{ID: id, cmd: cmd, out: out, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_, _ = CommandErr(10*time.Second, "runc", "kill", id, "KILL")
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		_, _ = CommandErr(10*time.Second, "runc", "delete", "--force", id)
	})
	return c
}

// Signal sends a signal to the container's init process through runc.
func (c *Container) Signal(sig syscall.Signal) error {
	out, err := CommandErr(10*time.Second, "runc", "kill", c.ID, fmt.Sprint(int(sig)))
	if err != nil {
		return fmt.Errorf("runc kill %s: %v: %s", c.ID, err, out)
	}
	return nil
}

// Wait waits up to timeout for the container to exit.
func (c *Container) Wait(timeout time.Duration) (Result, error) {
	select {
	case err := <-c.done:
		c.done <- err // later waits (and cleanup) see it too
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			return Result{Output: c.out.String()}, err
		}
		return Result{ExitCode: code, Output: c.out.String()}, nil
	case <-time.After(timeout):
		return Result{Output: c.out.String()}, fmt.Errorf("container %s still running after %s", c.ID, timeout)
	}
}

// Run starts the bundle and waits for it to exit.
func (b *Bundle) Run(t testing.TB, id string, timeout time.Duration) Result {
	t.Helper()
	res, err := b.Start(t, id).Wait(timeout)
	if err != nil {
		t.Fatalf("runc: %v\n%s", err, res.Output)
	}
	return res
}

// BinfmtRegistered reports whether the kernel would run foreign binaries
// through an emulator by itself, which would make "exec format error"
// impossible to observe.
func BinfmtRegistered() bool {
	matches, _ := filepath.Glob("/proc/sys/fs/binfmt_misc/qemu-*")
	return len(matches) > 0
}
