package taskdef

import (
	"fmt"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// maxAliasNodes bounds the values produced by following YAML aliases, so
// that an alias bomb ("billion laughs") fails fast instead of exhausting
// memory. Templates rarely use aliases at all; without them the node count
// is bounded by the input size.
const maxAliasNodes = 10_000

// parseYAML reads a YAML document (in practice a CloudFormation template)
// into a node tree. Custom tags such as !Ref are kept on the node.
func parseYAML(file string, data []byte) (*node, error) {
	li := newLineIndex(file, data)
	// yaml.v3 takes quadratic time on deeply nested flow collections, so
	// bound the nesting before it parses.
	if off := flowDepthExceeded(data, maxDepth); off >= 0 {
		return nil, &Error{Pos: li.pos(off), Msg: fmt.Sprintf("nesting deeper than %d levels", maxDepth)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{Pos: yamlErrorPos(file, err), Msg: "invalid YAML: " + err.Error()}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &Error{Pos: Pos{File: file, Line: 1, Column: 1}, Msg: "empty document"}
	}
	c := &yamlConverter{li: li}
	return c.convert(doc.Content[0], 0)
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

func yamlErrorPos(file string, err error) Pos {
	p := Pos{File: file, Line: 1, Column: 1}
	if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
		if l, convErr := strconv.Atoi(m[1]); convErr == nil {
			p.Line = l
		}
	}
	return p
}

type yamlConverter struct {
	li         *lineIndex
	aliasDepth int // > 0 while converting the target of an alias
	aliased    int // values produced through aliases so far
}

func (c *yamlConverter) convert(y *yaml.Node, depth int) (*node, error) {
	pos := Pos{File: c.li.file, Line: y.Line, Column: y.Column}
	if c.aliasDepth > 0 {
		c.aliased++
		if c.aliased > maxAliasNodes {
			return nil, &Error{Pos: pos, Msg: fmt.Sprintf("aliases expand to more than %d values (alias bomb?)", maxAliasNodes)}
		}
	}
	if depth > maxDepth {
		return nil, &Error{Pos: pos, Msg: fmt.Sprintf("nesting deeper than %d levels", maxDepth)}
	}
	if y.Kind == yaml.AliasNode {
		if y.Alias == nil {
			return nil, &Error{Pos: pos, Msg: "unknown YAML alias"}
		}
		c.aliasDepth++
		defer func() { c.aliasDepth-- }()
		return c.convert(y.Alias, depth+1)
	}
	n := &node{pos: pos, start: c.li.offset(y.Line, y.Column), end: -1, yamlStyle: int(y.Style)}
	if y.Tag != "" && y.Tag[0] == '!' && (len(y.Tag) < 2 || y.Tag[1] != '!') {
		n.tag = y.Tag
	}
	switch y.Kind {
	case yaml.MappingNode:
		n.kind = kindMap
		seen := map[string]Pos{}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, &Error{Pos: Pos{File: c.li.file, Line: k.Line, Column: k.Column}, Msg: "mapping key must be a scalar"}
			}
			kn := &node{kind: kindString, str: k.Value, pos: Pos{File: c.li.file, Line: k.Line, Column: k.Column}, end: -1}
			if k.Value == "<<" && k.Tag == "!!merge" {
				return nil, &Error{Pos: kn.pos, Key: "<<", Msg: "YAML merge keys are not supported"}
			}
			if first, dup := seen[k.Value]; dup {
				return nil, &Error{Pos: kn.pos, Key: k.Value, Msg: fmt.Sprintf("duplicate key (first at %d:%d)", first.Line, first.Column)}
			}
			seen[k.Value] = kn.pos
			vn, err := c.convert(v, depth+1)
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, kn)
			n.vals = append(n.vals, vn)
		}
	case yaml.SequenceNode:
		n.kind = kindSeq
		n.items = []*node{}
		for _, item := range y.Content {
			in, err := c.convert(item, depth+1)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, in)
		}
	case yaml.ScalarNode:
		n.str = y.Value
		switch y.ShortTag() {
		case "!!int", "!!float":
			n.kind = kindNumber
		case "!!bool":
			n.kind = kindBool
			n.str = strconv.FormatBool(y.Value == "true" || y.Value == "True" || y.Value == "TRUE")
		case "!!null":
			n.kind = kindNull
		default: // !!str, !!timestamp, !!binary and custom tags keep their text
			n.kind = kindString
		}
	default:
		return nil, &Error{Pos: pos, Msg: "unsupported YAML node"}
	}
	return n, nil
}

// flowDepthExceeded returns the offset of the first [ or { that opens more
// than limit nested flow collections, or -1. Quoted scalars and comments
// are skipped; brackets inside plain or block scalars count, which only
// matters for text with more than limit unclosed brackets.
func flowDepthExceeded(data []byte, limit int) int {
	depth := 0
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '"', '\'':
			if i > 0 && isPlainChar(data[i-1]) {
				continue // an apostrophe inside a plain scalar
			}
			for i++; i < len(data) && data[i] != c; i++ {
				if c == '"' && data[i] == '\\' {
					i++
				}
			}
		case '#':
			if i == 0 || data[i-1] == ' ' || data[i-1] == '\t' || data[i-1] == '\n' {
				for i < len(data) && data[i] != '\n' {
					i++
				}
			}
		case '[', '{':
			depth++
			if depth > limit {
				return i
			}
		case ']', '}':
			depth = max(depth-1, 0)
		}
	}
	return -1
}

func isPlainChar(b byte) bool {
	return b != ' ' && b != '\t' && b != '\n' && b != '[' && b != '{' && b != ',' && b != ':'
}
