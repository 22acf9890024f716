package image

import (
	"errors"
	"strconv"
	"strings"
)

// contentRange is a parsed "bytes START-END/TOTAL" Content-Range header;
// total is -1 when the server does not know it ("*").
type contentRange struct {
	start, end, total int64
}

var errContentRange = errors.New("malformed Content-Range")

// parseContentRange parses the Content-Range of a 206 response (RFC 9110
// section 14.4): one byte range, with a known or unknown complete length.
func parseContentRange(s string) (contentRange, error) {
	rest, ok := strings.CutPrefix(s, "bytes ")
	if !ok {
		return contentRange{}, errContentRange
	}
	rng, total, ok := strings.Cut(rest, "/")
	if !ok {
		return contentRange{}, errContentRange
	}
	first, last, ok := strings.Cut(rng, "-")
	if !ok {
		return contentRange{}, errContentRange
	}
	cr := contentRange{total: -1}
	var err error
	if cr.start, err = parseByteCount(first); err != nil {
		return contentRange{}, err
	}
	if cr.end, err = parseByteCount(last); err != nil {
		return contentRange{}, err
	}
	if total != "*" {
		if cr.total, err = parseByteCount(total); err != nil {
			return contentRange{}, err
		}
	}
	if cr.end < cr.start || (cr.total >= 0 && cr.end >= cr.total) {
		return contentRange{}, errContentRange
	}
	return cr, nil
}

// parseByteCount accepts digits only: no sign, no spaces, no overflow.
func parseByteCount(s string) (int64, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, errContentRange
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errContentRange
	}
	return n, nil
}
