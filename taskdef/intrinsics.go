package taskdef

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// cfnResolver evaluates the CloudFormation expressions whose value is known
// before deployment: Ref to a parameter (value from --param, else Default),
// pseudo parameters given with --param, Fn::Sub over those, and Fn::Join /
// Fn::Select over resolved parts. Everything else becomes an unresolved
// node carrying the expression text.
type cfnResolver struct {
	params    map[string]string
	paramDefs map[string]*node // Parameters section entries
	resources map[string]string
	// conditions and mappings are the template's Conditions and Mappings
	// sections (nil when absent).
	conditions *node
	mappings   *node
}

// intrinsicName returns the function name of an intrinsic in long form
// ({"Fn::Sub": ...}, {"Ref": ...}) or short form (!Sub ...), or "".
func intrinsicName(n *node) (string, *node) {
	if n.tag != "" {
		name := strings.TrimPrefix(n.tag, "!")
		if name != "Ref" && name != "Condition" {
			name = "Fn::" + name
		}
		arg := *n
		arg.tag = ""
		return name, &arg
	}
	if n.kind == kindMap && len(n.keys) == 1 {
		k := n.keys[0].str
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, n.vals[0]
		}
	}
	return "", nil
}

// resolve returns n with every expression evaluated or marked unresolved.
// remove is true for Ref AWS::NoValue, which deletes the enclosing key.
func (r *cfnResolver) resolve(n *node) (out *node, remove bool) {
	if n == nil {
		return nil, false
	}
	if fn, arg := intrinsicName(n); fn != "" {
		return r.eval(fn, arg, n)
	}
	switch n.kind {
	case kindMap:
		c := *n
		c.keys, c.vals = nil, nil
		for i, k := range n.keys {
			v, rm := r.resolve(n.vals[i])
			if rm {
				continue
			}
			c.keys = append(c.keys, k)
			c.vals = append(c.vals, v)
		}
		return &c, false
	case kindSeq:
		c := *n
		c.items = []*node{}
		for _, it := range n.items {
			v, rm := r.resolve(it)
			if !rm {
				c.items = append(c.items, v)
			}
		}
		return &c, false
	}
	return n, false
}

func unresolvedAt(site *node, reason string) *node {
	return &node{kind: kindUnresolved, str: exprText(site), unresolved: reason, pos: site.pos, start: site.start, end: site.end, fromExpr: true}
}

func (r *cfnResolver) eval(fn string, arg, site *node) (*node, bool) {
	switch fn {
	case "Ref":
		if arg.kind != kindString {
			return unresolvedAt(site, "Ref takes a name"), false
		}
		return r.ref(arg.str, site)
	case "Fn::Sub":
		return r.sub(arg, site), false
	case "Fn::Join":
		return r.join(arg, site), false
	case "Fn::Select":
		return r.selectItem(arg, site), false
	case "Fn::If":
		return r.ifThen(arg, site)
	case "Fn::FindInMap":
		return r.findInMap(arg, site), false
	}
	u := unresolvedAt(site, fmt.Sprintf("%s %s is only known after deployment", fn, truncate(flowText(arg), 80)))
	if fn == "Fn::GetAtt" {
		if res := getAttResource(arg); r.resources[res] != "" {
			u.stackResource = res
		}
	}
	return u, false
}

// getAttResource is the logical id Fn::GetAtt reads: "Res.Attr" or
// [Res, Attr].
func getAttResource(arg *node) string {
	switch {
	case arg.kind == kindString:
		res, _, _ := strings.Cut(arg.str, ".")
		return res
	case arg.kind == kindSeq && len(arg.items) > 0 && arg.items[0].kind == kindString:
		return arg.items[0].str
	}
	return ""
}

func (r *cfnResolver) ref(name string, site *node) (*node, bool) {
	if name == "AWS::NoValue" {
		return nil, true
	}
	if v, ok := r.params[name]; ok {
		return r.paramNode(name, v, site), false
	}
	if strings.HasPrefix(name, "AWS::") {
		return unresolvedAt(site, fmt.Sprintf("pseudo parameter %s is only known at deployment and no value was given", name)), false
	}
	if def, ok := r.paramDefs[name]; ok {
		d := def.getRaw("Default")
		if d.isNull() {
			return unresolvedAt(site, fmt.Sprintf("parameter %s has no Default and no value was given", name)), false
		}
		if d.kind == kindString || d.kind == kindNumber || d.kind == kindBool {
			return r.paramNode(name, d.str, site), false
		}
		c := *d
		c.pos, c.start, c.end, c.fromExpr = site.pos, site.start, site.end, true
		return &c, false
	}
	if _, ok := r.resources[name]; ok {
		u := unresolvedAt(site, fmt.Sprintf("Ref to resource %s is only known after deployment", name))
		u.refTarget, u.stackResource = name, name
		return u, false
	}
	return unresolvedAt(site, fmt.Sprintf("Ref to %s, which is neither a parameter nor a resource of this template", name)), false
}

