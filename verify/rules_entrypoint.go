package verify

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/image/binfmt"
	"github.com/imgcheck/imgcheck/platform"
)

// maxScriptDepth bounds #! chains, as the kernel does (it allows a few levels).
const maxScriptDepth = 4

// argv is what the runtime executes: the task's entryPoint and command
// override the image's ENTRYPOINT and CMD with Docker's rules (a task
// entryPoint drops the image's CMD).
func (c *checker) argv() []string {
	cfg := c.p.Config
	if c.container != nil {
		ep, cmd := c.container.EntryPoint, c.container.Command
		if ep.Set && len(ep.Values) > 0 {
			return append(append([]string{}, ep.Values...), cmd.Values...)
		}
		if cmd.Set && len(cmd.Values) > 0 {
			return append(append([]string{}, cfg.Entrypoint...), cmd.Values...)
		}
	}
	return append(append([]string{}, cfg.Entrypoint...), cfg.Cmd...)
}

func (c *checker) workingDir() string {
	if c.container != nil && c.container.WorkingDirectory.Known() && c.container.WorkingDirectory.Value != "" {
		return c.container.WorkingDirectory.Value
	}
	return c.p.Config.WorkingDir
}

// resolveCommand finds the program the runtime runs for prog, searching
// pathEnv for a bare name. A PATH the task sets from a secret is not known
// here: looking a bare name up in the image's PATH instead is a guess.
func (c *checker) resolveCommand(ctx context.Context, prog string) (image.File, error) {
	if c.container != nil && !strings.Contains(prog, "/") {
		for _, s := range c.container.Secrets {
			if s.Name.Value == "PATH" {
				return image.File{}, errCheck{fmt.Sprintf("container %q sets PATH from a secret (%s), whose value is not known here, so where %s is found cannot be told; give %s as an absolute path",
					c.container.Name.Value, s.ValueFrom.Value, prog, prog)}
			}
		}
	}
	return c.p.ResolveCommand(ctx, prog, c.workingDir(), c.pathEnv())
}

// pathEnv is the PATH the runtime searches: the task's environment
// overrides the image's.
func (c *checker) pathEnv() string {
	if c.container != nil {
		for _, kv := range c.container.Environment {
			if kv.Name.Value == "PATH" && kv.Value.Known() {
				return kv.Value.Value
			}
		}
	}
	return c.p.Config.Getenv("PATH")
}

func (c *checker) entrypointRules(ctx context.Context, t *Target) error {
	windows := strings.EqualFold(c.want.OS, "windows")
	argv := c.argv()
	if len(argv) == 0 || argv[0] == "" {
		c.addStop("IC201", Finding{Message: "nothing to run: the image has no ENTRYPOINT or CMD and the task sets no entryPoint or command",
			Evidence: "config Entrypoint=[] Cmd=[]", Fix: "set an entrypoint in the image, or entryPoint in the container definition"})
		return nil
	}
	f, err := c.resolveCommand(ctx, argv[0])
	if err != nil {
		return err
	}
	t.Executable = argv[0]
	if !f.Found && windows {
		// Windows paths are case-insensitive and searched in ways the
		// lookup does not fully model: say so rather than guess.
		return errCheck{fmt.Sprintf("Windows entrypoint %s was not found in the image (%s); imgcheck cannot tell a missing file from a name it resolves differently than Windows", argv[0], reasonText(f))}
	}
	if !f.Found {
		c.addStop("IC202", notFound("entrypoint", argv[0], f))
		return nil
	}
	t.Executable = f.Resolved
	if t.Executable == "" {
		t.Executable = f.Path
	}
	if f.Type != image.TypeRegular || !f.Executable() && !windows {
		c.addStop("IC203", Finding{
			Message:  fmt.Sprintf("entrypoint %s is not an executable file: the container fails with \"permission denied\"", t.Executable),
			Evidence: fmt.Sprintf("type %s, mode %s in layer %d", f.Type, f.Mode, f.Layer),
			Fix:      "add the file with mode 0755"})
		return nil
	}
	info, ri, err := c.p.Identify(ctx, f)
	if err != nil {
		return err
	}
	t.Binary, t.ReadMode = info.String(), string(ri.Mode)
	if !windows {
		// runc checks that the run user may execute it before execve.
		d, u, err := c.access(ctx, f, image.AccessExec)
		if err != nil {
			return err
		}
		if d != nil {
			c.addExecDenial(entrypointStart(), "entrypoint", f, d, u)
			return nil
		}
	}
	if err := c.judgeExecutable(ctx, "entrypoint", t.Executable, argv[0], f, info, 0); err != nil {
		return err
	}
	c.goBuildRules(t.Executable, ri)
	return nil
}

