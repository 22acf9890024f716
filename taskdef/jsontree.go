package taskdef

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxDepth bounds nesting of objects and arrays in any input.
const maxDepth = 64

// parseJSON reads a JSON document into a node tree with exact positions.
// encoding/json is the syntax authority: yaml.v3 would accept invalid JSON
// such as unquoted $VAR values and rejects valid JSON such as surrogate-pair
// \u escapes, so JSON never goes through the YAML parser.
func parseJSON(file string, data []byte) (*node, error) {
	li := newLineIndex(file, data)
	if !utf8.Valid(data) {
		off := firstInvalidUTF8(data)
		return nil, &Error{Pos: li.pos(off), Msg: "file is not valid UTF-8"}
	}
	// Unmarshal reports syntax errors at absolute offsets (the streaming
	// decoder's offsets are relative to its buffer), so check validity first.
	if err := json.Unmarshal(data, new(json.RawMessage)); err != nil {
		return nil, jsonSyntaxError(li, data, err)
	}
	p := &jsonParser{li: li, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	root, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &Error{Pos: li.pos(p.skipSpace(int(p.dec.InputOffset()))), Msg: "invalid JSON: unexpected data after the top-level value"}
	}
	return root, nil
}

type jsonParser struct {
	li   *lineIndex
	data []byte
	dec  *json.Decoder
}

// skipSpace moves past whitespace and the separators the decoder consumes
// silently, to find where the next token starts.
func (p *jsonParser) skipSpace(off int) int {
	for off < len(p.data) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

var shellVarAt = regexp.MustCompile(`^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?`)

func (p *jsonParser) syntaxError(err error) error {
	return jsonSyntaxError(p.li, p.data, err)
}

var fragmentRe = regexp.MustCompile(`^\s*"[^"]*"\s*:`)

func jsonSyntaxError(li *lineIndex, data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := min(max(int(se.Offset)-1, 0), len(data))
		msg := "invalid JSON: " + se.Error()
		if v := shellVarAt.Find(data[off:]); v != nil {
			msg += fmt.Sprintf(" (unquoted shell variable %s: this file is a template; render it, e.g. with envsubst, before checking)", v)
		} else if fragmentRe.Match(data) {
			msg += " (the file starts with a key outside any object: it is a fragment, not a whole document)"
		}
		if strings.Contains(se.Error(), "unexpected end of JSON input") {
			off, msg = len(data), "invalid JSON: unexpected end of file (unbalanced brackets?)"
		}
		return &Error{Pos: li.pos(off), Msg: msg}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &Error{Pos: li.pos(len(data)), Msg: "invalid JSON: unexpected end of file (unbalanced brackets?)"}
	}
	return &Error{Pos: li.pos(0), Msg: "invalid JSON: " + err.Error()}
}

func (p *jsonParser) value(depth int) (*node, error) {
	start := p.skipSpace(int(p.dec.InputOffset()))
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntaxError(err)
	}
	n := &node{pos: p.li.pos(start), start: start}
	switch t := tok.(type) {
	case json.Delim:
		if t != '{' && t != '[' {
			return nil, &Error{Pos: n.pos, Msg: fmt.Sprintf("invalid JSON: unexpected %q", t)}
		}
		if depth >= maxDepth {
			return nil, &Error{Pos: n.pos, Msg: fmt.Sprintf("nesting deeper than %d levels", maxDepth)}
		}
		if t == '{' {
			err = p.object(n, depth)
		} else {
			err = p.array(n, depth)
		}
		if err != nil {
			return nil, err
		}
	case string:
		n.kind, n.str = kindString, t
	case json.Number:
		n.kind, n.str = kindNumber, t.String()
	case bool:
		n.kind, n.str = kindBool, fmt.Sprint(t)
	case nil:
		n.kind = kindNull
	}
	n.end = int(p.dec.InputOffset())
	return n, nil
}

func (p *jsonParser) object(n *node, depth int) error {
	n.kind = kindMap
	seen := map[string]Pos{}
	for p.dec.More() {
		kstart := p.skipSpace(int(p.dec.InputOffset()))
		tok, err := p.dec.Token()
		if err != nil {
			return p.syntaxError(err)
		}
		key, ok := tok.(string)
		if !ok {
			return &Error{Pos: p.li.pos(kstart), Msg: "invalid JSON: object key must be a string"}
		}
		k := &node{kind: kindString, str: key, pos: p.li.pos(kstart), start: kstart, end: int(p.dec.InputOffset())}
		if first, dup := seen[key]; dup {
			return &Error{Pos: k.pos, Key: key, Msg: fmt.Sprintf("duplicate key (first at %d:%d)", first.Line, first.Column)}
		}
		seen[key] = k.pos
		v, err := p.value(depth + 1)
		if err != nil {
			return err
		}
		n.keys = append(n.keys, k)
		n.vals = append(n.vals, v)
	}
	if _, err := p.dec.Token(); err != nil { // '}'
		return p.syntaxError(err)
	}
	return nil
}

func (p *jsonParser) array(n *node, depth int) error {
	n.kind = kindSeq
	n.items = []*node{}
	for p.dec.More() {
		v, err := p.value(depth + 1)
		if err != nil {
			return err
		}
		n.items = append(n.items, v)
	}
	if _, err := p.dec.Token(); err != nil { // ']'
		return p.syntaxError(err)
	}
	return nil
}

func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}
