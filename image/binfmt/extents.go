package binfmt

import (
	"bytes"
	"slices"
)

// Extent is the byte range [Off, Off+Len) of a file.
type Extent struct {
	Off, Len int64
}

// End is the offset just past the extent.
func (e Extent) End() int64 { return e.Off + e.Len }

// extentSet collects the ranges a parse reads.
type extentSet struct{ ranges []Extent }

func (s *extentSet) add(off, end uint64) {
	s.ranges = append(s.ranges, Extent{Off: int64(off), Len: int64(end - off)})
}

// merged returns the ranges sorted, overlapping and touching ones joined.
func (s *extentSet) merged() []Extent {
	rs := slices.Clone(s.ranges)
	slices.SortFunc(rs, func(a, b Extent) int {
		switch {
		case a.Off < b.Off:
			return -1
		case a.Off > b.Off:
			return 1
		}
		return 0
	})
	var out []Extent
	for _, r := range rs {
		if n := len(out); n > 0 && r.Off <= out[n-1].End() {
			out[n-1].Len = max(out[n-1].End(), r.End()) - out[n-1].Off
			continue
		}
		out = append(out, r)
	}
	return out
}

// ELFExtents says which bytes of an ELF file IdentifyPrefix and
// ParseDynamic read: the ELF header, the program headers, PT_INTERP, the
// dynamic section, and the strings and symbol version records it points
// to. data is the file, or a prefix of it, and size the file's size.
//
// need > 0 means a parse needs bytes beyond data: call again with the
// first need bytes (or the whole file). With need == 0 the extents are
// final, and they are what lets a caller keep a few kilobytes of a shared
// object instead of all of it: a buffer holding the file's bytes at every
// extent, whatever it holds elsewhere, gives IdentifyPrefix and
// ParseDynamic the answers the file gives, for every prefix length. Both
// parsers read only through bounds-checked spans of their input, in an
// order that the bytes read so far decide, so a shorter prefix reads a
// subset of what the whole file reads.
//
// For data that is not ELF, extents is nil and need 0.
func ELFExtents(data []byte, size int64) (extents []Extent, need int64) {
	if !bytes.HasPrefix(data, elfMagic) {
		return nil, 0
	}
	read := &extentSet{}
	in := newInput(data, size)
	in.read = read
	info := identifyInput(in)
	in = newInput(data, size)
	in.read = read
	d := parseDynamicInput(in)
	if need = max(info.Need, d.Need); need > 0 {
		return nil, need
	}
	return read.merged(), 0
}
