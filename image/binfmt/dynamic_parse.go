package binfmt

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"math"
)

// loadSegment is a PT_LOAD header's file image: filesz bytes at file offset
// off, mapped at virtual address vaddr.
type loadSegment struct{ off, vaddr, filesz uint64 }

// dynReader parses one file for ParseDynamic.
type dynReader struct {
	in    *input
	d     *Dynamic
	p     elfParser
	loads []loadSegment

	// The dynamic string table, once mapped: file offset and length.
	strOff, strLen uint64
	hasStrtab      bool
	copied         int // string bytes copied out so far
	copyCapHit     bool
	records        int // version records read so far
}

func (r *dynReader) parse() {
	in := r.in
	if !in.need(elf.EI_NIDENT, "ELF identification") {
		return
	}
	in.touch(0, elf.EI_NIDENT)
	if !bytes.HasPrefix(in.b, elfMagic) {
		in.problem("not an ELF file")
		return
	}
	ident := in.b[:elf.EI_NIDENT]
	h := &r.d.Header
	h.RawClass, h.Data, h.IdentVersion = ident[elf.EI_CLASS], ident[elf.EI_DATA], ident[elf.EI_VERSION]
	h.OSABI, h.ABIVersion = ident[elf.EI_OSABI], ident[elf.EI_ABIVERSION]
	h.PadZero = bytes.Count(ident[elf.EI_PAD:], []byte{0}) == len(ident)-elf.EI_PAD
	r.p.in = in
	switch elf.Class(h.RawClass) {
	case elf.ELFCLASS32:
		h.Class, r.p.layout = 32, elf32Layout
	case elf.ELFCLASS64:
		h.Class, r.p.layout = 64, elf64Layout
	default:
		in.problem("invalid ELF class %d", h.RawClass)
		return
	}
	switch elf.Data(h.Data) {
	case elf.ELFDATA2LSB:
		r.p.order = binary.LittleEndian
	case elf.ELFDATA2MSB:
		r.p.order = binary.BigEndian
	default:
		in.problem("invalid ELF byte order %d", h.Data)
		return
	}
	hdr, ok := in.span(0, r.p.layout.headerSize, "ELF header")
	if !ok {
		return
	}
	order := r.p.order
	h.Type = elf.Type(order.Uint16(hdr[16:]))
	h.Machine = elf.Machine(order.Uint16(hdr[18:]))
	h.Version = order.Uint32(hdr[20:])
	h.Flags = order.Uint32(hdr[r.p.layout.phentsizeAt-6:]) // e_flags precedes e_ehsize and e_phentsize
	h.Phentsize = order.Uint16(hdr[r.p.layout.phentsizeAt:])
	h.Phnum = order.Uint16(hdr[r.p.layout.phnumAt:])
	r.d.HeaderRead = true
	dynamic, ok := r.readProgramHeaders(hdr)
	if !ok || !r.d.HasDynamic || r.d.DynamicEmpty {
		return
	}
	r.readDynamicSection(dynamic)
}

