package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// commandTimeout bounds any one command the harness runs.
const commandTimeout = 10 * time.Minute

// execSpec is a command to run.
type execSpec struct {
	Dir  string
	Env  []string // nil: the harness's clean environment
	Argv []string
}

// execResult is how a command ended and what it printed.
type execResult struct {
	Exit   int
	Wall   time.Duration
	Stdout []byte
	Stderr string
}

// exec runs a command to completion (or commandTimeout) and times it. A
// non-zero exit is a result, not an error; an error means it could not run.
func (h *harness) exec(ctx context.Context, s execSpec) (execResult, error) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.Argv[0], s.Argv[1:]...)
	cmd.Dir = s.Dir
	cmd.Env = s.Env
	if cmd.Env == nil {
		cmd.Env = h.env
	}
	// Its own process group, so a timeout kills a whole pipeline.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &limitedBuffer{b: &stderr, max: 64 << 10}
	start := time.Now()
	err := cmd.Run()
	res := execResult{Wall: time.Since(start), Stdout: stdout.Bytes(), Stderr: strings.TrimSpace(stderr.String())}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return res, fmt.Errorf("%s: %w after %s", s.Argv[0], ctx.Err(), res.Wall.Round(time.Millisecond))
	case errors.As(err, &exitErr):
		res.Exit = exitErr.ExitCode()
	case err != nil:
		return res, fmt.Errorf("running %s: %w", s.Argv[0], err)
	}
	h.logf("  %s: exit %d in %s", strings.Join(shorten(s.Argv), " "), res.Exit, res.Wall.Round(time.Millisecond))
	return res, nil
}

// coldCacheEnv is the harness's environment with an empty layer cache of
// its own for imgcheck: benchmarks 1 and 3 measure a first read, which the
// peers (without a cache) are compared with; benchmark 4 measures the
// cache.
func (h *harness) coldCacheEnv() ([]string, error) {
	base := filepath.Join(h.work, "caches")
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(base, "cold-")
	if err != nil {
		return nil, err
	}
	return append(append([]string{}, h.env...), "IMGCHECK_CACHE="+dir), nil
}

// shell runs script with bash -c, with pipefail when asked (a pipeline cut
// by SIGPIPE must not count as failed); vars are passed in the environment
// so no value is ever quoted into the script.
func (h *harness) shell(ctx context.Context, pipefail bool, script string, vars ...string) (execResult, error) {
	env := append(append([]string{}, h.env...), vars...)
	argv := []string{"bash", "--noprofile", "--norc", "-c", script}
	if pipefail {
		argv = []string{"bash", "--noprofile", "--norc", "-o", "pipefail", "-c", script}
	}
	return h.exec(ctx, execSpec{Dir: h.work, Env: env, Argv: argv})
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func shorten(argv []string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if len(a) > 60 {
			a = a[:57] + "..."
		}
		out[i] = a
	}
	return out
}