// judgeExecutable decides whether the kernel can exec the file on the
// task's platform, following #! interpreters and ELF interpreters, and
// whether the dynamic loader then loads what a dynamic ELF needs. p names
// the file (resolved), f.Path is how it is executed, argv0 what it is
// called. The run user may execute f itself (the caller checked).
func (c *checker) judgeExecutable(ctx context.Context, role, p, argv0 string, f image.File, info binfmt.Info, depth int) error {
	wantArch := c.want.Architecture
	if info.Kind == binfmt.KindELF || info.Kind == binfmt.KindPE {
		// Fail closed: a header we could not read completely, or one with
		// problems, cannot be judged.
		if info.Need > 0 || (info.Kind == binfmt.KindELF && !info.ProgramHeadersRead) {
			return errCheck{fmt.Sprintf("could not read enough of %s %s to identify it (%d bytes needed)", role, p, info.Need)}
		}
		if len(info.Problems) > 0 {
			return errCheck{fmt.Sprintf("%s %s has a malformed header: %s", role, p, strings.Join(info.Problems, "; "))}
		}
	}
	switch info.Kind {
	case binfmt.KindELF:
		if strings.EqualFold(c.want.OS, "windows") {
			c.addStop("IC211", Finding{
				Message:  fmt.Sprintf("%s %s is a Linux (ELF) binary but the task runs Windows", role, p),
				Evidence: fmt.Sprintf("e_machine=%s at %s", info.Machine, p),
				Fix:      "build for the task's operating system, or change operatingSystemFamily"})
			return nil
		}
		if info.GOARCH != wantArch {
			arch := info.GOARCH
			if arch == "" {
				arch = info.Machine
			}
			id := "IC204"
			if depth > 0 {
				id = "IC207"
			}
			c.addStop(id, Finding{
				Message:  fmt.Sprintf("%s %s is a %s binary but the task runs %s: the container will fail with \"exec format error\"", role, p, arch, platform.String(&c.want)),
				Evidence: fmt.Sprintf("e_machine=%s at %s (layer %d)", info.Machine, p, f.Layer),
				Fix:      fmt.Sprintf("build for %s (GOARCH=%s), or change runtimePlatform.cpuArchitecture", platform.String(&c.want), wantArch)})
			return nil
		}
		if err := c.fileCapRules(ctx, role, p, f); err != nil {
			return err
		}
		if info.Interpreter != "" {
			interp, err := c.p.Lookup(ctx, info.Interpreter)
			if err != nil {
				return err
			}
			if !interp.Found {
				c.addStop("IC205", Finding{
					Message:  fmt.Sprintf("%s %s is dynamically linked and its interpreter %s is not in the image: the container will fail with \"no such file or directory\"", role, p, info.Interpreter),
					Evidence: fmt.Sprintf("PT_INTERP=%s at %s; lookup: %s", info.Interpreter, p, reasonText(interp)),
					Fix:      "build with CGO_ENABLED=0, or use a base image that has the matching C library"})
				return nil
			}
			return c.judgeLoader(ctx, entrypointStart(), role, f.Path, argv0, interp)
		}
	case binfmt.KindPE:
		if strings.EqualFold(c.want.OS, "windows") {
			if info.GOARCH != wantArch {
				c.addStop("IC204", Finding{
					Message:  fmt.Sprintf("%s %s is a %s Windows executable but the task runs %s", role, p, info.PEMachine, platform.String(&c.want)),
					Evidence: fmt.Sprintf("PE machine %s at %s (layer %d)", info.PEMachine, p, f.Layer),
					Fix:      "build the executable for the task's architecture"})
			}
			return nil
		}
		c.addStop("IC211", Finding{
			Message:  fmt.Sprintf("%s %s is a Windows executable but the task runs %s", role, p, platform.String(&c.want)),
			Evidence: fmt.Sprintf("PE machine %s at %s", info.PEMachine, p),
			Fix:      "build for the task's operating system"})
	case binfmt.KindScript:
		if strings.EqualFold(c.want.OS, "windows") {
			return errCheck{fmt.Sprintf("%s %s of a Windows image is a #! script, which Windows does not run", role, p)}
		}
		return c.judgeScript(ctx, role, p, f, info, depth)
	default:
		if strings.EqualFold(c.want.OS, "windows") {
			// .cmd, .bat and .ps1 files run through interpreters that the
			// file's bytes do not name: not something to judge from them.
			return errCheck{fmt.Sprintf("%s %s of a Windows image is not a PE executable; imgcheck does not check Windows scripts", role, p)}
		}
		c.addStop("IC210", Finding{
			Message:  fmt.Sprintf("%s %s is neither an ELF binary nor a #! script: the container will fail with \"exec format error\"", role, p),
			Evidence: fmt.Sprintf("first bytes of %s (layer %d) are not a known executable format", p, f.Layer),
			Fix:      "point the entrypoint at an executable, or add a #! line to the script"})
	}
	return nil
}