// readProgramHeaders collects PT_LOAD segments and reads PT_INTERP; it
// returns the first PT_DYNAMIC's file extent.
func (r *dynReader) readProgramHeaders(hdr []byte) (dynamic segment, ok bool) {
	in, h, l := r.in, &r.d.Header, r.p.layout
	phoff := r.p.word(hdr, l.phoffAt)
	phnum, phentsize := uint64(h.Phnum), uint64(h.Phentsize)
	switch {
	case phnum == 0:
		r.d.ProgramHeadersRead = true
		return segment{}, true
	case phnum == 0xffff:
		in.problem("e_phnum is PN_XNUM (extended numbering)")
		return segment{}, false
	case phentsize != l.phentSize:
		in.problem("e_phentsize %d, want %d", phentsize, l.phentSize)
		return segment{}, false
	case phnum*phentsize > maxPhdrTableSize:
		in.problem("program header table of %d bytes exceeds the %d-byte limit", phnum*phentsize, maxPhdrTableSize)
		return segment{}, false
	}
	table, ok := in.span(phoff, phnum*phentsize, "program header table")
	if !ok {
		return segment{}, false
	}
	r.d.ProgramHeadersRead = true
	var interp segment
	for i := uint64(0); i < phnum; i++ {
		ph := table[i*phentsize : (i+1)*phentsize]
		seg := segment{off: r.p.word(ph, l.pOffsetAt), size: r.p.word(ph, l.pFileszAt)}
		switch elf.ProgType(r.p.order.Uint32(ph)) {
		case elf.PT_LOAD:
			r.d.LoadSegments++
			if seg.off > math.MaxUint64-seg.size {
				in.problem("PT_LOAD at offset %d with size %d overflows", seg.off, seg.size)
				continue
			}
			r.loads = append(r.loads, loadSegment{off: seg.off, vaddr: r.p.word(ph, l.pOffsetAt+l.wordSz), filesz: seg.size})
		case elf.PT_INTERP:
			if !r.d.HasInterp {
				interp, r.d.HasInterp = seg, true
			}
		case elf.PT_DYNAMIC:
			if !r.d.HasDynamic {
				dynamic, r.d.HasDynamic = seg, true
				r.d.DynamicEmpty = seg.size == 0
			}
		}
	}
	if r.d.HasInterp {
		r.d.Interpreter = r.p.readInterp(interp)
	}
	return dynamic, true
}

// dynRefs are the dynamic section entries ParseDynamic follows.
type dynRefs struct {
	strtab, strsz         uint64
	hasStrtab, hasStrsz   bool
	needed, aux, filters  []uint64
	soname, rpath, runpth uint64
	verneed, verdef       uint64
}

func (r *dynReader) readDynamicSection(dyn segment) {
	in, d := r.in, r.d
	entSize := 2 * r.p.layout.wordSz
	count := dyn.size / entSize
	if count == 0 {
		in.problem("PT_DYNAMIC of %d bytes holds no entry", dyn.size)
		return
	}
	count = min(count, maxDynEntries)
	sec, ok := in.span(dyn.off, count*entSize, "dynamic section")
	if !ok {
		return
	}
	var refs dynRefs
	terminated := false
	for i := uint64(0); i < count && !terminated; i++ {
		tag, val := r.p.word(sec, i*entSize), r.p.word(sec, i*entSize+r.p.layout.wordSz)
		// Later entries of the same tag win, as in glibc's elf_get_dynamic_info.
		switch elf.DynTag(tag) {
		case elf.DT_NULL:
			terminated = true
		case elf.DT_NEEDED:
			refs.needed = append(refs.needed, val)
		case elf.DT_AUXILIARY:
			refs.aux = append(refs.aux, val)
		case elf.DT_FILTER:
			refs.filters = append(refs.filters, val)
		case elf.DT_SONAME:
			refs.soname, d.HasSONAME = val, true
		case elf.DT_RPATH:
			refs.rpath, d.HasRPath = val, true
		case elf.DT_RUNPATH:
			refs.runpth, d.HasRunPath = val, true
		case elf.DT_STRTAB:
			refs.strtab, refs.hasStrtab = val, true
		case elf.DT_STRSZ:
			refs.strsz, refs.hasStrsz = val, true
		case elf.DT_FLAGS:
			d.Flags = val
		case elf.DT_FLAGS_1:
			d.Flags1 = val
		case elf.DT_VERNEED:
			refs.verneed, d.HasVerneed = val, true
		case elf.DT_VERDEF:
			refs.verdef, d.HasVerdef = val, true
		}
	}
	if !terminated {
		if dyn.size/entSize > maxDynEntries {
			in.problem("dynamic section has more than %d entries before DT_NULL", maxDynEntries)
		} else {
			in.problem("dynamic section has no DT_NULL terminator")
		}
	}
	r.followStrings(refs)
}

