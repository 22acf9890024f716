package binfmt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
)

const (
	// firstRead is what IdentifyReader reads before it knows more: enough
	// for the ELF program headers and PT_INTERP of ordinary binaries.
	firstRead = 4 << 10
	// minSniff is what Identify asks for when the prefix is too short to
	// tell the format: the size of an ELF64 header.
	minSniff = 64
	// maxReadRounds bounds IdentifyReader's loop; each format needs at most
	// two more reads (program headers, then PT_INTERP).
	maxReadRounds = 6
)

var (
	elfMagic    = []byte("\x7fELF")
	mzMagic     = []byte("MZ")
	shebangMark = []byte("#!")
)

// Identify tells what a file is from its first bytes. The prefix may be the
// whole file or only its start; when it is too short, the result has
// Need > 0. It never panics and never fails: malformed headers are reported
// in Info.Problems. Use IdentifyPrefix when the file's size is known, so that
// offsets beyond the end of the file are reported as problems rather than
// as Need.
func Identify(prefix []byte) Info {
	return IdentifyPrefix(prefix, -1)
}

// IdentifyPrefix is Identify for a prefix of a file of the given size
// (size < 0 when unknown). When the size is known, Need is only set for
// data inside the file; anything the headers place beyond the end of the
// file is a problem instead.
func IdentifyPrefix(prefix []byte, size int64) Info {
	return identifyInput(newInput(prefix, size))
}

// newInput is the input of a parse of prefix, a prefix of a file of size
// bytes (size < 0 when unknown; a prefix longer than size is the file).
func newInput(prefix []byte, size int64) *input {
	in := &input{b: prefix, size: size}
	if size >= 0 && size < int64(len(prefix)) {
		in.size = int64(len(prefix))
	}
	return in
}

func identifyInput(in *input) Info {
	prefix := in.b
	var info Info
	switch {
	case bytes.HasPrefix(prefix, elfMagic):
		info = identifyELF(in)
	case bytes.HasPrefix(prefix, mzMagic):
		info = identifyPE(in)
	case bytes.HasPrefix(prefix, shebangMark):
		info = identifyScript(in)
	default:
		info = Info{Kind: KindUnknown}
		if len(prefix) < len(elfMagic) && mightStartFormat(prefix) && (in.size < 0 || in.size > int64(len(prefix))) {
			want := int64(minSniff)
			if in.size >= 0 {
				want = min(want, in.size)
			}
			in.need(uint64(want), "file header")
		}
	}
	info.Need = in.needed
	info.Problems = append(info.Problems, in.problems...)
	return info
}

// mightStartFormat reports whether a short prefix could still grow into a
// known magic number.
func mightStartFormat(p []byte) bool {
	return bytes.HasPrefix(elfMagic, p) || bytes.HasPrefix(mzMagic, p) || bytes.HasPrefix(shebangMark, p)
}

// IdentifyReader reads as little of r as needed to identify it: 4 KiB (or
// limit, if smaller) first, then up to Info.Need, never more than limit bytes in
// all. Reaching EOF tells it the file's size, so offsets beyond the end are
// reported as problems. When the file needs more than limit bytes the result
// is returned with Need > 0 and a nil error; the caller decides. The error
// is only for a failing reader or a non-positive limit.
func IdentifyReader(r io.Reader, limit int64) (Info, error) {
	if limit <= 0 {
		return Info{}, fmt.Errorf("identifying file: read limit %d is not positive", limit)
	}
	var buf []byte
	want := min(limit, firstRead)
	for round := 0; ; round++ {
		grown := make([]byte, want)
		copy(grown, buf)
		n, err := io.ReadFull(r, grown[len(buf):])
		buf = grown[:len(buf)+n]
		size := int64(-1)
		switch {
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			size = int64(len(buf))
		case err != nil:
			return Info{}, fmt.Errorf("identifying file: reading the first %d bytes: %w", want, err)
		}
		info := IdentifyPrefix(buf, size)
		if info.Need <= int64(len(buf)) || info.Need > limit || round+1 >= maxReadRounds {
			return info, nil
		}
		want = info.Need
	}
}

// input is the prefix being parsed, the file size when known, and what the
// parse found missing.
type input struct {
	b        []byte
	size     int64 // -1 when unknown
	needed   int64
	problems []string
	// read, when set, records the bytes the parse looks at (see ELFExtents).
	read *extentSet
}

// touch records that the parse read b[off:end].
func (in *input) touch(off, end uint64) {
	if in.read != nil && end > off {
		in.read.add(off, end)
	}
}

// need reports whether the bytes [0, end) are in the prefix. When they are
// not, it records either Need (the file may hold them) or a problem (the
// file is known to end before them, or end cannot be an offset at all).
func (in *input) need(end uint64, what string) bool {
	switch {
	case end <= uint64(len(in.b)):
		return true
	case end > math.MaxInt64:
		in.problem("%s ends at offset %d, beyond any file", what, end)
	case in.size >= 0 && int64(end) > in.size:
		in.problem("%s beyond end of file (ends at %d, file size %d)", what, end, in.size)
	default:
		in.needed = max(in.needed, int64(end))
	}
	return false
}

func (in *input) problem(format string, args ...any) {
	in.problems = append(in.problems, fmt.Sprintf(format, args...))
}

// span returns b[off:off+n] when it lies in the prefix, using overflow-safe
// arithmetic; ok is false (and need recorded) otherwise.
func (in *input) span(off, n uint64, what string) (s []byte, ok bool) {
	if off > math.MaxUint64-n {
		in.problem("%s at offset %d with size %d overflows", what, off, n)
		return nil, false
	}
	if !in.need(off+n, what) {
		return nil, false
	}
	in.touch(off, off+n)
	return in.b[off : off+n], true
}
