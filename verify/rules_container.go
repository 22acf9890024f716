package verify

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/image/binfmt"
	"github.com/imgcheck/imgcheck/platform"
)

// maxPasswdBytes bounds how much of /etc/passwd and /etc/group is read.
const maxPasswdBytes = 1 << 20

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
			return c.fileCapRules(ctx, "health check shell", "/bin/sh", sh)
		}
	case "CMD":
		if len(cmd) < 2 {
			c.add("IC309", Finding{Message: "the CMD health check names no program",
				Evidence: fmt.Sprintf("command %q", cmd), Location: loc(hc.Command.Pos)})
			return nil
		}
		f, err := c.p.ResolveCommand(ctx, cmd[1], c.workingDir(), c.pathEnv())
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
			return c.fileCapRules(ctx, "health check program", f.Resolved, f)
		}
	}
	return nil
}

// healthBinaryArch reports a health check binary of another architecture;
// it returns true for an ELF binary of the task's architecture.
func (c *checker) healthBinaryArch(p string, f image.File, info binfmt.Info) bool {
	if info.Kind != binfmt.KindELF {
		return false
	}
	if info.GOARCH == c.want.Architecture {
		return true
	}
	c.add("IC309", Finding{
		Message:  fmt.Sprintf("the health check runs %s, a %s binary, on a %s task: \"exec format error\", the check never passes", p, info.GOARCH, platform.String(&c.want)),
		Evidence: fmt.Sprintf("e_machine=%s at %s (layer %d)", info.Machine, p, f.Layer),
		Fix:      "build the image for the task's platform",
		Location: loc(c.container.HealthCheck.Command.Pos)})
	return false
}

// userRules: a user (or group) given by name must exist in the image's
// /etc/passwd (/etc/group); numeric IDs need nothing.
func (c *checker) userRules(ctx context.Context) error {
	user, where := c.p.Config.User, "image config User"
	pos := loc(c.container.User.Pos)
	if c.container.User.Known() && c.container.User.Value != "" {
		user, where = c.container.User.Value, "container user"
	} else {
		pos = nil
	}
	if user == "" {
		return nil
	}
	name, group, _ := strings.Cut(user, ":")
	for _, q := range []struct{ value, file string }{{name, "/etc/passwd"}, {group, "/etc/group"}} {
		if q.value == "" || isNumeric(q.value) {
			continue
		}
		data, f, err := c.p.ReadFile(ctx, q.file, maxPasswdBytes)
		missing := !f.Found && errors.Is(err, image.ErrNotFound)
		if err != nil && !missing {
			return err // could not read it: never guess
		}
		if err == nil && hasEntry(data, q.value) {
			continue
		}
		c.add("IC310", Finding{
			Message:  fmt.Sprintf("%s %q names %q, which %s does not define: the container fails to start (\"unable to find user\")", where, user, q.value, q.file),
			Evidence: q.file + ": " + presence(!missing),
			Fix:      "use a numeric UID:GID (for example 65532:65532), or add the entry to the image",
			Location: pos})
	}
	return nil
}

func presence(found bool) string {
	if found {
		return "present, no such entry"
	}
	return "missing from the image"
}

func isNumeric(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

// hasEntry reports whether a passwd/group file has a line for name.
func hasEntry(data []byte, name string) bool {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if field, _, ok := strings.Cut(sc.Text(), ":"); ok && field == name {
			return true
		}
	}
	return false
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
