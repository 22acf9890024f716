package taskdef

import (
	"fmt"
	"regexp"
	"strings"
)

// The ECS cluster query language, as far as it decides the CPU
// architecture of the instance a task is placed on. An expression is
// evaluated once per architecture with three-valued logic: attributes other
// than ecs.cpu-architecture (and the architecture implied by an exact
// ecs.instance-type) are unknown, so "unknown" means an instance of that
// architecture may satisfy it.

// CPU architectures as ECS names them in runtimePlatform.
const (
	ArchX86_64 = "X86_64"
	ArchARM64  = "ARM64"
)

// archAttribute is the value of attribute:ecs.cpu-architecture.
var archAttribute = map[string]string{ArchX86_64: "x86_64", ArchARM64: "arm64"}

// Bounds for hostile expressions (ECS allows 2000 characters).
const (
	maxExpressionLen   = 2000
	maxExpressionDepth = 32
)

type tri int

const (
	triFalse tri = iota
	triUnknown
	triTrue
)

func (a tri) and(b tri) tri { return min(a, b) }
func (a tri) or(b tri) tri  { return max(a, b) }
func (a tri) not() tri      { return triTrue - a }

// Architectures says which CPU architectures (ArchX86_64, ArchARM64) an
// instance satisfying the constraint may have. distinctInstance allows
// both. An expression that cannot be read is an error.
func (c PlacementConstraint) Architectures() ([]string, error) {
	if !c.Type.Known() {
		return nil, fmt.Errorf("placement constraint at %s is not known (%s)", c.Pos, c.Type.Unresolved)
	}
	if !strings.EqualFold(c.Type.Value, "memberOf") {
		return []string{ArchX86_64, ArchARM64}, nil
	}
	if !c.Expression.Known() {
		if c.Expression.Set {
			return nil, fmt.Errorf("placement constraint expression at %s is not known (%s)", c.Expression.Pos, c.Expression.Unresolved)
		}
		return nil, fmt.Errorf("memberOf placement constraint at %s has no expression", c.Pos)
	}
	return ExpressionArchitectures(c.Expression.Value)
}

// ExpressionArchitectures evaluates a memberOf expression per architecture.
func ExpressionArchitectures(expr string) ([]string, error) {
	if len(expr) > maxExpressionLen {
		return nil, fmt.Errorf("placement expression is longer than %d characters", maxExpressionLen)
	}
	toks, err := lexExpression(expr)
	if err != nil {
		return nil, fmt.Errorf("placement expression %q: %w", expr, err)
	}
	var out []string
	for _, arch := range []string{ArchX86_64, ArchARM64} {
		p := &exprParser{toks: toks, arch: arch}
		v, err := p.or(0)
		if err == nil && p.i < len(p.toks) {
			err = fmt.Errorf("unexpected %q", p.toks[p.i])
		}
		if err != nil {
			return nil, fmt.Errorf("placement expression %q: %w", expr, err)
		}
		if v != triFalse {
			out = append(out, arch)
		}
	}
	return out, nil
}

func lexExpression(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.ContainsRune("()[],", rune(c)):
			toks = append(toks, string(c))
			i++
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()[],", rune(s[j])) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("empty expression")
	}
	return toks, nil
}

type exprParser struct {
	toks []string
	i    int
	arch string
}

func (p *exprParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *exprParser) next() (string, error) {
	if p.i >= len(p.toks) {
		return "", fmt.Errorf("unexpected end")
	}
	p.i++
	return p.toks[p.i-1], nil
}

func (p *exprParser) or(depth int) (tri, error) {
	v, err := p.and(depth)
	for err == nil && strings.EqualFold(p.peek(), "or") {
		p.i++
		var w tri
		w, err = p.and(depth)
		v = v.or(w)
	}
	return v, err
}

func (p *exprParser) and(depth int) (tri, error) {
	v, err := p.term(depth)
	for err == nil && strings.EqualFold(p.peek(), "and") {
		p.i++
		var w tri
		w, err = p.term(depth)
		v = v.and(w)
	}
	return v, err
}