func (r *dynReader) followStrings(refs dynRefs) {
	d := r.d
	usesStrings := len(refs.needed)+len(refs.aux)+len(refs.filters) > 0 ||
		d.HasSONAME || d.HasRPath || d.HasRunPath || d.HasVerneed || d.HasVerdef
	if !usesStrings {
		return
	}
	if !refs.hasStrtab {
		r.in.problem("dynamic section references strings but has no DT_STRTAB")
		return
	}
	off, avail, ok := r.mapAddr(refs.strtab)
	if !ok {
		r.in.problem("DT_STRTAB address 0x%x is not in the file image of any PT_LOAD segment", refs.strtab)
		return
	}
	r.strOff, r.strLen, r.hasStrtab = off, avail, true
	if refs.hasStrsz {
		if refs.strsz > avail {
			r.in.problem("DT_STRSZ %d runs past the end of its PT_LOAD segment (%d bytes left)", refs.strsz, avail)
		} else {
			r.strLen = refs.strsz
		}
	}
	for _, v := range refs.needed {
		d.Needed = append(d.Needed, r.str(v, "DT_NEEDED"))
	}
	for _, v := range refs.aux {
		d.Auxiliary = append(d.Auxiliary, r.str(v, "DT_AUXILIARY"))
	}
	for _, v := range refs.filters {
		d.Filters = append(d.Filters, r.str(v, "DT_FILTER"))
	}
	if d.HasSONAME {
		d.SONAME = r.str(refs.soname, "DT_SONAME")
	}
	if d.HasRPath {
		d.RPath = r.str(refs.rpath, "DT_RPATH")
	}
	if d.HasRunPath {
		d.RunPath = r.str(refs.runpth, "DT_RUNPATH")
	}
	if d.HasVerneed {
		r.readVerneed(refs.verneed)
	}
	if d.HasVerdef {
		r.readVerdef(refs.verdef)
	}
}

// mapAddr maps a virtual address to its file offset through the first
// PT_LOAD whose file image holds it; avail is what is left of that image.
func (r *dynReader) mapAddr(addr uint64) (off, avail uint64, ok bool) {
	for _, s := range r.loads {
		if addr >= s.vaddr && addr-s.vaddr < s.filesz {
			rel := addr - s.vaddr
			return s.off + rel, s.filesz - rel, true
		}
	}
	return 0, 0, false
}

// str reads the NUL-terminated string at offset v of the dynamic string
// table. Problems and needs are recorded; the result is then "".
func (r *dynReader) str(v uint64, what string) string {
	in := r.in
	if !r.hasStrtab {
		return ""
	}
	if v >= r.strLen {
		in.problem("%s string offset %d outside the string table (%d bytes)", what, v, r.strLen)
		return ""
	}
	start := r.strOff + v
	end := r.strOff + min(r.strLen, v+maxDynamicString+1)
	have := min(end, uint64(len(in.b)))
	if start < have {
		if i := bytes.IndexByte(in.b[start:have], 0); i >= 0 {
			in.touch(start, start+uint64(i)+1)
			return r.copyOut(in.b[start:start+uint64(i)], what)
		}
		in.touch(start, have)
	}
	if have < end {
		// Ask for the rest of the window, but no further than the end of
		// a file of known size: the terminator may lie before it.
		want := end
		if in.size >= 0 && want > uint64(in.size) {
			want = uint64(in.size)
		}
		if want > have {
			in.need(want, what+" string")
			return ""
		}
		in.problem("%s string at offset %d runs past the end of the file", what, v)
		return ""
	}
	if end-start > maxDynamicString {
		in.problem("%s string at offset %d longer than %d bytes", what, v, maxDynamicString)
	} else {
		in.problem("%s string at offset %d not terminated inside the string table", what, v)
	}
	return ""
}

func (r *dynReader) copyOut(b []byte, what string) string {
	if r.copied+len(b) > maxDynamicStringBytes {
		if !r.copyCapHit {
			r.copyCapHit = true
			r.in.problem("strings of the dynamic section exceed %d bytes (at %s)", maxDynamicStringBytes, what)
		}
		return ""
	}
	r.copied += len(b)
	return string(b)
}
