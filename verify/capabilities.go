package verify

import (
	"fmt"
	"strings"

	"github.com/imgcheck/imgcheck/image/filecap"
	"github.com/imgcheck/imgcheck/taskdef"
)

// Capability numbers the rules name.
const (
	capChown, capDACOverride, capFOwner, capFSetID, capKill = 0, 1, 3, 4, 5
	capSetGID, capSetUID, capSetPCap, capNetBindService     = 6, 7, 8, 10
	capNetRaw, capSysChroot, capSysPtrace, capMknod         = 13, 18, 19, 27
	capAuditWrite, capSetFCap                               = 29, 31
)

// runtimeDefaultCaps is the capability set a container gets when the task
// definition changes nothing: Docker's default (which the ECS agent passes
// through on EC2; ECS documents linuxParameters.capabilities as changes
// to "the default configuration provided by Docker"), containerd's
// default spec, and what Fargate tasks run with. The process's bounding,
// effective and permitted sets are this set; the inheritable set is empty
// (Docker 20.10.14 and containerd 1.6.18 and later).
var runtimeDefaultCaps = filecap.Of(capChown, capDACOverride, capFSetID, capFOwner, capMknod, capNetRaw,
	capSetGID, capSetUID, capSetFCap, capSetPCap, capNetBindService, capSysChroot, capKill, capAuditWrite)

// fargateAddable is what Fargate lets linuxParameters.capabilities.add
// name ("Tasks launched on Fargate only support adding the SYS_PTRACE
// kernel capability", KernelCapabilities in the ECS API reference).
var fargateAddable = filecap.Of(capSysPtrace)

// containerCaps is the capability set of a container's process, with how
// it was worked out (evidence).
type containerCaps struct {
	set filecap.Set
	how string
}

// containerCaps applies the task definition to the runtime's default set
// as Docker does (and ECS documents): privileged gets every capability;
// add ALL is every capability but those dropped; drop ALL leaves what add
// names; otherwise the default minus drop plus add. Names are read as
// Docker reads them (any case, CAP_ optional); one it does not know
// cannot be judged.
func (c *checker) containerCaps() (containerCaps, error) {
	if c.container == nil {
		return containerCaps{runtimeDefaultCaps, "the runtime's default set; no task definition"}, nil
	}
	ct := c.container
	if ct.Privileged.Value {
		return containerCaps{filecap.Known, "privileged: every capability"}, nil
	}
	kc := ct.Capabilities
	if kc == nil || len(kc.Add) == 0 && len(kc.Drop) == 0 {
		return containerCaps{runtimeDefaultCaps, "the runtime's default set; linuxParameters.capabilities not set"}, nil
	}
	add, addAll, err := c.capList("add", kc.Add)
	if err != nil {
		return containerCaps{}, err
	}
	drop, dropAll, err := c.capList("drop", kc.Drop)
	if err != nil {
		return containerCaps{}, err
	}
	how := fmt.Sprintf("linuxParameters.capabilities add %s, drop %s", capListText(kc.Add), capListText(kc.Drop))
	switch {
	case addAll:
		return containerCaps{filecap.Known &^ drop, how + ": every capability but those dropped"}, nil
	case dropAll:
		return containerCaps{add, how + ": only those added"}, nil
	}
	return containerCaps{runtimeDefaultCaps&^drop | add, how + ": the runtime's default minus drop plus add"}, nil
}

// capList reads add or drop; all reports an ALL in it.
func (c *checker) capList(field string, list []taskdef.String) (set filecap.Set, all bool, err error) {
	for _, s := range list {
		if strings.EqualFold(strings.TrimSpace(s.Value), "ALL") {
			all = true
			continue
		}
		n, perr := filecap.ParseName(s.Value)
		if perr != nil {
			return 0, false, errCheck{fmt.Sprintf("linuxParameters.capabilities.%s of container %q names %q at %s, which is not a Linux capability; the runtime refuses to create the container (\"unknown capability\") unless ECS refuses the task definition first, which imgcheck does not model",
				field, c.container.Name.Value, s.Value, s.Pos)}
		}
		set |= filecap.Of(n)
	}
	return set, all, nil
}

func capListText(list []taskdef.String) string {
	if len(list) == 0 {
		return "[]"
	}
	names := make([]string, len(list))
	for i, s := range list {
		names[i] = s.Value
	}
	return "[" + strings.Join(names, " ") + "]"
}

// capabilityInputs lists the container fields the capability rules read
// that are not known, for unresolvedInputs.
func capabilityInputs(ct *taskdef.Container) []unresolvedValue {
	var out []unresolvedValue
	if ct.Privileged.Set && ct.Privileged.Unresolved != "" {
		out = append(out, unresolvedValue{field: "privileged", why: ct.Privileged.Unresolved, pos: ct.Privileged.Pos})
	}
	kc := ct.Capabilities
	if kc == nil {
		return out
	}
	if kc.Unresolved != "" {
		return append(out, unresolvedValue{field: "linuxParameters.capabilities", why: kc.Unresolved, pos: kc.Pos})
	}
	for _, s := range kc.Add {
		if s.Unresolved != "" {
			out = append(out, unresolvedValue{field: "linuxParameters.capabilities.add", why: s.Unresolved, pos: s.Pos})
		}
	}
	for _, s := range kc.Drop {
		if s.Unresolved != "" {
			out = append(out, unresolvedValue{field: "linuxParameters.capabilities.drop", why: s.Unresolved, pos: s.Pos})
		}
	}
	return out
}