func (p *exprParser) term(depth int) (tri, error) {
	if depth > maxExpressionDepth {
		return triUnknown, fmt.Errorf("nested deeper than %d", maxExpressionDepth)
	}
	switch tok := p.peek(); {
	case tok == "(":
		p.i++
		v, err := p.or(depth + 1)
		if err != nil {
			return v, err
		}
		if t, err := p.next(); err != nil || t != ")" {
			return v, fmt.Errorf("missing )")
		}
		return v, nil
	case strings.EqualFold(tok, "not"), tok == "!":
		p.i++
		v, err := p.term(depth + 1)
		return v.not(), err
	}
	return p.comparison()
}

func (p *exprParser) comparison() (tri, error) {
	subject, err := p.next()
	if err != nil {
		return triUnknown, err
	}
	if strings.ContainsAny(subject, "()[],") {
		return triUnknown, fmt.Errorf("unexpected %q", subject)
	}
	op, err := p.next()
	if err != nil {
		return triUnknown, fmt.Errorf("%s: missing operator", subject)
	}
	op = strings.ToLower(op)
	switch op {
	case "exists", "!exists", "not_exists":
		if isArchSubject(subject) {
			return triOf(op == "exists"), nil
		}
		return triUnknown, nil
	case "in", "not_in":
		list, err := p.list()
		if err != nil {
			return triUnknown, err
		}
		v := p.member(subject, list)
		if op == "not_in" {
			v = v.not()
		}
		return v, nil
	case "==", "equals", "!=", "not_equals", "=~", "matches", "!~", "not_matches":
		val, err := p.next()
		if err != nil || strings.ContainsAny(val, "()[],") {
			return triUnknown, fmt.Errorf("%s %s: missing value", subject, op)
		}
		var v tri
		switch op {
		case "==", "equals", "!=", "not_equals":
			v = p.member(subject, []string{val})
		default:
			v = p.matches(subject, val)
		}
		if strings.HasPrefix(op, "!") || strings.HasPrefix(op, "not_") {
			v = v.not()
		}
		return v, nil
	}
	return triUnknown, fmt.Errorf("unknown operator %q after %s", op, subject)
}

func (p *exprParser) list() ([]string, error) {
	if t, err := p.next(); err != nil || t != "[" {
		return nil, fmt.Errorf("in: want [values]")
	}
	var vals []string
	for {
		t, err := p.next()
		if err != nil {
			return nil, fmt.Errorf("unterminated [")
		}
		switch t {
		case "]":
			return vals, nil
		case ",":
		case "(", ")", "[":
			return nil, fmt.Errorf("unexpected %q in a list", t)
		default:
			vals = append(vals, t)
		}
	}
}

func isArchSubject(s string) bool {
	return strings.EqualFold(s, "attribute:ecs.cpu-architecture")
}

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// member: is the subject's value one of vals, for an instance of p.arch?
func (p *exprParser) member(subject string, vals []string) tri {
	switch {
	case isArchSubject(subject):
		for _, v := range vals {
			if strings.EqualFold(v, archAttribute[p.arch]) {
				return triTrue
			}
		}
		return triFalse
	case strings.EqualFold(subject, "attribute:ecs.instance-type"):
		for _, v := range vals {
			if instanceTypeArch(v) == p.arch {
				return triUnknown // the instance may be exactly that type
			}
		}
		return triFalse
	}
	return triUnknown
}

func (p *exprParser) matches(subject, pattern string) tri {
	if !isArchSubject(subject) {
		return triUnknown
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return triUnknown
	}
	return triOf(re.MatchString(archAttribute[p.arch]))
}

// gravitonFamily matches EC2 instance families with AWS Graviton (arm64)
// processors: a digit generation followed by "g" (m6g, c7gn, t4g, r8gd,
// x2gd, im4gn, is4gen, hpc7g, g5g).
var gravitonFamily = regexp.MustCompile(`^[a-z]+[0-9]+g[a-z]*$`)

// instanceTypeArch is the architecture of an EC2 instance type such as
// "m6g.large" ("" when the family says nothing, e.g. a wildcard).
func instanceTypeArch(t string) string {
	family, _, ok := strings.Cut(strings.ToLower(t), ".")
	if !ok || strings.ContainsAny(family, "*?") {
		return ""
	}
	if family == "a1" || gravitonFamily.MatchString(family) {
		return ArchARM64
	}
	return ArchX86_64
}
