package main

import (
	"fmt"
	"regexp"
	"strings"
)

// This file holds a small Dockerfile reader for the tests: no Docker engine
// runs here, so the Dockerfile's properties are checked from its text.

// dfInstruction is one Dockerfile instruction with its continuation lines
// joined.
type dfInstruction struct {
	line  int      // 1-based line where it starts
	cmd   string   // keyword, upper case
	flags []string // leading --name=value flags
	args  string   // the rest
}

// dfInstructions lists the keywords Docker knows.
var dfInstructions = map[string]bool{
	"ADD": true, "ARG": true, "CMD": true, "COPY": true, "ENTRYPOINT": true, "ENV": true,
	"EXPOSE": true, "FROM": true, "HEALTHCHECK": true, "LABEL": true, "MAINTAINER": true,
	"ONBUILD": true, "RUN": true, "SHELL": true, "STOPSIGNAL": true, "USER": true,
	"VOLUME": true, "WORKDIR": true,
}

// dfDirective matches a parser directive such as "# escape=`".
var dfDirective = regexp.MustCompile(`^#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(\S*)\s*$`)

// dfHeredoc matches the start of a BuildKit heredoc, which this reader does
// not follow: the lines after it are not instructions.
var dfHeredoc = regexp.MustCompile(`<<-?["']?[A-Za-z_]`)

// parseDockerfile splits src into instructions. Errors name the file, line
// and column. It handles parser directives (escape), comments, blank lines,
// and continuation lines, including comment lines inside a continuation.
func parseDockerfile(name, src string) ([]dfInstruction, error) {
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	escape := byte('\\')
	i := 0
	// Directives come first, before any other line, comment or blank.
	for ; i < len(lines); i++ {
		m := dfDirective.FindStringSubmatch(lines[i])
		if m == nil {
			break
		}
		if strings.EqualFold(m[1], "escape") {
			if m[2] != `\` && m[2] != "`" {
				return nil, fmt.Errorf("%s:%d:1: escape directive %q: want \\ or `", name, i+1, m[2])
			}
			escape = m[2][0]
		}
	}
	var out []dfInstruction
	for i < len(lines) {
		start := i
		text := strings.TrimLeft(lines[i], " \t")
		i++
		if text == "" || text[0] == '#' {
			continue
		}
		// Join continuation lines; comment and blank lines inside are dropped.
		for {
			trimmed := strings.TrimRight(text, " \t")
			if trimmed == "" || trimmed[len(trimmed)-1] != escape || i >= len(lines) {
				text = trimmed
				break
			}
			text = trimmed[:len(trimmed)-1]
			for i < len(lines) {
				next := strings.TrimLeft(lines[i], " \t")
				if next != "" && next[0] == '#' {
					i++
					continue
				}
				break
			}
			if i < len(lines) {
				text += lines[i]
				i++
			}
		}
		cmd, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
		if tab := strings.IndexByte(cmd, '\t'); tab >= 0 {
			cmd, rest = cmd[:tab], cmd[tab+1:]+" "+rest
		}
		upper := strings.ToUpper(cmd)
		if !dfInstructions[upper] {
			return nil, fmt.Errorf("%s:%d:%d: unknown instruction %q", name, start+1, len(lines[start])-len(strings.TrimLeft(lines[start], " \t"))+1, cmd)
		}
		in := dfInstruction{line: start + 1, cmd: upper}
		rest = strings.TrimSpace(rest)
		for strings.HasPrefix(rest, "--") {
			flag, after, _ := strings.Cut(rest, " ")
			in.flags = append(in.flags, flag)
			rest = strings.TrimSpace(after)
		}
		in.args = rest
		if (upper == "RUN" || upper == "COPY" || upper == "ADD") && dfHeredoc.MatchString(rest) {
			return nil, fmt.Errorf("%s:%d:1: %s uses a heredoc, which this checker does not read", name, in.line, upper)
		}
		if in.args == "" && upper != "RUN" {
			return nil, fmt.Errorf("%s:%d:1: %s has no arguments", name, in.line, upper)
		}
		out = append(out, in)
	}
	return out, nil
}

// flag returns the value of --name=value, and whether it was given.
func (in dfInstruction) flag(name string) (string, bool) {
	for _, f := range in.flags {
		if v, ok := strings.CutPrefix(f, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// dfStage is one FROM and the instructions that follow it.
type dfStage struct {
	from     dfInstruction
	image    string
	name     string // after AS, lower case
	platform string
	body     []dfInstruction
}

// splitStages groups instructions by FROM. Only ARG may precede the first.
func splitStages(name string, ins []dfInstruction) ([]dfStage, error) {
	var stages []dfStage
	for _, in := range ins {
		if in.cmd != "FROM" {
			if len(stages) == 0 {
				if in.cmd == "ARG" {
					continue
				}
				return nil, fmt.Errorf("%s:%d:1: %s before the first FROM", name, in.line, in.cmd)
			}
			stages[len(stages)-1].body = append(stages[len(stages)-1].body, in)
			continue
		}
		f := strings.Fields(in.args)
		s := dfStage{from: in, image: f[0]}
		switch {
		case len(f) == 3 && strings.EqualFold(f[1], "AS"):
			s.name = strings.ToLower(f[2])
		case len(f) != 1:
			return nil, fmt.Errorf("%s:%d:1: FROM %q: want IMAGE [AS NAME]", name, in.line, in.args)
		}
		s.platform, _ = in.flag("platform")
		stages = append(stages, s)
	}
	if len(stages) == 0 {
		return nil, fmt.Errorf("%s:1:1: no FROM instruction", name)
	}
	return stages, nil
}

// shellWords splits a shell command line into simple commands (at &&, ||,
// ;, | and newlines outside quotes) and each into words, with quotes
// removed. It is enough for build commands, not a full shell parser.
func shellWords(s string) [][]string {
	var cmds [][]string
	var words []string
	var word strings.Builder
	inWord := false
	endWord := func() {
		if inWord {
			words = append(words, word.String())
			word.Reset()
			inWord = false
		}
	}
	endCmd := func() {
		endWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
			words = nil
		}
	}
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				word.WriteByte(c)
			}
		case quote == '"':
			switch {
			case c == '"':
				quote = 0
			case c == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0:
				i++
				word.WriteByte(s[i])
			default:
				word.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote = c
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			word.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\t':
			endWord()
		case c == ';' || c == '\n' || c == '&' || c == '|':
			endCmd()
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	endCmd()
	return cmds
}
