package binfmt

import (
	"debug/elf"
	"encoding/binary"
	"strings"
	"testing"
)

// dynCase is a malformed or adversarial input: a file (or its prefix) and
// the problem, or the Need, ParseDynamic must report.
type dynCase struct {
	name    string
	in      []byte
	size    int64  // -1: unknown; 0: len(in)
	problem string // substring of a problem; "" for none
	need    bool   // expects Need > 0 instead
}

// dynamicEntryAt returns the offset in a sample 64-bit LSB file of the
// dynamic entry with the given tag.
func dynamicEntryAt(b []byte, tag elf.DynTag) int {
	for off := dynSectionAt; off+16 <= len(b); off += 16 {
		if elf.DynTag(binary.LittleEndian.Uint64(b[off:])) == tag {
			return off
		}
	}
	panic("no such dynamic entry")
}

// sampleWith builds the 64-bit LSB sample and edits it.
func sampleWith(edit func(b []byte, o binary.ByteOrder)) []byte {
	d := sampleObject(64, false)
	d.edit = edit
	return d.build()
}

// setTag overwrites the value of the first dynamic entry with tag.
func setTag(tag elf.DynTag, v uint64) func(b []byte, o binary.ByteOrder) {
	return func(b []byte, o binary.ByteOrder) { o.PutUint64(b[dynamicEntryAt(b, tag)+8:], v) }
}

func dynCases() []dynCase {
	sample := sampleObject(64, false).build()
	loop32 := sampleObject(32, false)
	loop32.edit = func(b []byte, o binary.ByteOrder) {
		// vn_next of the first Verneed entry wraps around to the byte before it.
		o.PutUint32(b[dynVerneedAt+12:], 0xffffffff)
	}
	auxLoop32 := sampleObject(32, true)
	auxLoop32.edit = func(b []byte, o binary.ByteOrder) {
		o.PutUint32(b[dynVerneedAt+verneedSize+12:], 0xfffffff0) // vna_next points 16 bytes back
	}
	defLoop32 := sampleObject(32, false)
	defLoop32.edit = func(b []byte, o binary.ByteOrder) {
		o.PutUint32(b[dynVerdefAt+16:], 0xffffffec) // vd_next points 20 bytes back: itself
	}
	noNull := sampleObject(64, false)
	noNull.noNull = true
	manyNeeded := &dynObject{class: 64}
	long := strings.Repeat("x", 300)
	for i := 0; i < 4000; i++ { // 4000 names of 300 bytes pass the 1 MiB copy budget
		manyNeeded.tag(elf.DT_NEEDED, 1)
	}
	manyNeeded.strtab = append(append([]byte{0}, long...), 0)
	return []dynCase{
		{name: "truncated dynamic section, size known", in: sample[:dynSectionAt+40], problem: "dynamic section beyond end of file"},
		{name: "truncated dynamic section, size unknown", in: sample[:dynSectionAt+40], size: -1, need: true},
		{name: "DT_NEEDED offset outside the string table", in: sampleWith(func(b []byte, o binary.ByteOrder) {
			o.PutUint64(b[dynamicEntryAt(b, elf.DT_NEEDED)+8:], 1<<40)
		}), problem: "DT_NEEDED string offset 1099511627776 outside the string table"},
		{name: "DT_STRSZ past the segment", in: sampleWith(setTag(elf.DT_STRSZ, 1<<20)), problem: "DT_STRSZ 1048576 runs past the end of its PT_LOAD segment"},
		{name: "string table too short for its strings", in: sampleWith(setTag(elf.DT_STRSZ, 3)), problem: "outside the string table (3 bytes)"},
		{name: "unterminated string at the end of the table", in: sampleWith(func(b []byte, o binary.ByteOrder) {
			strsz := o.Uint64(b[dynamicEntryAt(b, elf.DT_STRSZ)+8:])
			b[dynStrtabAt+strsz-1] = 'x'
		}), problem: "not terminated inside the string table"},
		{name: "DT_STRTAB outside every PT_LOAD", in: sampleWith(setTag(elf.DT_STRTAB, 1<<32)), problem: "DT_STRTAB address 0x100000000 is not in the file image of any PT_LOAD"},
		{name: "strings without DT_STRTAB", in: sampleWith(func(b []byte, o binary.ByteOrder) {
			o.PutUint64(b[dynamicEntryAt(b, elf.DT_STRTAB):], uint64(elf.DT_DEBUG))
		}), problem: "has no DT_STRTAB"},
		{name: "no DT_NULL", in: noNull.build(), problem: "no DT_NULL terminator"},
		{name: "Verneed chain loops (32-bit wrap)", in: loop32.build(), problem: "vn_next link 0xffffffff"},
		{name: "Vernaux chain loops (32-bit wrap)", in: auxLoop32.build(), problem: "vna_next link 0xfffffff0"},
		{name: "Verdef chain loops (32-bit wrap)", in: defLoop32.build(), problem: "vd_next link 0xffffffec"},
		{name: "Verneed next out of range", in: sampleWith(func(b []byte, o binary.ByteOrder) {
			o.PutUint32(b[dynVerneedAt+12:], 1<<30)
		}), problem: "Verneed record at address 0x40000400 is not in the file image"},
		{name: "Verneed record runs past its segment", in: sampleWith(setTag(elf.DT_VERNEED, uint64(len(sample)-8))), problem: "runs past the end of its PT_LOAD segment"},
		{name: "Verdaux out of range", in: sampleWith(func(b []byte, o binary.ByteOrder) {
			o.PutUint32(b[dynVerdefAt+12:], 0x7fffffff)
		}), problem: "Verdaux record at address"},
		{name: "version counts that overflow are ignored as glibc ignores them", in: sampleWith(setTag(elf.DT_VERNEEDNUM, 1<<63))},
		{name: "program header table over the limit", in: sampleWith(func(b []byte, o binary.ByteOrder) {
			o.PutUint16(b[56:], 0xfffe)
		}), problem: "exceeds the 65536-byte limit"},
		{name: "PN_XNUM", in: sampleWith(func(b []byte, o binary.ByteOrder) { o.PutUint16(b[56:], 0xffff) }), problem: "PN_XNUM"},
		{name: "PT_LOAD extent overflows", in: sampleWith(func(b []byte, o binary.ByteOrder) {
			o.PutUint64(b[64+8:], 1<<63)  // p_offset
			o.PutUint64(b[64+32:], 1<<63) // p_filesz
		}), problem: "PT_LOAD at offset 9223372036854775808 with size 9223372036854775808 overflows"},
		{name: "PT_DYNAMIC beyond the file", in: sampleWith(func(b []byte, o binary.ByteOrder) {
			o.PutUint64(b[64+56+8:], 1<<40)
		}), problem: "dynamic section beyond end of file"},
		{name: "copy budget", in: manyNeeded.build(), problem: "exceed 1048576 bytes"},
		{name: "bad magic", in: []byte("\x7fELG" + strings.Repeat("\x00", 60)), problem: "not an ELF file"},
		{name: "bad class", in: append([]byte("\x7fELF\x07\x01\x01"), make([]byte, 60)...), problem: "invalid ELF class 7"},
		{name: "bad byte order", in: append([]byte("\x7fELF\x02\x09\x01"), make([]byte, 60)...), problem: "invalid ELF byte order 9"},
		{name: "empty", in: nil, problem: "ELF identification beyond end of file"},
	}
}