func (c *checker) judgeScript(ctx context.Context, role, p string, script image.File, info binfmt.Info, depth int) error {
	interp := info.ScriptInterpreter
	if interp == "" {
		c.addStop("IC206", Finding{
			Message:  fmt.Sprintf("%s %s starts with #! but names no interpreter: the container will fail with \"exec format error\"", role, p),
			Evidence: strings.Join(append([]string{"#! line without a path"}, info.Problems...), "; "),
			Fix:      "write the interpreter's absolute path after #!"})
		return nil
	}
	if depth >= maxScriptDepth {
		c.addStop("IC206", Finding{Message: fmt.Sprintf("%s %s: #! interpreters nest too deeply", role, p),
			Evidence: "interpreter " + interp})
		return nil
	}
	var f image.File
	var err error
	if path.Base(interp) == "env" && info.ScriptArg != "" {
		// #!/usr/bin/env prog: env must run, then prog is searched in PATH.
		if f, err = c.p.Lookup(ctx, interp); err != nil {
			return err
		}
		if f.Found {
			if stop, err := c.judgeInterpreter(ctx, role, p, interp, f, depth); stop || err != nil {
				return err
			}
			prog := strings.Fields(info.ScriptArg)[0]
			interp = prog
			f, err = c.resolveCommand(ctx, prog)
		}
	} else {
		f, err = c.p.Lookup(ctx, interp)
	}
	if err != nil {
		return err
	}
	if !f.Found {
		c.addStop("IC206", Finding{
			Message:  fmt.Sprintf("%s %s is a script for %s, which is not in the image: the container will fail with \"no such file or directory\"", role, p, interp),
			Evidence: strings.Join(append([]string{fmt.Sprintf("#!%s %s; lookup: %s", info.ScriptInterpreter, info.ScriptArg, reasonText(f))}, info.Problems...), "; "),
			Fix:      "add the interpreter to the image, or use a compiled binary"})
		return nil
	}
	if stop, err := c.judgeInterpreter(ctx, role, p, interp, f, depth); stop || err != nil {
		return err
	}
	// The interpreter runs and opens the script, as the run user.
	d, u, err := c.access(ctx, script, image.AccessRead)
	if err != nil || d == nil {
		return err
	}
	c.addStop("IC215", Finding{
		Message: fmt.Sprintf("%s %s cannot be read by %s, so its interpreter %s cannot open it: the container fails to start (%q)",
			role, p, userShort(u), interp, "Permission denied"),
		Evidence: denialEvidence(d, u),
		Fix:      denialFix(d)})
	return nil
}

// judgeInterpreter judges the interpreter f of script p, called argv0:
// the run user must execute it, then the kernel and the loader must run
// it. stop is true when something stops the start there.
func (c *checker) judgeInterpreter(ctx context.Context, role, p, argv0 string, f image.File, depth int) (stop bool, err error) {
	before := len(c.findings)
	d, u, err := c.access(ctx, f, image.AccessExec)
	if err != nil {
		return true, err
	}
	if d != nil {
		c.addInterpDenial(entrypointStart(), role, p, "#! interpreter", f, d, u)
		return true, nil
	}
	next, _, err := c.p.Identify(ctx, f)
	if err != nil {
		return true, err
	}
	if err := c.judgeExecutable(ctx, role+" interpreter", f.Resolved, argv0, f, next, depth+1); err != nil {
		return true, err
	}
	return len(c.findings) > before, nil
}

// goBuildRules report on Go build settings when the build info was read.
func (c *checker) goBuildRules(p string, ri image.ReadInfo) {
	gb := ri.GoBuild
	if gb == nil {
		return
	}
	if gb.GOAMD64 >= "v3" && c.want.Architecture == "amd64" {
		c.add("IC208", Finding{
			Message:  fmt.Sprintf("%s was built with GOAMD64=%s; hosts without those instructions cannot run it", p, gb.GOAMD64),
			Evidence: "Go build setting GOAMD64=" + gb.GOAMD64, Fix: "build with GOAMD64=v1 (the default) or v2"})
	}
	if gb.CGOEnabled != nil && *gb.CGOEnabled {
		c.add("IC209", Finding{Message: p + " was built with cgo (CGO_ENABLED=1)",
			Evidence: "Go build setting CGO_ENABLED=1", Fix: "build with CGO_ENABLED=0 for scratch and distroless static images"})
	}
}

// notFound describes an executable the runtime will not find; the caller
// says which rule it breaks.
func notFound(role, name string, f image.File) Finding {
	return Finding{
		Message:  fmt.Sprintf("%s %s is not in the image: the container will fail to start (%s)", role, name, f.Reason),
		Evidence: reasonText(f),
		Fix:      "fix the path in the task definition or the image's ENTRYPOINT, or add the file to the image"}
}

// reasonText explains a failed lookup: why, and which layers were searched.
func reasonText(f image.File) string {
	var parts []string
	if f.Reason != "" {
		parts = append(parts, string(f.Reason))
	}
	if f.Detail != "" {
		parts = append(parts, f.Detail)
	}
	if f.WhiteoutLayer >= 0 && f.Reason == image.ReasonWhiteout {
		parts = append(parts, fmt.Sprintf("removed by a whiteout in layer %d", f.WhiteoutLayer))
	}
	if len(f.LayersSearched) > 0 {
		parts = append(parts, fmt.Sprintf("layers searched (top first): %v", f.LayersSearched))
	}
	return strings.Join(parts, "; ")
}
