// Package examples finds the commands of documentation examples (a
// command's help Examples, a README's console and sh blocks) and splits
// them as a POSIX shell would, so that tests can run every example as
// written.
package examples

import (
	"fmt"
	"strconv"
	"strings"
)

// Example is one command line of an example.
type Example struct {
	Where string // "imgcheck build --help", "README.md:16"
	Block int    // the README code block it is in, counted from 1; 0 in help text
	Line  string // as written: continued lines joined, comment removed
}

// Lines returns the command lines of text. prompt is "$ " in console
// transcripts, where only the lines after it are commands; with "" every
// line that is not blank or a comment is one. A line ending in a backslash
// continues on the next (after "> " in a transcript).
func Lines(where, text, prompt string) []Example {
	return lines(where, text, prompt, 0, 0)
}

func lines(where, text, prompt string, firstLine, block int) []Example {
	var out []Example
	for _, c := range scan(where, text, prompt, firstLine, block) {
		if c.Line != "" {
			out = append(out, c.Example)
		}
	}
	return out
}

// scanned is a command line of a text and the lines it spans, as indexes
// into the text's lines; Line is "" for a prompt with only a comment.
type scanned struct {
	Example
	first, last int
}

func scan(where, text, prompt string, firstLine, block int) []scanned {
	var out []scanned
	raw := strings.Split(text, "\n")
	for i := 0; i < len(raw); i++ {
		line := strings.TrimSpace(raw[i])
		if prompt != "" {
			var ok bool
			if line, ok = strings.CutPrefix(line, prompt); !ok {
				continue
			}
		} else if line == "" {
			continue
		}
		at := i
		for strings.HasSuffix(line, `\`) && i+1 < len(raw) {
			i++
			next := strings.TrimSpace(raw[i])
			if prompt != "" {
				next = strings.TrimPrefix(next, "> ")
			}
			line = strings.TrimSuffix(line, `\`) + " " + next
		}
		line = strings.Join(strings.Fields(stripComment(line)), " ")
		if line == "" && prompt == "" {
			continue
		}
		w := where
		if firstLine > 0 {
			w += ":" + strconv.Itoa(firstLine+at)
		}
		out = append(out, scanned{Example: Example{Where: w, Block: block, Line: line}, first: at, last: i})
	}
	return out
}

// Markdown returns the command lines of md's ```console blocks (prompt
// "$ ") and ```sh blocks; name is the file's name for Where.
func Markdown(name, md string) []Example {
	var out []Example
	for _, b := range codeBlocks(md) {
		switch b.lang {
		case "console":
			out = append(out, lines(name, b.body, "$ ", b.firstLine, b.n)...)
		case "sh":
			out = append(out, lines(name, b.body, "", b.firstLine, b.n)...)
		}
	}
	return out
}

// codeBlock is a fenced code block of a Markdown text.
type codeBlock struct {
	lang      string // after the opening fence; "text" when none
	body      string // the lines between the fences
	firstLine int    // the line number of body's first line, from 1
	n         int    // the block's number in the text, from 1
}

func codeBlocks(md string) []codeBlock {
	var out []codeBlock
	mdLines := strings.Split(md, "\n")
	lang, start := "", 0
	for i, l := range mdLines {
		if !strings.HasPrefix(l, "```") {
			continue
		}
		if lang == "" {
			lang, start = strings.TrimSpace(strings.TrimPrefix(l, "```")), i+1
			if lang == "" {
				lang = "text"
			}
			continue
		}
		out = append(out, codeBlock{lang: lang, body: strings.Join(mdLines[start:i], "\n"), firstLine: start + 1, n: len(out) + 1})
		lang = ""
	}
	return out
}

// Help returns the Examples section of a cobra command's --help output.
func Help(help string) string {
	_, after, ok := strings.Cut(help, "\nExamples:\n")
	if !ok {
		return ""
	}
	for _, next := range []string{"\nAvailable Commands:", "\nFlags:", "\nGlobal Flags:", "\nAdditional help topics:", "\nUse \""} {
		if i := strings.Index(after, next); i >= 0 {
			after = after[:i]
		}
	}
	return after
}

// Verb is the imgcheck verb ("build", "verify") the line's first command
// runs, or "" when it does not run imgcheck.
func (e Example) Verb() string {
	f := strings.Fields(e.Line)
	for len(f) > 0 && isAssignment(f[0]) {
		f = f[1:]
	}
	if args, ok := imgcheckArgs(f); ok && len(args) > 0 {
		return args[0]
	}
	return ""
}

// Command is one simple command of a line.
type Command struct {
	Env  []string // NAME=value assignments before the program
	Args []string // the program and its arguments
}

// Imgcheck returns the arguments after the program when c runs imgcheck,
// spelled "imgcheck" or "go run ./cmd/imgcheck".
func (c Command) Imgcheck() ([]string, bool) {
	return imgcheckArgs(c.Args)
}

func imgcheckArgs(words []string) ([]string, bool) {
	switch {
	case len(words) > 0 && words[0] == "imgcheck":
		return words[1:], true
	case len(words) > 2 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/imgcheck":
		return words[3:], true
	}
	return nil, false
}

// isAssignment reports whether w is NAME=value, as a shell reads a word
// before the program.
func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	if !ok || name == "" {
		return false
	}
	for i, c := range name {
		if c != '_' && (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// Parse splits a line into its commands joined by "&&", each into its
// environment assignments and words, as a POSIX shell would for the
// examples: quotes and backslashes. Expansions, pipes, redirections and
// other lists are errors: an example using them is not run as written.
func Parse(line string) ([]Command, error) {
	var cmds []Command
	var cur Command
	end := func() error {
		if len(cur.Args) == 0 {
			return fmt.Errorf("%q: a command with no program", line)
		}
		cmds = append(cmds, cur)
		cur = Command{}
		return nil
	}
	words, err := shellWords(line)
	if err != nil {
		return nil, err
	}
	for _, w := range words {
		switch {
		case w.op:
			if err := end(); err != nil {
				return nil, err
			}
		case len(cur.Args) == 0 && !w.quoted && isAssignment(w.text):
			cur.Env = append(cur.Env, w.text)
		default:
			cur.Args = append(cur.Args, w.text)
		}
	}
	if err := end(); err != nil {
		return nil, err
	}
	return cmds, nil
}

// stripComment drops a " # comment" outside quotes.
func stripComment(s string) string {
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '#' && (i == 0 || s[i-1] == ' '):
			return s[:i]
		}
	}
	return s
}
