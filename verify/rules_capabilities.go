package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/image/filecap"
)

// fileCapRules judge the file capabilities of a file the container
// executes (the entrypoint, a script's interpreter, the health check
// program) against the container's capabilities. At execve the kernel
// gives the process (pB = bounding set, fP/fI = the file's permitted and
// inheritable sets, pI = the process's inheritable set, empty under the
// ECS runtimes):
//
//	permitted' = (fP & pB) | (fI & pI)
//
// and, when the file's effective bit is set and permitted' lacks part of
// fP, fails with EPERM ("operation not permitted"), whatever the user. A
// non-root process without the effective bit starts, with only what the
// bounding set let through. Capabilities Linux does not name are masked
// away by the kernel; a revision 3 attribute whose root id is not 0 is
// ignored without a user namespace (ECS runs none).
func (c *checker) fileCapRules(ctx context.Context, role, p string, f image.File) error {
	if strings.EqualFold(c.want.OS, "windows") {
		return nil
	}
	if f.CapabilitiesError != "" {
		return errCheck{fmt.Sprintf("%s %s (layer %d) carries a security.capability attribute the kernel refuses (%s): the runtime cannot apply that layer as written; imgcheck does not predict how the pull or start fails",
			role, p, f.Layer, f.CapabilitiesError)}
	}
	fc := f.Capabilities
	if fc == nil || fc.Revision == 3 && fc.RootID != 0 {
		return nil
	}
	asked := fc.Permitted & filecap.Known
	cc, err := c.containerCaps()
	if err != nil {
		return err
	}
	missing := asked &^ cc.set
	if missing == 0 {
		return nil
	}
	evidence := fmt.Sprintf("security.capability of %s (layer %d): %s; not in the container's capabilities: %s; container capabilities: %s (%s)",
		p, f.Layer, fc, missing, cc.set, cc.how)
	health := strings.HasPrefix(role, "health check")
	if fc.Effective {
		outcome := "the container never starts"
		if health {
			outcome = "the health check never passes and ECS replaces the task"
		}
		c.add("IC219", Finding{
			Message:  fmt.Sprintf("%s %s has file capabilities with the effective bit that the container cannot have (%s): execve fails with \"operation not permitted\" and %s", role, p, missing, outcome),
			Evidence: evidence,
			Fix:      c.capabilityFix(missing, "or build the binary without the effective bit (ko: linux_capabilities: NAME, which is NAME=p) and raise them in the program, which can then report what it lacks"),
			Location: c.capabilityLocation()})
		return nil
	}
	uid, known, err := c.processUID(ctx)
	if err != nil || !known || uid == 0 {
		return err
	}
	c.add("IC220", Finding{
		Message: fmt.Sprintf("%s %s asks for %s without the effective bit; its user (uid %d) starts without them, and the program fails when it needs them",
			role, p, missing, uid),
		Evidence: evidence,
		Fix:      c.capabilityFix(missing, "or leave them out of linux_capabilities if the program does not need them"),
		Location: c.capabilityLocation()})
	return nil
}

// capabilityFix says how to give the container the missing capabilities,
// or that Fargate cannot.
func (c *checker) capabilityFix(missing filecap.Set, orElse string) string {
	if c.facts != nil && c.facts.fargate {
		if beyond := missing &^ (runtimeDefaultCaps | fargateAddable); beyond != 0 {
			return fmt.Sprintf("Fargate cannot give a container %s (it adds only SYS_PTRACE to the default set): run the task on EC2 with linuxParameters.capabilities.add, %s", beyond, orElse)
		}
		return fmt.Sprintf("keep %s in the container by leaving them out of linuxParameters.capabilities.drop (on Fargate, add may name only SYS_PTRACE), %s", missing, orElse)
	}
	return fmt.Sprintf("keep %s in the container (leave them out of linuxParameters.capabilities.drop, or name them in add), %s", missing, orElse)
}

func (c *checker) capabilityLocation() *Location {
	if c.container == nil || c.container.Capabilities == nil {
		return nil
	}
	return loc(c.container.Capabilities.Pos)
}

// processUID is the uid the container's process runs as (the task's user,
// else the image's). known is false when the runtime refuses the user: a
// user rule reports that.
func (c *checker) processUID(ctx context.Context) (uid int, known bool, err error) {
	spec := c.p.Config.User
	if c.container != nil && c.container.User.Known() && c.container.User.Value != "" {
		spec = c.container.User.Value
	}
	if spec == "" {
		return 0, true, nil
	}
	cred, err := c.p.ResolveUser(ctx, spec)
	var ue *image.UserError
	if errors.As(err, &ue) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return cred.UID, true, nil
}

// fargateCapabilityRule: on Fargate, linuxParameters.capabilities.add may
// name SYS_PTRACE only; ECS validates a task definition against the
// compatibilities it requires and refuses it (a ClientException).
func (c *checker) fargateCapabilityRule() {
	for _, ct := range c.facts.td.Containers {
		kc := ct.Capabilities
		if kc == nil || kc.Unresolved != "" {
			continue
		}
		for _, s := range kc.Add {
			if s.Unresolved != "" {
				continue
			}
			n, err := filecap.ParseName(s.Value)
			if err == nil && fargateAddable.Has(n) {
				continue
			}
			c.add("IC322", Finding{
				Container: ct.Name.Value,
				Message:   fmt.Sprintf("container %q adds capability %q, but Fargate tasks can add only SYS_PTRACE: ECS refuses the task definition for Fargate", ct.Name.Value, s.Value),
				Evidence:  fmt.Sprintf("linuxParameters.capabilities.add %s; ECS API reference (KernelCapabilities): \"Tasks launched on Fargate only support adding the SYS_PTRACE kernel capability.\"", capListText(kc.Add)),
				Fix:       "remove it from linuxParameters.capabilities.add, or run the task on EC2",
				Location:  loc(s.Pos)})
		}
	}
}
