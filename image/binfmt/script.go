package binfmt

import (
	"bytes"
	"strings"
)

// binprmBufSize is the number of bytes Linux reads from a file before it
// picks a binary format (BINPRM_BUF_SIZE in include/uapi/linux/binfmts.h):
// 256 since Linux 5.1 (commit 6eb3c3d0a52d, "exec: increase BINPRM_BUF_SIZE
// to 256"), 128 before. A "#!" line is parsed only within these bytes.
const binprmBufSize = 256

// identifyScript parses a "#!" line the way Linux's load_script does
// (fs/binfmt_script.c, since commit b5372fe5dc84 "exec: load_script: Do not
// exec truncated interpreter path", Linux 5.0):
//
//   - the line ends at the first newline within the first 256 bytes; when
//     there is none, the buffer's last byte is dropped and the interpreter
//     path must end (space, tab or NUL) within the buffer, else ENOEXEC;
//   - trailing spaces and tabs are trimmed, leading ones skipped;
//   - the interpreter is the first word (up to space, tab or NUL); everything
//     after it, leading blanks skipped, is passed as ONE argument, cut at the
//     first NUL;
//   - a file shorter than the buffer reads as if padded with NULs.
//
// Carriage returns are not blanks to Linux: a CRLF file asks for
// "/bin/sh\r", which is reported as a problem.
func identifyScript(in *input) Info {
	info := Info{Kind: KindScript}
	var buf [binprmBufSize]byte
	n := copy(buf[:], in.b)
	hasNewline := bytes.IndexByte(buf[:n], '\n') >= 0
	if !hasNewline && n < binprmBufSize && (in.size < 0 || int64(n) < in.size) {
		want := int64(binprmBufSize)
		if in.size >= 0 { // a file shorter than the buffer is read whole
			want = min(want, in.size)
		}
		in.need(uint64(want), "#! line")
		return info
	}
	name, arg, problem := parseShebang(&buf)
	if problem != "" {
		in.problem("%s", problem)
		return info
	}
	if name == "" { // "#!" then blanks then NUL: Linux tries to open "" and fails with ENOENT
		in.problem("no interpreter after #! (Linux fails to exec)")
		return info
	}
	info.ScriptInterpreter, info.ScriptArg = name, arg
	if !hasNewline && n >= binprmBufSize {
		in.problem("#! line longer than %d bytes: Linux truncates the argument", binprmBufSize-1)
	}
	switch {
	case strings.HasSuffix(name, "\r"):
		in.problem("#! line ends with a carriage return (CRLF line ending): Linux looks for interpreter %q", name)
	case strings.HasSuffix(arg, "\r"):
		in.problem("#! line ends with a carriage return (CRLF line ending): the interpreter gets argument %q", arg)
	}
	return info
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// nextNonBlank returns the first index in [first, last] whose byte is not a
// space or tab, or -1.
func nextNonBlank(buf *[binprmBufSize]byte, first, last int) int {
	for ; first <= last; first++ {
		if !isBlank(buf[first]) {
			return first
		}
	}
	return -1
}

// nextTerminator returns the first index in [first, last] holding a space,
// tab or NUL, or -1.
func nextTerminator(buf *[binprmBufSize]byte, first, last int) int {
	for ; first <= last; first++ {
		if isBlank(buf[first]) || buf[first] == 0 {
			return first
		}
	}
	return -1
}

// cString returns b up to its first NUL.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// parseShebang follows load_script step by step on the 256-byte buffer,
// which starts with "#!". It returns the interpreter and argument, or why
// Linux would refuse the file (ENOEXEC).
func parseShebang(buf *[binprmBufSize]byte) (name, arg, problem string) {
	const bufEnd = binprmBufSize - 1
	end := bytes.IndexByte(buf[:], '\n')
	if end < 0 {
		first := nextNonBlank(buf, 2, bufEnd)
		if first < 0 {
			return "", "", "#! line holds only spaces and tabs: no interpreter (Linux refuses to exec)"
		}
		if nextTerminator(buf, first, bufEnd) < 0 {
			return "", "", "#! interpreter path does not end within the first 256 bytes (Linux refuses to exec a truncated path)"
		}
		end = bufEnd
	}
	for end > 2 && isBlank(buf[end-1]) {
		end--
	}
	start := nextNonBlank(buf, 2, end)
	if start < 0 || start == end {
		return "", "", "no interpreter after #! (Linux refuses to exec)"
	}
	argAt := -1
	sep := nextTerminator(buf, start, end)
	if sep >= 0 && buf[sep] != 0 {
		argAt = nextNonBlank(buf, sep, end)
	}
	line := *buf
	line[end] = 0
	if argAt >= 0 {
		line[sep] = 0
		arg = cString(line[argAt:])
	}
	return cString(line[start:]), arg, ""
}
