package taskdef

import (
	"sort"
	"unicode/utf8"
)

// nodeKind is the kind of a value in the format-neutral tree that both the
// JSON and the YAML readers produce.
type nodeKind int

const (
	kindNull nodeKind = iota
	kindString
	kindNumber
	kindBool
	kindMap
	kindSeq
	kindUnresolved // a CloudFormation expression that could not be evaluated
)

func (k nodeKind) String() string {
	return [...]string{"null", "string", "number", "boolean", "object", "array", "unresolved expression"}[k]
}

// node is one value of a parsed document. Scalars keep their text in str
// (numbers keep their literal, so big numbers are never rounded). Byte spans
// (start, end) are exact for JSON; for YAML only start is known (end == -1).
type node struct {
	kind       nodeKind
	tag        string // YAML tag of a CloudFormation short form, e.g. "!Ref"
	str        string
	pos        Pos
	start, end int
	keys       []*node  // map keys, parallel to vals
	vals       []*node  // map values
	canon      []string // API (camelCase) name of each key, filled in by validation
	items      []*node  // sequence items
	unresolved string   // why a kindUnresolved node has no value
	refTarget  string   // for an unresolved Ref to a resource: its logical id
	// stackResource is the logical id of the resource of the template an
	// unresolved Ref or Fn::GetAtt reads (String.StackResource).
	stackResource string
	yamlStyle     int  // yaml.Style of a YAML scalar, for rewriting
	fromExpr      bool // produced by evaluating a CloudFormation expression
}

// get returns the value for the API field name (after validation filled
// canon), or nil.
func (n *node) get(name string) *node {
	if n == nil || n.kind != kindMap {
		return nil
	}
	for i := range n.keys {
		if i < len(n.canon) && n.canon[i] == name {
			return n.vals[i]
		}
	}
	return nil
}

// getRaw returns the value for a literal key, ignoring canonical names.
func (n *node) getRaw(key string) *node {
	if n == nil || n.kind != kindMap {
		return nil
	}
	for i, k := range n.keys {
		if k.str == key {
			return n.vals[i]
		}
	}
	return nil
}

// keyPos returns the position of the key for the API field name.
func (n *node) keyPos(name string) Pos {
	if n == nil {
		return Pos{}
	}
	for i := range n.keys {
		if i < len(n.canon) && n.canon[i] == name {
			return n.keys[i].pos
		}
	}
	return n.pos
}

// isNull reports whether n is absent or an explicit null; ECS treats both as
// "not set" and so do we.
func (n *node) isNull() bool { return n == nil || n.kind == kindNull }

// lineIndex turns byte offsets into line:column positions.
type lineIndex struct {
	file   string
	data   []byte
	starts []int  // byte offset of the start of each line
	ascii  []bool // whether each line is ASCII, so a column is a byte count
}

func newLineIndex(file string, data []byte) *lineIndex {
	starts, ascii := []int{0}, []bool{true}
	for i, b := range data {
		if b >= utf8.RuneSelf {
			ascii[len(ascii)-1] = false
		}
		if b == '\n' {
			starts = append(starts, i+1)
			ascii = append(ascii, true)
		}
	}
	return &lineIndex{file: file, data: data, starts: starts, ascii: ascii}
}

func (li *lineIndex) pos(offset int) Pos {
	if offset < 0 {
		offset = 0
	}
	if offset > len(li.data) {
		offset = len(li.data)
	}
	line := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > offset }) - 1
	col := offset - li.starts[line] + 1
	if !li.ascii[line] {
		col = utf8.RuneCount(li.data[li.starts[line]:offset]) + 1
	}
	return Pos{File: li.file, Line: line + 1, Column: col}
}

// offset converts a 1-based line and character column back to a byte offset.
func (li *lineIndex) offset(line, col int) int {
	if line < 1 || line > len(li.starts) {
		return -1
	}
	off := li.starts[line-1]
	for c := 1; c < col && off < len(li.data); c++ {
		_, size := utf8.DecodeRune(li.data[off:])
		off += size
	}
	return off
}
