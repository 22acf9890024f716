package runctest

// SetCapabilities gives the process the capabilities a container runtime
// gives a container's process: caps (OCI names, "CAP_NET_BIND_SERVICE")
// as its bounding, effective and permitted sets, none inheritable or
// ambient, as Docker (20.10.14 and later) and containerd (1.6.18 and
// later) set them.
func (b *Bundle) SetCapabilities(caps []string) {
	list := make([]any, len(caps))
	for i, c := range caps {
		list[i] = c
	}
	b.process()["capabilities"] = map[string]any{
		"bounding": list, "effective": list, "permitted": list,
		"inheritable": []any{}, "ambient": []any{},
	}
}

// SetNoNewPrivileges sets the process's no_new_privs flag. umoci's
// runtime configuration turns it on; Docker and containerd leave it off
// unless asked (ECS: dockerSecurityOptions no-new-privileges).
func (b *Bundle) SetNoNewPrivileges(on bool) {
	b.process()["noNewPrivileges"] = on
}
