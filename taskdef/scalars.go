package taskdef

import (
	"strconv"
	"strings"
)

// Converters from checked nodes to model values. The checker has already
// rejected wrong types, so these only decide between set, unset, resolved
// and unresolved.

func stringOf(n *node) String {
	if n.isNull() {
		return String{}
	}
	s := String{Pos: n.pos, Set: true}
	switch n.kind {
	case kindUnresolved:
		s.Value, s.Unresolved, s.StackResource = n.str, n.unresolved, n.stackResource
	case kindString, kindNumber, kindBool:
		s.Value = n.str
		if n.kind == kindString {
			s.Unresolved = placeholderReason(n.str)
		}
	default:
		s.Unresolved = "not a scalar value"
	}
	return s
}

func intOf(n *node) Int {
	if n.isNull() {
		return Int{}
	}
	i := Int{Pos: n.pos, Set: true, Raw: n.str}
	if n.kind == kindUnresolved {
		i.Unresolved = n.unresolved
		return i
	}
	if r := placeholderReason(n.str); n.kind == kindString && r != "" {
		i.Unresolved = r
		return i
	}
	v, err := strconv.Atoi(strings.TrimSpace(n.str))
	if err != nil {
		i.Unresolved = "not an integer: " + truncate(n.str, 40)
		return i
	}
	i.Value = v
	return i
}

func boolOf(n *node, def bool) Bool {
	if n.isNull() {
		return Bool{Value: def}
	}
	b := Bool{Pos: n.pos, Set: true, Value: def}
	if n.kind == kindUnresolved {
		b.Unresolved = n.unresolved
		return b
	}
	b.Value = n.str == "true"
	return b
}

func stringsOf(n *node) Strings {
	if n.isNull() {
		return Strings{}
	}
	s := Strings{Pos: n.pos, Set: true}
	if n.kind == kindUnresolved {
		s.Unresolved = n.unresolved
		return s
	}
	s.Values = []string{}
	for _, item := range n.items {
		if item.kind == kindUnresolved {
			s.Unresolved = item.unresolved
			continue
		}
		s.Values = append(s.Values, item.str)
	}
	return s
}

func stringListOf(n *node) []String {
	if n.isNull() || n.kind != kindSeq {
		if n != nil && n.kind == kindUnresolved {
			return []String{stringOf(n)}
		}
		return nil
	}
	out := make([]String, 0, len(n.items))
	for _, item := range n.items {
		out = append(out, stringOf(item))
	}
	return out
}
