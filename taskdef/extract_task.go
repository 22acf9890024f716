package taskdef

import (
	"strings"
)

// taskReader turns a checked task definition node into the model.
type taskReader struct {
	chk      *checker
	readOnly map[string]bool
}

func (r *taskReader) task(n *node, shape Shape) *TaskDefinition {
	td := &TaskDefinition{
		Family:           stringOf(n.get("family")),
		NetworkMode:      stringOf(n.get("networkMode")),
		ExecutionRoleArn: stringOf(n.get("executionRoleArn")),
		TaskRoleArn:      stringOf(n.get("taskRoleArn")),
		PidMode:          stringOf(n.get("pidMode")),
		IpcMode:          stringOf(n.get("ipcMode")),
		Pos:              n.pos,
	}
	td.RequiresCompatibilities = stringListOf(n.get("requiresCompatibilities"))
	td.Compatibilities = stringListOf(n.get("compatibilities"))
	td.CPU = r.units(n, "cpu", ParseCPU)
	td.Memory = r.units(n, "memory", ParseMemory)
	if eph := n.get("ephemeralStorage"); !eph.isNull() && eph.kind == kindMap {
		td.EphemeralStorageGiB = intOf(eph.get("sizeInGiB"))
	} else if eph != nil && eph.kind == kindUnresolved {
		td.EphemeralStorageGiB = intOf(eph)
	}
	if pc := n.get("proxyConfiguration"); pc != nil && pc.kind == kindMap {
		td.ProxyContainerName = stringOf(pc.get("containerName"))
	}
	td.RuntimePlatform = runtimePlatformOf(n.get("runtimePlatform"))
	td.PlacementConstraints = placementConstraintsOf(n.get("placementConstraints"))
	if shape == ShapeDescribe || shape == ShapeLive {
		for i, name := range n.canon {
			if r.readOnly[name] {
				td.ReadOnlyFields = append(td.ReadOnlyFields, Field{Name: name, Pos: n.keys[i].pos})
			}
		}
	}
	cds := n.get("containerDefinitions")
	if cds != nil && cds.kind == kindSeq {
		seen := map[string]Pos{}
		for _, cn := range cds.items {
			if cn.kind != kindMap {
				continue
			}
			c := r.container(cn)
			if c.Name.Known() {
				if first, dup := seen[c.Name.Value]; dup {
					r.chk.warn(WarnDuplicateContainerName, c.Name.Pos, "name", "container name %q is used twice (first at %d:%d); ECS rejects duplicate names", c.Name.Value, first.Line, first.Column)
				} else {
					seen[c.Name.Value] = c.Name.Pos
				}
			}
			td.Containers = append(td.Containers, c)
		}
	}
	// A container definition that is an expression (an !If on an unknown
	// condition) may be a container of the task: keep it, every field
	// unknown, so that its image is never taken as checked. Appended after
	// the others, whose order follows items (RewriteImages relies on it).
	for _, u := range unresolvedParts(cds) {
		td.Containers = append(td.Containers, Container{
			Name: stringOf(u), Image: stringOf(u), Essential: boolOf(u, true), Pos: u.pos,
		})
	}
	return td
}

func runtimePlatformOf(n *node) RuntimePlatform {
	if n.isNull() {
		return RuntimePlatform{}
	}
	if n.kind == kindUnresolved {
		// Both fields unknown, not absent: absent reads as X86_64 and LINUX.
		return RuntimePlatform{CPUArchitecture: stringOf(n), OperatingSystemFamily: stringOf(n), Pos: n.pos, Set: true}
	}
	return RuntimePlatform{
		CPUArchitecture:       stringOf(n.get("cpuArchitecture")),
		OperatingSystemFamily: stringOf(n.get("operatingSystemFamily")),
		Pos:                   n.pos,
		Set:                   true,
	}
}

