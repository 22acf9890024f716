package taskdef

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// RewriteImages returns the source with the image of each named container
// replaced (images maps container name to the new reference). Only those
// values change; every other byte of a register-input file or
// CloudFormation template stays as it was. Describe output (and live
// definitions) become register input: the same task definition without the
// read-only fields that RegisterTaskDefinition rejects.
//
// An image that is a CloudFormation expression (such as !Ref ImageUrl) is
// not rewritten: pin the parameter instead.
func (td *TaskDefinition) RewriteImages(images map[string]string) ([]byte, error) {
	if td.doc == nil || td.doc.task == nil {
		return nil, errors.New("task definition was not loaded from a source that can be rewritten")
	}
	targets := map[*node]string{}
	for name, ref := range images {
		img, err := td.imageNode(name)
		if err != nil {
			return nil, err
		}
		targets[img] = ref
	}
	var out []byte
	var err error
	switch td.doc.shape {
	case ShapeDescribe, ShapeLive:
		out = td.registerJSON(targets)
	default:
		out, err = td.spliceImages(targets)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (td *TaskDefinition) imageNode(container string) (*node, error) {
	for _, c := range items(td.doc.task.get("containerDefinitions")) {
		if c.get("name") == nil || c.get("name").str != container {
			continue
		}
		img := c.get("image")
		switch {
		case img == nil:
			return nil, fmt.Errorf("%s: container %s has no image to rewrite", c.pos, container)
		case img.fromExpr || img.kind != kindString || img.tag != "":
			return nil, fmt.Errorf("%s: image of container %s is a CloudFormation expression (%s); pin the parameter it comes from instead", img.pos, container, exprText(img))
		}
		return img, nil
	}
	var names []string
	for _, c := range td.Containers {
		names = append(names, c.Name.Value)
	}
	return nil, fmt.Errorf("%s: no container named %q%s (containers: %s)", td.Source.File, container, didYouMean(container, names), strings.Join(names, ", "))
}

// spliceImages replaces the image values in the original text.
func (td *TaskDefinition) spliceImages(targets map[*node]string) ([]byte, error) {
	type edit struct {
		start, end int
		text       string
	}
	data := td.doc.data
	var edits []edit
	for n, ref := range targets {
		if td.doc.format == "json" {
			edits = append(edits, edit{n.start, n.end, jsonString(ref)})
			continue
		}
		end, err := yamlScalarEnd(data, n)
		if err != nil {
			return nil, err
		}
		edits = append(edits, edit{n.start, end, yamlScalar(ref, yaml.Style(n.yamlStyle))})
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := bytes.Clone(data)
	for _, e := range edits {
		if e.start < 0 || e.end > len(out) || e.start > e.end {
			return nil, fmt.Errorf("%s: cannot locate the image value to rewrite", td.Source.File)
		}
		out = append(out[:e.start], append([]byte(e.text), out[e.end:]...)...)
	}
	return out, nil
}

// yamlScalarEnd finds where a YAML scalar that starts at n.start ends.
func yamlScalarEnd(data []byte, n *node) (int, error) {
	i := n.start
	if i < 0 || i >= len(data) {
		return 0, fmt.Errorf("%s: cannot locate the image value to rewrite", n.pos)
	}
	switch yaml.Style(n.yamlStyle) {
	case yaml.DoubleQuotedStyle:
		for j := i + 1; j < len(data); j++ {
			switch data[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
	case yaml.SingleQuotedStyle:
		for j := i + 1; j < len(data); j++ {
			if data[j] == '\'' {
				if j+1 < len(data) && data[j+1] == '\'' {
					j++
					continue
				}
				return j + 1, nil
			}
		}
	case 0:
		j := i
		for j < len(data) && data[j] != '\n' && data[j] != '\r' && data[j] != ',' && data[j] != ']' && data[j] != '}' {
			if data[j] == '#' && j > i && (data[j-1] == ' ' || data[j-1] == '\t') {
				break
			}
			j++
		}
		for j > i && (data[j-1] == ' ' || data[j-1] == '\t') {
			j--
		}
		if string(data[i:j]) != n.str {
			return 0, fmt.Errorf("%s: image is a multi-line plain scalar; cannot rewrite it in place", n.pos)
		}
		return j, nil
	default:
		return 0, fmt.Errorf("%s: image is a block scalar; cannot rewrite it in place", n.pos)
	}
	return 0, fmt.Errorf("%s: unterminated quoted image value", n.pos)
}

var plainSafeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$`)

func yamlScalar(s string, style yaml.Style) string {
	switch {
	case style == yaml.SingleQuotedStyle:
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	case style == 0 && plainSafeRe.MatchString(s) && !strings.Contains(s, ": "):
		return s
	}
	return jsonString(s)
}

// jsonString quotes s as JSON without escaping <, > and & (HTML escaping
// would make a pinned file differ from what a person wrote).
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// registerJSON writes the task definition as register input: the inner
// object of describe output without the read-only fields.
func (td *TaskDefinition) registerJSON(targets map[*node]string) []byte {
	ro := schemasOnce().readOnly
	var b bytes.Buffer
	b.WriteString("{")
	first := true
	n := td.doc.task
	for i, k := range n.keys {
		if ro[n.canon[i]] {
			continue
		}
		if !first {
			b.WriteString(",")
		}
		first = false
		b.WriteString("\n  " + jsonString(k.str) + ": ")
		emitJSON(&b, n.vals[i], "  ", targets)
	}
	b.WriteString("\n}\n")
	return b.Bytes()
}

func emitJSON(b *bytes.Buffer, n *node, indent string, targets map[*node]string) {
	if ref, ok := targets[n]; ok {
		b.WriteString(jsonString(ref))
		return
	}
	inner := indent + "  "
	switch n.kind {
	case kindMap:
		if len(n.keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{")
		for i, k := range n.keys {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n" + inner + jsonString(k.str) + ": ")
			emitJSON(b, n.vals[i], inner, targets)
		}
		b.WriteString("\n" + indent + "}")
	case kindSeq:
		if len(n.items) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[")
		for i, it := range n.items {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n" + inner)
			emitJSON(b, it, inner, targets)
		}
		b.WriteString("\n" + indent + "]")
	case kindString:
		b.WriteString(jsonString(n.str))
	case kindNumber, kindBool:
		b.WriteString(n.str)
	default:
		b.WriteString("null")
	}
}
