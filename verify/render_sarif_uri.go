package verify

import (
	"fmt"
	"strings"
)

// sarifURI writes a file path, an ARN or an image reference as a SARIF
// artifactLocation.uri, which must be a non-empty RFC 3986 URI reference
// (code scanning rejects the file otherwise). Characters a URI cannot hold
// are percent-encoded; an absolute path becomes a file:// URI; a colon in
// the first segment is encoded unless what precedes it reads as a scheme
// (arn:..., oci:...), so "app@sha256:..." stays a relative reference.
func sarifURI(s string) string {
	if s == "" {
		return "."
	}
	s = strings.ReplaceAll(s, `\`, "/")
	abs := strings.HasPrefix(s, "/") || isDrivePath(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; isURIChar(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	u := b.String()
	if abs {
		if !strings.HasPrefix(u, "/") {
			u = "/" + u // file:///C:/...
		}
		return "file://" + u
	}
	first := u
	if i := strings.IndexByte(u, '/'); i >= 0 {
		first = u[:i]
	}
	if c := strings.IndexByte(first, ':'); c >= 0 && !isURIScheme(first[:c]) {
		u = strings.ReplaceAll(first, ":", "%3A") + u[len(first):]
	}
	return u
}

func isDrivePath(s string) bool {
	return len(s) >= 3 && isLetter(s[0]) && s[1] == ':' && s[2] == '/'
}

// isURIChar: unreserved and sub-delims characters, ":", "@" and "/".
func isURIChar(c byte) bool {
	return isLetter(c) || (c >= '0' && c <= '9') || strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0
}

// isURIScheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func isURIScheme(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