// paramNode makes a value node for a parameter value, typed by the
// parameter's declared Type.
func (r *cfnResolver) paramNode(name, value string, site *node) *node {
	n := &node{kind: kindString, str: value, pos: site.pos, start: site.start, end: site.end, fromExpr: true}
	typ := ""
	if def, ok := r.paramDefs[name]; ok {
		if t := def.getRaw("Type"); t != nil {
			typ = t.str
		}
	}
	switch {
	case typ == "Number":
		if _, err := strconv.ParseFloat(value, 64); err == nil {
			n.kind = kindNumber
		}
	case typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<"):
		n.kind, n.str, n.items = kindSeq, "", []*node{}
		for _, part := range strings.Split(value, ",") {
			n.items = append(n.items, &node{kind: kindString, str: strings.TrimSpace(part), pos: site.pos, fromExpr: true})
		}
	}
	return n
}

var subVarRe = regexp.MustCompile(`\$\{([^}]*)\}`)

func (r *cfnResolver) sub(arg, site *node) *node {
	tmpl, vars := arg, (*node)(nil)
	if arg.kind == kindSeq && len(arg.items) == 2 {
		tmpl, vars = arg.items[0], arg.items[1]
	}
	if tmpl.kind != kindString {
		return unresolvedAt(site, "Fn::Sub takes a string")
	}
	var missing []string
	out := subVarRe.ReplaceAllStringFunc(tmpl.str, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		if vars != nil {
			if v := vars.getRaw(name); v != nil {
				rv, _ := r.resolve(v)
				if rv != nil && (rv.kind == kindString || rv.kind == kindNumber) {
					return rv.str
				}
				missing = append(missing, m)
				return m
			}
		}
		rv, _ := r.ref(name, site)
		if rv != nil && (rv.kind == kindString || rv.kind == kindNumber) {
			return rv.str
		}
		missing = append(missing, m)
		return m
	})
	if len(missing) > 0 {
		return unresolvedAt(site, fmt.Sprintf("Fn::Sub: %s is only known after deployment or needs a parameter value", strings.Join(missing, ", ")))
	}
	return &node{kind: kindString, str: out, pos: site.pos, start: site.start, end: site.end, fromExpr: true}
}

func (r *cfnResolver) join(arg, site *node) *node {
	if arg.kind != kindSeq || len(arg.items) != 2 || arg.items[0].kind != kindString {
		return unresolvedAt(site, "Fn::Join takes [delimiter, [values]]")
	}
	list, _ := r.resolve(arg.items[1])
	if list == nil || list.kind != kindSeq {
		return unresolvedAt(site, "Fn::Join over a list that is only known after deployment")
	}
	parts := make([]string, 0, len(list.items))
	for _, it := range list.items {
		if it.kind != kindString && it.kind != kindNumber {
			return unresolvedAt(site, fmt.Sprintf("Fn::Join: part %s is only known after deployment", truncate(exprText(it), 60)))
		}
		parts = append(parts, it.str)
	}
	return &node{kind: kindString, str: strings.Join(parts, arg.items[0].str), pos: site.pos, start: site.start, end: site.end, fromExpr: true}
}

func (r *cfnResolver) selectItem(arg, site *node) *node {
	if arg.kind != kindSeq || len(arg.items) != 2 {
		return unresolvedAt(site, "Fn::Select takes [index, list]")
	}
	idx, _ := r.resolve(arg.items[0])
	list, _ := r.resolve(arg.items[1])
	if idx == nil || list == nil || list.kind != kindSeq || (idx.kind != kindNumber && idx.kind != kindString) {
		return unresolvedAt(site, "Fn::Select over a list that is only known after deployment")
	}
	i, err := strconv.Atoi(idx.str)
	if err != nil || i < 0 || i >= len(list.items) {
		return unresolvedAt(site, fmt.Sprintf("Fn::Select index %s is out of range", idx.str))
	}
	c := *list.items[i]
	c.pos, c.start, c.end, c.fromExpr = site.pos, site.start, site.end, true
	return &c
}

// exprText renders an expression compactly for messages, e.g.
// "!GetAtt Role.Arn" or "Fn::ImportValue {Fn::Join: [:, [...]]}".
func exprText(n *node) string {
	if n.kind == kindUnresolved {
		return n.str
	}
	return truncate(flowText(n), 120)
}

func flowText(n *node) string {
	prefix := ""
	if n.tag != "" {
		prefix = n.tag + " "
	}
	switch n.kind {
	case kindMap:
		parts := make([]string, len(n.keys))
		for i, k := range n.keys {
			parts[i] = k.str + ": " + flowText(n.vals[i])
		}
		return prefix + "{" + strings.Join(parts, ", ") + "}"
	case kindSeq:
		parts := make([]string, len(n.items))
		for i, it := range n.items {
			parts[i] = flowText(it)
		}
		return prefix + "[" + strings.Join(parts, ", ") + "]"
	case kindNull:
		return prefix + "null"
	default:
		return prefix + n.str
	}
}
