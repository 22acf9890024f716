package build

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
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
	return fmt.Sprintf("%s: %s: %s", platformKey(p.Platform), p.Rule, p.Message)
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

// Verifier judges an assembled platform image before it is published. The
// lead connects the verify rules here; Builder always runs CheckBinary too.
type Verifier interface {
	VerifyImage(ctx context.Context, platform v1.Platform, img v1.Image) ([]Problem, error)
}

// elfMachines maps GOARCH to the ELF machine and class Go emits for it.
var elfMachines = map[string]struct {
	machine elf.Machine
	class   elf.Class
}{
	"amd64":   {elf.EM_X86_64, elf.ELFCLASS64},
	"arm64":   {elf.EM_AARCH64, elf.ELFCLASS64},
	"arm":     {elf.EM_ARM, elf.ELFCLASS32},
	"386":     {elf.EM_386, elf.ELFCLASS32},
	"ppc64le": {elf.EM_PPC64, elf.ELFCLASS64},
	"ppc64":   {elf.EM_PPC64, elf.ELFCLASS64},
	"s390x":   {elf.EM_S390, elf.ELFCLASS64},
	"riscv64": {elf.EM_RISCV, elf.ELFCLASS64},
	"loong64": {elf.EM_LOONGARCH, elf.ELFCLASS64},
}

// CheckBinary is the local pre-push check of a freshly built binary: it
// must be a static ELF executable for the platform's architecture. A wrong
// binary would die at start with "exec format error" (machine) or "no such
// file or directory" (missing interpreter).
//
// It reads the file with debug/elf; the verify rules (through a Verifier)
// judge the assembled image with package image/binfmt on top of this.
func CheckBinary(path string, platform v1.Platform) ([]Problem, error) {
	problem := func(rule, format string, args ...any) []Problem {
		return []Problem{{Platform: platform, Rule: rule, Message: fmt.Sprintf(format, args...)}}
	}
	f, err := elf.Open(path)
	if err != nil {
		var fe *elf.FormatError
		if errors.As(err, &fe) {
			return problem("binary-format", "built binary is not an ELF executable: %v", err), nil
		}
		return nil, fmt.Errorf("opening built binary: %w", err)
	}
	defer f.Close()
	want, known := elfMachines[platform.Architecture]
	if !known {
		return problem("binary-arch", "no known ELF machine for architecture %q", platform.Architecture), nil
	}
	if f.Machine != want.machine || f.Class != want.class {
		return problem("binary-arch", "built binary is %s %s, the image is for %s", f.Class, f.Machine, platformKey(platform)), nil
	}
	if platform.Architecture == "ppc64le" && f.Data != elf.ELFDATA2LSB || platform.Architecture == "ppc64" && f.Data != elf.ELFDATA2MSB {
		return problem("binary-arch", "built binary has byte order %s, the image is for %s", f.Data, platformKey(platform)), nil
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			interp, _ := io.ReadAll(io.LimitReader(p.Open(), 4096))
			return problem("binary-static", "built binary is dynamically linked (interpreter %q); build with CGO_ENABLED=0",
				strings.TrimRight(string(interp), "\x00")), nil
		}
	}
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return problem("binary-format", "built ELF file is %s, not an executable", f.Type), nil
	}
	return nil, nil
}
