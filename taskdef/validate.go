package taskdef

import (
	"fmt"
	"strconv"
	"strings"
)

// checker walks a node tree against a schema. It fills in the API name of
// every known key (node.canon), reports unknown keys and wrong types as
// errors, and collects warnings.
type checker struct {
	cfn   bool // CloudFormation: PascalCase keys, scalars coerced as CloudFormation does
	errs  Errors
	warns []Diagnostic
}

// cfnAliases maps CloudFormation property names (lower-cased) that differ
// from the API member name by more than case.
var cfnAliases = map[string]string{
	"proxyconfigurationproperties": "properties",
	"placementstrategies":          "placementStrategy",
}

func (c *checker) errorf(n *node, path, format string, args ...any) {
	if len(c.errs) < maxReportedErrors {
		c.errs = append(c.errs, &Error{Pos: n.pos, Key: path, Msg: fmt.Sprintf(format, args...)})
	}
}

func (c *checker) warn(code string, pos Pos, key, format string, args ...any) {
	c.warns = append(c.warns, Diagnostic{Code: code, Pos: pos, Key: key, Message: fmt.Sprintf(format, args...)})
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (c *checker) check(n *node, s *schema, path string) {
	if n.isNull() || n.kind == kindUnresolved || s.kind == schemaAny {
		return
	}
	switch s.kind {
	case schemaObject:
		c.checkObject(n, s, path)
	case schemaList:
		if n.kind != kindSeq {
			c.errorf(n, path, "want an array, got %s", describeNode(n))
			return
		}
		for i, item := range n.items {
			c.check(item, s.elem, fmt.Sprintf("%s[%d]", path, i))
		}
	case schemaMap:
		if n.kind != kindMap {
			c.errorf(n, path, "want an object, got %s", describeNode(n))
			return
		}
		n.canon = make([]string, len(n.keys))
		for i, k := range n.keys {
			n.canon[i] = k.str
			c.check(n.vals[i], s.elem, joinPath(path, k.str))
		}
	default:
		c.checkScalar(n, s, path)
	}
}

func (c *checker) checkObject(n *node, s *schema, path string) {
	if n.kind != kindMap {
		c.errorf(n, path, "want an object, got %s", describeNode(n))
		return
	}
	n.canon = make([]string, len(n.keys))
	seen := map[string]*node{}
	for i, k := range n.keys {
		name, ok := c.resolveKey(k, s, path)
		if !ok {
			continue
		}
		if first, dup := seen[name]; dup {
			c.errorf(k, joinPath(path, k.str), "same property as %s at %d:%d (keys differ only in case)", first.str, first.pos.Line, first.pos.Column)
			continue
		}
		seen[name] = k
		n.canon[i] = name
		c.check(n.vals[i], s.fields[name], joinPath(path, k.str))
	}
}

// resolveKey maps a key in the document to the API member name. The API is
// case-sensitive; CloudFormation documents PascalCase but its ECS handler has
// been seen (in AWS's own documentation) taking camelCase, so there any case
// is accepted with a warning when it is not the documented PascalCase.
func (c *checker) resolveKey(k *node, s *schema, path string) (string, bool) {
	key := k.str
	if !c.cfn {
		if _, ok := s.fields[key]; ok {
			return key, true
		}
		c.errorf(k, joinPath(path, key), "unknown key%s", didYouMean(key, s.names()))
		return "", false
	}
	name, ok := s.fold[strings.ToLower(key)]
	if !ok {
		if alias, isAlias := cfnAliases[strings.ToLower(key)]; isAlias {
			if _, exists := s.fields[alias]; exists {
				return alias, true
			}
		}
		c.errorf(k, joinPath(path, key), "unknown property%s", didYouMean(key, pascalNames(s)))
		return "", false
	}
	if key != upperFirst(name) {
		c.warn(WarnCloudFormationKeyCase, k.pos, joinPath(path, key), "CloudFormation documents this property as %s", upperFirst(name))
	}
	return name, true
}

func pascalNames(s *schema) []string {
	names := s.names()
	for i, n := range names {
		names[i] = upperFirst(n)
	}
	return names
}

func (c *checker) checkScalar(n *node, s *schema, path string) {
	if n.kind == kindMap || n.kind == kindSeq {
		c.errorf(n, path, "want %s, got %s", s.kind, describeNode(n))
		return
	}
	switch s.kind {
	case schemaString:
		if n.kind != kindString && !c.cfn {
			c.errorf(n, path, "want a string, got %s", describeNode(n))
			return
		}
		c.checkEnum(n, s, path)
	case schemaInt:
		if n.kind == kindString && !c.cfn {
			c.errorf(n, path, "want an integer, got string %q", n.str)
			return
		}
		if n.kind == kindString && placeholderReason(n.str) != "" {
			return
		}
		if n.kind == kindBool {
			c.errorf(n, path, "want an integer, got %s", describeNode(n))
			return
		}
		if _, err := strconv.ParseInt(strings.TrimSpace(n.str), 10, 64); err != nil {
			c.errorf(n, path, "want an integer, got %s", describeNode(n))
		}
	case schemaFloat:
		if n.kind == kindString && !c.cfn || n.kind == kindBool {
			c.errorf(n, path, "want a number, got %s", describeNode(n))
			return
		}
		if _, err := strconv.ParseFloat(n.str, 64); err != nil && placeholderReason(n.str) == "" {
			c.errorf(n, path, "want a number, got %s", describeNode(n))
		}
	case schemaBool:
		if n.kind == kindBool {
			return
		}
		if c.cfn && n.kind == kindString && (n.str == "true" || n.str == "false") {
			return
		}
		c.errorf(n, path, "want a boolean (true or false), got %s", describeNode(n))
	case schemaTimestamp:
		if n.kind != kindString && n.kind != kindNumber {
			c.errorf(n, path, "want a timestamp, got %s", describeNode(n))
		}
	case schemaCPUOrMemory:
		if n.kind != kindString && n.kind != kindNumber {
			c.errorf(n, path, "want a string or a number, got %s", describeNode(n))
		}
	}
}

// checkEnum accepts the enum values the SDK knows; a value that differs only
// in case is a warning (seen in real files, e.g. cpuArchitecture "arm64").
func (c *checker) checkEnum(n *node, s *schema, path string) {
	if len(s.enum) == 0 || n.kind != kindString || n.str == "" || placeholderReason(n.str) != "" {
		return
	}
	for _, v := range s.enum {
		if v == n.str {
			return
		}
	}
	for _, v := range s.enum {
		if strings.EqualFold(v, n.str) {
			c.warn(WarnEnumCase, n.pos, path, "ECS expects %q, not %q", v, n.str)
			return
		}
	}
	c.errorf(n, path, "unknown value %q%s; valid values: %s", n.str, didYouMean(n.str, s.enum), strings.Join(s.enum, ", "))
}

func describeNode(n *node) string {
	switch n.kind {
	case kindString:
		return fmt.Sprintf("string %q", truncate(n.str, 60))
	case kindNumber, kindBool:
		return fmt.Sprintf("%s %s", n.kind, n.str)
	default:
		return n.kind.String()
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
