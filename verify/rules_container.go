package verify

import (
	"context"
	"fmt"
	"strings"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/image/binfmt"
	"github.com/imgcheck/imgcheck/platform"
)

// containerRules check the container definition against the image: the
// health check, the user and the size.
func (c *checker) containerRules(ctx context.Context) error {
	if strings.EqualFold(c.want.OS, "windows") {
		// Windows health checks run through cmd.exe or PowerShell and
		// users are Windows accounts: nothing here can judge them.
		if hc := c.container.HealthCheck; hc != nil && len(hc.Command.Values) > 0 || c.container.User.Known() && c.container.User.Value != "" {
			return errCheck{"the health check and user of a Windows container are not checked by imgcheck; remove them from the task definition to verify the rest, or verify by hand"}
		}
		c.sizeRule()
		return nil
	}
	if err := c.healthCheckRules(ctx); err != nil {
		return err
	}
	if err := c.userRules(ctx); err != nil {
		return err
	}
	c.sizeRule()
	return nil
}

func (c *checker) healthCheckRules(ctx context.Context) error {
	hc := c.container.HealthCheck
	if hc == nil || !hc.Command.Known() || len(hc.Command.Values) == 0 {
		return nil
	}
	cmd := hc.Command.Values
	switch strings.ToUpper(cmd[0]) {
	case "CMD-SHELL":
		sh, err := c.p.Lookup(ctx, "/bin/sh")
		if err != nil {
			return err
		}
		if !sh.Found || !sh.Executable() {
			c.add("IC308", Finding{
				Message:  "the health check uses CMD-SHELL but the image has no /bin/sh: the check never passes and ECS replaces the task",
				Evidence: "/bin/sh: " + reasonText(sh),
				Fix:      "use the CMD form with a binary in the image, for example [\"CMD\", \"/ko-app/app\", \"-healthcheck\"]",
				Location: loc(hc.Command.Pos)})
			return nil
		}
		info, _, err := c.p.Identify(ctx, sh)
		if err != nil {
			return err
		}
		if c.healthBinaryArch("/bin/sh", sh, info) {
			if err := c.judgeHealthProgram(ctx, "/bin/sh", sh, info); err != nil {
				return err
			}
			if info.Kind != binfmt.KindELF {
				return nil // the kernel ignores file capabilities of scripts
			}
			return c.fileCapRules(ctx, "health check shell", "/bin/sh", sh)
		}
	case "CMD":
		if len(cmd) < 2 {
			c.add("IC309", Finding{Message: "the CMD health check names no program",
				Evidence: fmt.Sprintf("command %q", cmd), Location: loc(hc.Command.Pos)})
			return nil
		}
		f, err := c.resolveCommand(ctx, cmd[1])
		if err != nil {
			return err
		}
		if !f.Found || !f.Executable() {
			fd := notFound("health check program", cmd[1], f)
			fd.Message = fmt.Sprintf("the health check runs %s, which is not an executable in the image: the check never passes", cmd[1])
			fd.Location = loc(hc.Command.Pos)
			c.add("IC309", fd)
			return nil
		}
		info, _, err := c.p.Identify(ctx, f)
		if err != nil {
			return err
		}
		if c.healthBinaryArch(f.Resolved, f, info) {
			if err := c.judgeHealthProgram(ctx, cmd[1], f, info); err != nil {
				return err
			}
			if info.Kind != binfmt.KindELF {
				return nil // the kernel ignores file capabilities of scripts
			}
			return c.fileCapRules(ctx, "health check program", f.Resolved, f)
		}
	}
	return nil
}

// healthBinaryArch reports a health check binary of another architecture
// (IC309); ok is false then.
func (c *checker) healthBinaryArch(p string, f image.File, info binfmt.Info) (ok bool) {
	if info.Kind != binfmt.KindELF || info.GOARCH == c.want.Architecture {
		return true
	}
	c.add("IC309", Finding{
		Message:  fmt.Sprintf("the health check runs %s, a %s binary, on a %s task: \"exec format error\", the check never passes", p, info.GOARCH, platform.String(&c.want)),
		Evidence: fmt.Sprintf("e_machine=%s at %s (layer %d)", info.Machine, p, f.Layer),
		Fix:      "build the image for the task's platform",
		Location: loc(c.container.HealthCheck.Command.Pos)})
	return false
}

// judgeHealthProgram: the health check runs as the container's user, so
// that user must execute the program, and a dynamic ELF program must get
// its interpreter and libraries. argv0 is the program as the check names
// it. (#! health check scripts are not followed.)
func (c *checker) judgeHealthProgram(ctx context.Context, argv0 string, f image.File, info binfmt.Info) error {
	rules := c.healthStart()
	d, u, err := c.access(ctx, f, image.AccessExec)
	if err != nil {
		return err
	}
	if d != nil {
		c.addExecDenial(rules, "health check program", f, d, u)
		return nil
	}
	if info.Kind != binfmt.KindELF {
		return nil
	}
	if info.Need > 0 || !info.ProgramHeadersRead || len(info.Problems) > 0 {
		return errCheck{fmt.Sprintf("health check program %s: its ELF header could not be read whole or is malformed (%s), so whether it loads cannot be told", f.Path, info)}
	}
	if info.Interpreter == "" {
		return nil
	}
	interp, err := c.p.Lookup(ctx, info.Interpreter)
	if err != nil {
		return err
	}
	if !interp.Found {
		c.add("IC321", Finding{
			Message:  fmt.Sprintf("health check program %s is dynamically linked and its interpreter %s is not in the image: %s (%q)", f.Path, info.Interpreter, rules.outcome, "no such file or directory"),
			Evidence: fmt.Sprintf("PT_INTERP=%s at %s; lookup: %s", info.Interpreter, f.Resolved, reasonText(interp)),
			Fix:      "use a static health check program, or a base image that has the matching C library",
			Location: rules.loc})
		return nil
	}
	return c.judgeLoader(ctx, rules, "health check program", f.Path, argv0, interp)
}

// sizeRule compares the image's size with the task's ephemeral storage.
func (c *checker) sizeRule() {
	if c.facts == nil || !c.facts.fargate {
		return
	}
	storage := 20
	td := c.facts.td
	if td.EphemeralStorageGiB.Known() && td.EphemeralStorageGiB.Value > 0 {
		storage = td.EphemeralStorageGiB.Value
	}
	var size int64
	exact := true
	for _, l := range c.p.Layers {
		if l.Uncompressed > 0 {
			size += l.Uncompressed
		} else {
			size += l.Size // a lower bound
			exact = false
		}
	}
	if size <= int64(storage)<<30 {
		return
	}
	kind := "uncompressed"
	if !exact {
		kind = "at least (compressed sizes where the uncompressed size is unknown)"
	}
	c.add("IC314", Finding{
		Message:  fmt.Sprintf("the image is %.1f GiB %s, more than the task's %d GiB of ephemeral storage", float64(size)/(1<<30), kind, storage),
		Evidence: fmt.Sprintf("%d layers", len(c.p.Layers)),
		Fix:      "raise ephemeralStorage.sizeInGiB (up to 200) or make the image smaller",
		Location: loc(td.EphemeralStorageGiB.Pos)})
}
