package koconfig

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/imgcheck/imgcheck/image/filecap"
)

// parseCapabilities turns builds[].linux_capabilities into the file
// capabilities ko writes on the binary, with ko's rules
// (docs/advanced/linux-capabilities.md of ko, and its pkg/caps):
//
//   - a term without +, - or = is one capability, made permitted only
//     ("net_bind_service" is cap_net_bind_service=p);
//   - otherwise the term is a setcap clause: capabilities separated by
//     commas (none before "=" means all), then actions: "=" clears them,
//     "+" and "-" raise or lower them in the sets named by the following
//     letters, e (effective), i (inheritable), p (permitted);
//   - a capability is a name in any case with or without CAP_, ALL (every
//     capability Linux knows), or a number 0-63;
//   - the effective bit is set when any capability ends up effective.
//
// ok is false when the terms leave nothing permitted or inheritable: ko
// then writes no attribute.
func parseCapabilities(terms []string) (caps filecap.Caps, ok bool, err error) {
	var permitted, inheritable, effective filecap.Set
	for _, term := range terms {
		i := strings.IndexAny(term, "+-=")
		if i < 0 {
			s, err := parseCapability(term)
			if err != nil {
				return filecap.Caps{}, false, err
			}
			permitted |= s
			continue
		}
		names, actions := term[:i], term[i:]
		if names == "" && actions[0] == '=' {
			names = "all"
		}
		var mask filecap.Set
		for n := range strings.SplitSeq(names, ",") {
			s, err := parseCapability(n)
			if err != nil {
				return filecap.Caps{}, false, fmt.Errorf("%q: %w", term, err)
			}
			mask |= s
		}
		var keep filecap.Set // what the current operator lets through
		for _, a := range actions {
			switch a {
			case '+':
				keep = ^filecap.Set(0)
			case '-':
				keep = ^mask
			case '=':
				keep = ^filecap.Set(0)
				permitted &^= mask
				inheritable &^= mask
				effective &^= mask
			case 'p':
				permitted = (permitted | mask) & keep
			case 'i':
				inheritable = (inheritable | mask) & keep
			case 'e':
				effective = (effective | mask) & keep
			default:
				return filecap.Caps{}, false, fmt.Errorf("%q: unknown flag %q (want e, i or p)", term, a)
			}
		}
	}
	if permitted == 0 && inheritable == 0 {
		return filecap.Caps{}, false, nil
	}
	return filecap.Caps{Revision: 2, Effective: effective != 0, Permitted: permitted, Inheritable: inheritable}, true, nil
}

// parseCapability reads one capability of a term: a number 0-63, ALL, or a
// name.
func parseCapability(s string) (filecap.Set, error) {
	if n, err := strconv.ParseUint(s, 10, 6); err == nil {
		return filecap.Of(int(n)), nil
	}
	if strings.EqualFold(s, "all") {
		return filecap.Known, nil
	}
	c, err := filecap.ParseName(s)
	if err != nil || s == "" || strings.TrimSpace(s) != s {
		return 0, fmt.Errorf("unknown capability %q", s)
	}
	return filecap.Of(c), nil
}

// capabilities reads builds[].linux_capabilities: a list, or one string
// split at white space (ko's FlagArray).
func (p parser) capabilities(label string, v *yaml.Node, b *Build) error {
	terms, err := p.list(label, v, fields)
	if err != nil {
		return err
	}
	caps, ok, err := parseCapabilities(terms)
	if err != nil {
		return p.errorf(v, label, "%v", err)
	}
	b.LinuxCapabilities = terms
	if ok {
		b.FileCaps = &caps
	}
	return nil
}