func TestParseDynamicMalformed(t *testing.T) {
	for _, tc := range dynCases() {
		t.Run(tc.name, func(t *testing.T) {
			size := tc.size
			if size == 0 {
				size = int64(len(tc.in))
			}
			d := ParseDynamic(tc.in, size)
			if tc.need {
				if d.Need <= int64(len(tc.in)) {
					t.Fatalf("Need %d with %d bytes at hand; problems %q", d.Need, len(tc.in), d.Problems)
				}
				return
			}
			if d.Need != 0 {
				t.Fatalf("Need %d for a file of known size", d.Need)
			}
			if tc.problem == "" {
				if len(d.Problems) > 0 {
					t.Fatalf("problems %q, want none", d.Problems)
				}
				return
			}
			for _, p := range d.Problems {
				if strings.Contains(p, tc.problem) {
					return
				}
			}
			t.Fatalf("problems %q, want one containing %q", d.Problems, tc.problem)
		})
	}
}

// TestParseDynamicRecordBudget builds a Verneed chain longer than the
// record limit: the walk must stop and say so.
func TestParseDynamicRecordBudget(t *testing.T) {
	const records = maxVersionRecords + 10
	b := sampleWith(func(b []byte, o binary.ByteOrder) {})
	grown := make([]byte, len(b)+records*verneedSize)
	copy(grown, b)
	o := binary.LittleEndian
	chainAt := len(b)
	for i := 0; i < records; i++ {
		rec := grown[chainAt+i*verneedSize:]
		o.PutUint16(rec[0:], 1)
		o.PutUint32(rec[8:], 0) // vn_aux 0: the record itself read as a Vernaux
		o.PutUint32(rec[12:], verneedSize)
	}
	o.PutUint64(grown[64+32:], uint64(len(grown))) // PT_LOAD p_filesz
	o.PutUint64(grown[dynamicEntryAt(grown, elf.DT_VERNEED)+8:], uint64(chainAt))
	d := ParseDynamic(grown, int64(len(grown)))
	found := false
	for _, p := range d.Problems {
		found = found || strings.Contains(p, "more than 4096 symbol version records")
	}
	if !found || len(d.VersionNeeds) > maxVersionRecords {
		t.Fatalf("%d version needs, problems %q", len(d.VersionNeeds), d.Problems)
	}
}
