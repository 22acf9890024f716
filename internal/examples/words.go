package examples

import (
	"fmt"
	"strings"
)

// word is a word of a command line, or the "&&" operator.
type word struct {
	text   string
	op     bool // "&&"
	quoted bool // it starts with a quote or a backslash: never an assignment
}

// shellWords splits a line into words and "&&" operators as a POSIX shell
// would for the examples (quotes and backslashes; no expansions, which the
// examples do not use).
func shellWords(s string) ([]word, error) {
	var words []word
	var cur strings.Builder
	inWord, quoted, quote := false, false, byte(0)
	flush := func() {
		if inWord {
			words = append(words, word{text: cur.String(), quoted: quoted})
			cur.Reset()
			inWord, quoted = false, false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote == '\'':
			cur.WriteByte(c)
		case c == '\\' && i+1 < len(s) && quote != '\'':
			quoted = quoted || !inWord
			i++
			cur.WriteByte(s[i])
			inWord = true
		case quote == '"':
			cur.WriteByte(c)
		case c == '\'' || c == '"':
			quoted = quoted || !inWord
			quote, inWord = c, true
		case c == '&' && i+1 < len(s) && s[i+1] == '&':
			flush()
			words = append(words, word{text: "&&", op: true})
			i++
		case c == '$' || c == '`' || c == '|' || c == '>' || c == '<' || c == ';' || c == '&' || c == '(' || c == ')':
			return nil, fmt.Errorf("%q: an example with shell syntax (%c) is not run as written here", s, c)
		case c == ' ' || c == '\t':
			flush()
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("%q: unterminated quote", s)
	}
	flush()
	return words, nil
}
