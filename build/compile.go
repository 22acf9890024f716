package build

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/platform"
)

// Compiler turns a main package into a binary for one platform. It is the
// seam tests use to substitute a wrong binary; GoCompiler is the real one.
type Compiler interface {
	Compile(ctx context.Context, req CompileRequest) (binaryPath string, err error)
}

// CompileRequest is one go build invocation.
type CompileRequest struct {
	Package  Package
	Platform v1.Platform
	// Dir is where go build runs (builds[].dir).
	Dir string
	// Environ is the ambient environment (os.Environ() when nil); Env is
	// added after it and the platform's GOOS/GOARCH/...; later entries win.
	Environ []string
	Env     []string
	Flags   []string
	Ldflags []string
	// OutDir is an empty directory the binary is written into.
	OutDir string
	// Log receives go build's output line by line as it runs.
	Log io.Writer
}

// GoCompiler runs the go command. The build cache is the user's (GOCACHE is
// left alone), so a rebuild with no change compiles nothing.
type GoCompiler struct {
	// GoBinary is the go command; "go" from PATH when empty (ko: KO_GO_PATH).
	GoBinary string
}

// Compile runs go build -trimpath with CGO_ENABLED=0 and the platform's
// GOOS/GOARCH/GOARM/GOAMD64/GOARM64. The user's env may override
// CGO_ENABLED, as with ko, and name the C compiler: CC (and CXX) for every
// platform, as ko takes them, or CC_FOR_<goos>_<goarch> (and CXX_FOR_...,
// the names Go's own make.bash reads) for one platform, which win. A
// dynamically linked result is judged by the Builder (see dynamicPolicy).
func (g GoCompiler) Compile(ctx context.Context, req CompileRequest) (string, error) {
	goBin := g.GoBinary
	if goBin == "" {
		goBin = "go"
	}
	out := filepath.Join(req.OutDir, req.Package.Name)
	args := []string{"build", "-trimpath", "-o", out}
	args = append(args, req.Flags...)
	if len(req.Ldflags) > 0 {
		args = append(args, "-ldflags="+strings.Join(req.Ldflags, " "))
	}
	args = append(args, "--", req.Package.ImportPath)
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = req.Dir
	ambient := req.Environ
	if ambient == nil {
		ambient = os.Environ()
	}
	env := append(append([]string{}, ambient...), "CGO_ENABLED=0")
	env = append(env, goEnv(req.Platform)...)
	cmd.Env = withCrossCompilers(append(env, req.Env...), req.Platform)
	logw := req.Log
	if logw == nil {
		logw = io.Discard
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var tail strings.Builder // last lines, to put in the error
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logw, line)
			if tail.Len() < 4096 {
				tail.WriteString(line + "\n")
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	err := cmd.Run()
	pw.Close()
	<-done
	if err != nil {
		return "", fmt.Errorf("go build %s for %s: %w\n%s%s", req.Package.ImportPath, platform.String(&req.Platform), err, strings.TrimSpace(tail.String()), crossCgoHint(cmd.Env, req.Platform))
	}
	return out, nil
}

// withCrossCompilers sets CC and CXX from CC_FOR_<goos>_<goarch> and
// CXX_FOR_<goos>_<goarch> when the environment has them (later entries
// win, as exec does).
func withCrossCompilers(env []string, p v1.Platform) []string {
	getenv := LookupEnv(env)
	suffix := "_FOR_" + p.OS + "_" + p.Architecture
	for _, tool := range []string{"CC", "CXX"} {
		if v := getenv(tool + suffix); v != "" {
			env = append(env, tool+"="+v)
		}
	}
	return env
}

// crossCgoHint explains the usual cause of a failed cgo build for another
// architecture: the host's C compiler was used.
func crossCgoHint(env []string, p v1.Platform) string {
	getenv := LookupEnv(env)
	if getenv("CGO_ENABLED") != "1" || p.Architecture == runtime.GOARCH || getenv("CC") != "" {
		return ""
	}
	example := map[string]string{"arm64": "aarch64-linux-gnu-gcc", "amd64": "x86_64-linux-gnu-gcc", "arm": "arm-linux-gnueabihf-gcc"}[p.Architecture]
	if example == "" {
		example = "a C cross compiler for " + p.Architecture
	}
	return fmt.Sprintf("\ncgo for %s on this %s machine needs a C cross compiler: set CC_FOR_%s_%s=%s (or CC, for every platform) in the build's env",
		platform.String(&p), runtime.GOARCH, p.OS, p.Architecture, example)
}
