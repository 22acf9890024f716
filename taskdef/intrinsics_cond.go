package taskdef

import "fmt"

// Conditions and mappings: Fn::If, Fn::FindInMap and the condition
// functions are evaluated when every input is known (parameter values and
// defaults); otherwise the value is unresolved, never a guess. A task whose
// cpuArchitecture is !If [IsArm, ARM64, X86_64] runs ARM64 when IsArm holds:
// assuming either branch could pass an image that will not start.

// maxConditionDepth bounds nested condition evaluation (Condition names
// referring to each other form at most a chain this long).
const maxConditionDepth = 64

// condition is the outcome of evaluating a condition: known or, when not,
// why not.
type condition struct {
	value bool
	why   string // non-empty: the value is not known statically
}

func (r *cfnResolver) ifThen(arg, site *node) (*node, bool) {
	if arg.kind != kindSeq || len(arg.items) != 3 || arg.items[0].kind != kindString {
		return unresolvedAt(site, "Fn::If takes [condition name, value if true, value if false]"), false
	}
	c := r.namedCondition(arg.items[0].str, 0)
	if c.why != "" {
		return unresolvedAt(site, fmt.Sprintf("Fn::If on condition %s: %s", arg.items[0].str, c.why)), false
	}
	branch := arg.items[2]
	if c.value {
		branch = arg.items[1]
	}
	out, remove := r.resolve(branch)
	if out == nil || remove {
		return out, remove
	}
	cp := *out
	cp.pos, cp.start, cp.end, cp.fromExpr = site.pos, site.start, site.end, true
	return &cp, false
}

func (r *cfnResolver) namedCondition(name string, depth int) condition {
	if r.conditions == nil || r.conditions.getRaw(name) == nil {
		return condition{why: fmt.Sprintf("the template defines no condition %s", name)}
	}
	if depth > maxConditionDepth {
		return condition{why: fmt.Sprintf("condition %s nests deeper than %d (a cycle?)", name, maxConditionDepth)}
	}
	return r.evalCondition(r.conditions.getRaw(name), depth+1)
}

// evalCondition evaluates Fn::Equals, Fn::Not, Fn::And, Fn::Or and
// Condition references.
func (r *cfnResolver) evalCondition(n *node, depth int) condition {
	if n == nil {
		return condition{why: "empty condition"}
	}
	if n.kind == kindMap && len(n.keys) == 1 && n.keys[0].str == "Condition" && n.vals[0].kind == kindString {
		return r.namedCondition(n.vals[0].str, depth)
	}
	if n.kind == kindBool {
		return condition{value: n.str == "true"}
	}
	fn, arg := intrinsicName(n)
	switch fn {
	case "Condition":
		if arg.kind != kindString {
			return condition{why: "Condition takes a name"}
		}
		return r.namedCondition(arg.str, depth)
	case "Fn::Equals":
		if arg.kind != kindSeq || len(arg.items) != 2 {
			return condition{why: "Fn::Equals takes two values"}
		}
		a, why := r.scalar(arg.items[0])
		if why != "" {
			return condition{why: why}
		}
		b, why := r.scalar(arg.items[1])
		if why != "" {
			return condition{why: why}
		}
		return condition{value: a == b}
	case "Fn::Not":
		if arg.kind != kindSeq || len(arg.items) != 1 {
			return condition{why: "Fn::Not takes one condition"}
		}
		c := r.evalCondition(arg.items[0], depth+1)
		c.value = !c.value
		return c
	case "Fn::And", "Fn::Or":
		if arg.kind != kindSeq || len(arg.items) < 2 || len(arg.items) > 10 {
			return condition{why: fn + " takes 2 to 10 conditions"}
		}
		and := fn == "Fn::And"
		for _, it := range arg.items {
			c := r.evalCondition(it, depth+1)
			if c.why != "" {
				return c
			}
			if c.value != and {
				return condition{value: !and}
			}
		}
		return condition{value: and}
	}
	return condition{why: fmt.Sprintf("%s is not a condition function", truncate(flowText(n), 60))}
}

// scalar resolves n to a string, or says why it is not known.
func (r *cfnResolver) scalar(n *node) (string, string) {
	v, _ := r.resolve(n)
	switch {
	case v == nil:
		return "", "a value is AWS::NoValue"
	case v.kind == kindString || v.kind == kindNumber || v.kind == kindBool:
		return v.str, ""
	case v.kind == kindUnresolved:
		return "", v.unresolved
	}
	return "", fmt.Sprintf("%s is not a single value", truncate(flowText(v), 60))
}

func (r *cfnResolver) findInMap(arg, site *node) *node {
	if arg.kind != kindSeq || len(arg.items) < 3 {
		return unresolvedAt(site, "Fn::FindInMap takes [map name, top-level key, second-level key]")
	}
	var keys [3]string
	for i := range keys {
		k, why := r.scalar(arg.items[i])
		if why != "" {
			return unresolvedAt(site, "Fn::FindInMap: "+why)
		}
		keys[i] = k
	}
	m := r.mappings.getRaw(keys[0])
	if m == nil {
		return unresolvedAt(site, fmt.Sprintf("Fn::FindInMap: the template has no mapping %s", keys[0]))
	}
	v := m.getRaw(keys[1]).getRaw(keys[2])
	if v == nil {
		return unresolvedAt(site, fmt.Sprintf("Fn::FindInMap: mapping %s has no %s.%s (the deployment would fail)", keys[0], keys[1], keys[2]))
	}
	cp := *v
	cp.pos, cp.start, cp.end, cp.fromExpr = site.pos, site.start, site.end, true
	return &cp
}