// units reads task cpu or memory in any of the forms ECS accepts.
func (r *taskReader) units(parent *node, key string, parse func(string) (int, error)) Int {
	n := parent.get(key)
	v := intOf(n)
	if !v.Set || n.kind == kindUnresolved {
		return v
	}
	if r := placeholderReason(n.str); r != "" {
		v.Unresolved = r
		return v
	}
	if strings.TrimSpace(n.str) == "" {
		r.chk.warn(WarnEmptyValue, n.pos, key, "empty %s is treated as not set", key)
		return Int{}
	}
	units, err := parse(n.str)
	if err != nil {
		r.chk.errorf(n, key, "%v", err)
		return Int{}
	}
	v.Value, v.Unresolved = units, ""
	return v
}

func (r *taskReader) container(n *node) Container {
	c := Container{
		Name:                   stringOf(n.get("name")),
		Image:                  stringOf(n.get("image")),
		EntryPoint:             stringsOf(n.get("entryPoint")),
		Command:                stringsOf(n.get("command")),
		WorkingDirectory:       stringOf(n.get("workingDirectory")),
		User:                   stringOf(n.get("user")),
		Essential:              boolOf(n.get("essential"), true),
		ReadonlyRootFilesystem: boolOf(n.get("readonlyRootFilesystem"), false),
		Privileged:             boolOf(n.get("privileged"), false),
		Capabilities:           kernelCapabilitiesOf(n.get("linuxParameters")),
		CPU:                    intOf(n.get("cpu")),
		Memory:                 intOf(n.get("memory")),
		MemoryReservation:      intOf(n.get("memoryReservation")),
		Pos:                    n.pos,
	}
	if c.Image.Set && c.Image.Unresolved == "" && strings.TrimSpace(c.Image.Value) == "" {
		c.Image.Unresolved = "empty image"
	}
	c.Ignore = r.containerIgnore(n)
	if rc := n.get("repositoryCredentials"); rc != nil && rc.kind == kindMap {
		c.RepositoryCredentials = stringOf(rc.get("credentialsParameter"))
	} else if rc != nil && rc.kind == kindUnresolved {
		c.RepositoryCredentials = stringOf(rc) // some secret, or none: unknown
	}
	if rp := n.get("runtimePlatform"); rp != nil {
		c.RuntimePlatformMisplaced = n.keyPos("runtimePlatform")
		r.chk.warn(WarnRuntimePlatformInContainer, c.RuntimePlatformMisplaced, "runtimePlatform",
			"runtimePlatform inside a container definition is ignored by ECS; move it to the task definition")
	}
	// Entries that are expressions set unknown variables and secrets.
	for _, u := range unresolvedParts(n.get("environment")) {
		c.Environment = append(c.Environment, KeyValue{Name: stringOf(u), Value: stringOf(u)})
	}
	for _, u := range unresolvedParts(n.get("secrets")) {
		c.Secrets = append(c.Secrets, Secret{Name: stringOf(u), ValueFrom: stringOf(u)})
	}
	for _, e := range items(n.get("environment")) {
		c.Environment = append(c.Environment, KeyValue{Name: stringOf(e.get("name")), Value: stringOf(e.get("value"))})
	}
	for _, s := range items(n.get("secrets")) {
		c.Secrets = append(c.Secrets, Secret{Name: stringOf(s.get("name")), ValueFrom: stringOf(s.get("valueFrom"))})
	}
	for _, d := range items(n.get("dependsOn")) {
		c.DependsOn = append(c.DependsOn, Dependency{ContainerName: stringOf(d.get("containerName")), Condition: stringOf(d.get("condition"))})
	}
	// A mapping that is an expression may publish any port: keep it unknown.
	for _, u := range unresolvedParts(n.get("portMappings")) {
		c.PortMappings = append(c.PortMappings, PortMapping{ContainerPort: intOf(u), HostPort: intOf(u), Pos: u.pos})
	}
	for _, p := range items(n.get("portMappings")) {
		c.PortMappings = append(c.PortMappings, PortMapping{
			ContainerPort: intOf(p.get("containerPort")),
			HostPort:      intOf(p.get("hostPort")),
			Protocol:      stringOf(p.get("protocol")),
			Name:          stringOf(p.get("name")),
			AppProtocol:   stringOf(p.get("appProtocol")),
			Pos:           p.pos,
		})
	}
	if hc := n.get("healthCheck"); hc != nil && hc.kind == kindUnresolved {
		// Some health check, or none: its command is unknown.
		c.HealthCheck = &HealthCheck{Command: stringsOf(hc), Interval: intOf(hc), Timeout: intOf(hc),
			Retries: intOf(hc), StartPeriod: intOf(hc), Pos: hc.pos}
	} else if hc != nil && hc.kind == kindMap {
		c.HealthCheck = &HealthCheck{
			Command:     stringsOf(hc.get("command")),
			Interval:    intOf(hc.get("interval")),
			Timeout:     intOf(hc.get("timeout")),
			Retries:     intOf(hc.get("retries")),
			StartPeriod: intOf(hc.get("startPeriod")),
			Pos:         hc.pos,
		}
	}
	if lc := n.get("logConfiguration"); lc != nil && lc.kind == kindUnresolved {
		// Which driver, if any, is unknown: never read it as "no logging".
		c.LogConfiguration = &LogConfiguration{LogDriver: stringOf(lc), OptionsUnknown: stringOf(lc), Pos: lc.pos}
	} else if lc != nil && lc.kind == kindMap {
		c.LogConfiguration = &LogConfiguration{LogDriver: stringOf(lc.get("logDriver")), Pos: lc.pos}
		if opts := lc.get("options"); opts != nil && opts.kind == kindUnresolved {
			c.LogConfiguration.OptionsUnknown = stringOf(opts)
		} else if opts != nil && opts.kind == kindMap {
			c.LogConfiguration.Options = map[string]String{}
			for i, k := range opts.keys {
				c.LogConfiguration.Options[k.str] = stringOf(opts.vals[i])
			}
		}
	}
	return c
}

