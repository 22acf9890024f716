package build

import (
	"context"
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/image/binfmt"
	"github.com/imgcheck/imgcheck/platform"
)

// Problem is one reason an image must not leave the machine.
type Problem struct {
	Platform v1.Platform
	// Rule is a stable identifier of the check ("binary-arch", ...), or a
	// verify rule ID when a Verifier reports it.
	Rule    string
	Message string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s: %s: %s", platform.String(&p.Platform), p.Rule, p.Message)
}

// ProblemsError is returned when a build is refused. It lists every problem
// so one run shows them all.
type ProblemsError struct{ Problems []Problem }

func (e *ProblemsError) Error() string {
	msg := fmt.Sprintf("build refused, nothing was published: %d problem(s)", len(e.Problems))
	for _, p := range e.Problems {
		msg += "; " + p.String()
	}
	return msg
}

// Verifier judges an assembled platform image before it is published, after
// CheckBinary passed. Checks of the whole index (imgcheck build runs verify
// against task definitions) go in Builder.BeforePublish instead.
type Verifier interface {
	VerifyImage(ctx context.Context, platform v1.Platform, img v1.Image) ([]Problem, error)
}

// maxIdentifyBytes bounds how much of a binary is read to identify it; Go
// binaries keep their program headers in the first few KiB.
const maxIdentifyBytes = 1 << 20

// CheckBinary is the local pre-push check of a freshly built binary for a
// base that has no C library (the built-in static base, scratch): it must
// be a static ELF executable for the platform's architecture. A wrong
// binary would die at start with "exec format error" (machine) or "no such
// file or directory" (missing interpreter). It identifies the file with
// image/binfmt, as verify does in the registry.
func CheckBinary(path string, want v1.Platform) ([]Problem, error) {
	info, err := identifyBinary(path)
	if err != nil {
		return nil, err
	}
	return binaryProblems(info, want, dynamicPolicy{}), nil
}

// identifyBinary reads what a built binary is.
func identifyBinary(path string) (binfmt.Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return binfmt.Info{}, fmt.Errorf("opening built binary: %w", err)
	}
	defer f.Close()
	info, err := binfmt.IdentifyReader(f, maxIdentifyBytes)
	if err != nil {
		return binfmt.Info{}, fmt.Errorf("identifying built binary %s: %w", path, err)
	}
	return info, nil
}

// dynamicPolicy says what becomes of a dynamically linked binary (cgo).
type dynamicPolicy struct {
	// allowed: the base image is judged later, by the same loader checks
	// verify runs (interpreter, libraries, symbol versions).
	allowed bool
	// refusal says why the base cannot run it; "" is CheckBinary's
	// advice to build with CGO_ENABLED=0.
	refusal string
}

// binaryProblems judges an identified binary for want.
func binaryProblems(info binfmt.Info, want v1.Platform, dyn dynamicPolicy) []Problem {
	problem := func(rule, format string, args ...any) []Problem {
		msg := fmt.Sprintf(format, args...) + " (" + info.String() + ")"
		return []Problem{{Platform: want, Rule: rule, Message: msg}}
	}
	dynamic := info.HasInterp || info.Interpreter != ""
	switch {
	case info.Kind != binfmt.KindELF:
		return problem("binary-format", "built binary is not an ELF executable")
	case info.Need > 0:
		return problem("binary-format", "the program headers lie beyond the first %d bytes", maxIdentifyBytes)
	case info.GOARCH != want.Architecture:
		return problem("binary-arch", "built binary is for %q, the image is for %s", info.GOARCH, platform.String(&want))
	case dynamic && dyn.allowed:
		if len(info.Problems) > 0 || (info.Type != binfmt.TypeExecutable && info.Type != binfmt.TypePIEExecutable) {
			return problem("binary-format", "built binary is not a well-formed dynamically linked executable")
		}
	case dynamic && dyn.refusal == "":
		return problem("binary-static", "built binary is dynamically linked (interpreter %q); build with CGO_ENABLED=0", info.Interpreter)
	case dynamic:
		return problem("binary-static", "built binary is dynamically linked (interpreter %q), %s", info.Interpreter, dyn.refusal)
	case !info.Static():
		return problem("binary-static", "built binary is not a static executable")
	}
	return nil
}