// kernelCapabilitiesOf reads linuxParameters.capabilities; nil when absent.
func kernelCapabilitiesOf(lp *node) *KernelCapabilities {
	if lp.isNull() {
		return nil
	}
	if lp.kind == kindUnresolved {
		return &KernelCapabilities{Pos: lp.pos, Unresolved: lp.unresolved}
	}
	caps := lp.get("capabilities")
	switch {
	case caps.isNull():
		return nil
	case caps.kind == kindUnresolved:
		return &KernelCapabilities{Pos: caps.pos, Unresolved: caps.unresolved}
	case caps.kind != kindMap:
		return &KernelCapabilities{Pos: caps.pos, Unresolved: "not an object"}
	}
	return &KernelCapabilities{Add: stringListOf(caps.get("add")), Drop: stringListOf(caps.get("drop")), Pos: caps.pos}
}

// unresolvedParts returns what of a list cannot be read: the list itself
// when it is an unresolved expression, else its unresolved items (an
// !If on an unknown condition). items skips those, so a caller whose
// rules must not take a missing entry for "none" adds one entry per part
// carrying the reason.
func unresolvedParts(n *node) []*node {
	if n == nil {
		return nil
	}
	if n.kind == kindUnresolved {
		return []*node{n}
	}
	var out []*node
	for _, it := range n.items {
		if it.kind == kindUnresolved {
			out = append(out, it)
		}
	}
	return out
}

// items returns the map items of a list node, skipping anything else.
func items(n *node) []*node {
	if n == nil || n.kind != kindSeq {
		return nil
	}
	out := make([]*node, 0, len(n.items))
	for _, it := range n.items {
		if it.kind == kindMap {
			out = append(out, it)
		}
	}
	return out
}
