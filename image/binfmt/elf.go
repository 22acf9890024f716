package binfmt

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
)

// Limits Linux applies when it execs an ELF file (fs/binfmt_elf.c):
// load_elf_phdrs refuses a program header table of more than 64 KiB or
// more than ELF_MIN_ALIGN (the page size: 4 KiB on most amd64 kernels, up to
// 64 KiB on arm64; this package applies the 64 KiB bound) and an
// e_phentsize other than sizeof(struct elf_phdr); load_elf_binary
// refuses a PT_INTERP shorter than 2 bytes, longer than PATH_MAX, or whose
// last byte is not NUL.
const (
	maxPhdrTableSize = 64 << 10
	maxInterpSize    = 4096 // PATH_MAX
	minInterpSize    = 2
	// maxDynEntries bounds the scan for DT_FLAGS_1.
	maxDynEntries = 4096
)

// elfLayout holds the class-dependent sizes and offsets this parser reads.
type elfLayout struct {
	headerSize, phentSize        uint64
	phoffAt, entryAt             uint64 // offsets in the ELF header
	phentsizeAt, phnumAt         uint64
	pOffsetAt, pFileszAt, wordSz uint64 // offsets in a program header, address size
}

var (
	elf32Layout = elfLayout{headerSize: 52, phentSize: 32, phoffAt: 28, entryAt: 24, phentsizeAt: 42, phnumAt: 44, pOffsetAt: 4, pFileszAt: 16, wordSz: 4}
	elf64Layout = elfLayout{headerSize: 64, phentSize: 56, phoffAt: 32, entryAt: 24, phentsizeAt: 54, phnumAt: 56, pOffsetAt: 8, pFileszAt: 32, wordSz: 8}
)

// elfParser reads fields of one ELF file in its byte order and class.
type elfParser struct {
	in     *input
	order  binary.ByteOrder
	layout elfLayout
}

// word reads an address-sized field (4 or 8 bytes) from s at off; s has
// been bounds-checked by the caller.
func (p elfParser) word(s []byte, off uint64) uint64 {
	if p.layout.wordSz == 4 {
		return uint64(p.order.Uint32(s[off:]))
	}
	return p.order.Uint64(s[off:])
}

func identifyELF(in *input) Info {
	info := Info{Kind: KindELF}
	if !in.need(elf.EI_NIDENT, "ELF identification") {
		return info
	}
	in.touch(0, elf.EI_NIDENT)
	ident := in.b[:elf.EI_NIDENT]
	p := elfParser{in: in}
	switch elf.Class(ident[elf.EI_CLASS]) {
	case elf.ELFCLASS32:
		info.Class, p.layout = 32, elf32Layout
	case elf.ELFCLASS64:
		info.Class, p.layout = 64, elf64Layout
	default:
		in.problem("invalid ELF class %d", ident[elf.EI_CLASS])
		return info
	}
	switch elf.Data(ident[elf.EI_DATA]) {
	case elf.ELFDATA2LSB:
		info.ByteOrder, p.order = "LSB", binary.LittleEndian
	case elf.ELFDATA2MSB:
		info.ByteOrder, p.order = "MSB", binary.BigEndian
	default:
		in.problem("invalid ELF byte order %d", ident[elf.EI_DATA])
		return info
	}
	info.OSABI = osabiName(ident[elf.EI_OSABI])
	if ident[elf.EI_VERSION] != byte(elf.EV_CURRENT) {
		in.problem("ELF identification version %d, want 1", ident[elf.EI_VERSION])
	}
	hdr, ok := in.span(0, p.layout.headerSize, "ELF header")
	if !ok {
		return info
	}
	etype := elf.Type(p.order.Uint16(hdr[16:]))
	machine := elf.Machine(p.order.Uint16(hdr[18:]))
	info.Type = elfTypeName(etype)
	info.Machine, info.MachineDesc = machineName(machine)
	info.GOARCH = elfGOARCH(machine, info.Class, info.ByteOrder == "MSB")
	if v := p.order.Uint32(hdr[20:]); v != uint32(elf.EV_CURRENT) {
		in.problem("e_version %d, want 1", v)
	}
	if etype != elf.ET_EXEC && etype != elf.ET_DYN {
		return info // only executables and shared objects have a loader's view
	}
	p.readProgramHeaders(hdr, etype, &info)
	return info
}

// segment is a program header's file extent.
type segment struct{ off, size uint64 }

// readProgramHeaders finds PT_INTERP and PT_DYNAMIC and settles the type of
// an ET_DYN file.
func (p elfParser) readProgramHeaders(hdr []byte, etype elf.Type, info *Info) {
	in := p.in
	phoff := p.word(hdr, p.layout.phoffAt)
	phentsize := uint64(p.order.Uint16(hdr[p.layout.phentsizeAt:]))
	phnum := uint64(p.order.Uint16(hdr[p.layout.phnumAt:]))
	switch {
	case phnum == 0:
		in.problem("no program headers (Linux refuses to exec)")
		return
	case phnum == 0xffff: // PN_XNUM: count lives in section 0; Linux does not exec these
		in.problem("e_phnum is PN_XNUM (extended numbering; Linux refuses to exec)")
		return
	case phentsize < p.layout.phentSize:
		in.problem("e_phentsize %d smaller than %d", phentsize, p.layout.phentSize)
		return
	case phentsize != p.layout.phentSize:
		in.problem("e_phentsize %d, Linux requires %d", phentsize, p.layout.phentSize)
	}
	tableSize := phnum * phentsize // both < 1<<16: no overflow
	if tableSize > maxPhdrTableSize {
		in.problem("program header table of %d bytes exceeds Linux's %d-byte limit", tableSize, maxPhdrTableSize)
		return
	}
	table, ok := in.span(phoff, tableSize, "program header table")
	if !ok {
		return
	}
	info.ProgramHeadersRead = true
	var interp, dynamic segment
	for i := uint64(0); i < phnum; i++ {
		ph := table[i*phentsize : i*phentsize+p.layout.phentSize]
		seg := segment{off: p.word(ph, p.layout.pOffsetAt), size: p.word(ph, p.layout.pFileszAt)}
		switch elf.ProgType(p.order.Uint32(ph)) {
		case elf.PT_INTERP:
			if info.HasInterp {
				in.problem("more than one PT_INTERP; Linux uses the first")
				continue
			}
			interp, info.HasInterp = seg, true
		case elf.PT_DYNAMIC:
			if !info.Dynamic {
				dynamic, info.Dynamic = seg, true
			}
		}
	}
	if info.HasInterp {
		info.Interpreter = p.readInterp(interp)
		if etype == elf.ET_DYN {
			info.Type = TypePIEExecutable
		}
		return
	}
	if etype == elf.ET_DYN {
		p.classifyDynWithoutInterp(hdr, dynamic, info)
	}
}

// readInterp returns the PT_INTERP path as Linux would use it: the bytes
// up to the first NUL.
func (p elfParser) readInterp(seg segment) string {
	in := p.in
	if seg.size < minInterpSize || seg.size > maxInterpSize {
		in.problem("PT_INTERP of %d bytes outside %d..%d (Linux refuses to exec)", seg.size, minInterpSize, maxInterpSize)
		return ""
	}
	s, ok := in.span(seg.off, seg.size, "PT_INTERP")
	if !ok {
		return ""
	}
	if s[len(s)-1] != 0 {
		in.problem("PT_INTERP not NUL-terminated (Linux refuses to exec)")
	}
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	if len(s) == 0 {
		in.problem("empty PT_INTERP")
	}
	return string(s)
}

// classifyDynWithoutInterp tells a static PIE from a shared library. The
// authoritative mark is DF_1_PIE in DT_FLAGS_1 of the dynamic section; when
// that section lies beyond the prefix this does not ask for it (it is
// often megabytes into the file) but guesses from e_entry: shared libraries
// usually have entry 0, executables never do. Info.TypeGuessed says so.
func (p elfParser) classifyDynWithoutInterp(hdr []byte, dynamic segment, info *Info) {
	guess := func() {
		info.TypeGuessed = true
		if p.word(hdr, p.layout.entryAt) != 0 {
			info.Type = TypeStaticPIEExecutable
		} else {
			info.Type = TypeSharedObject
		}
	}
	if !info.Dynamic {
		guess()
		return
	}
	entSize := 2 * p.layout.wordSz
	b := p.in.b
	if dynamic.off >= uint64(len(b)) {
		if p.in.size >= 0 && dynamic.off >= uint64(p.in.size) {
			p.in.problem("PT_DYNAMIC beyond end of file")
		}
		guess()
		return
	}
	avail := min(dynamic.size, uint64(len(b))-dynamic.off)
	n := min(avail/entSize, maxDynEntries)
	for i := uint64(0); i < n; i++ {
		e := b[dynamic.off+i*entSize:]
		p.in.touch(dynamic.off+i*entSize, dynamic.off+(i+1)*entSize)
		tag, val := p.word(e, 0), p.word(e, p.layout.wordSz)
		switch elf.DynTag(tag) {
		case elf.DT_NULL:
			info.Type = TypeSharedObject
			return
		case elf.DT_FLAGS_1:
			if val&uint64(elf.DF_1_PIE) != 0 {
				info.Type = TypeStaticPIEExecutable
			} else {
				info.Type = TypeSharedObject
			}
			return
		}
	}
	if n*entSize >= dynamic.size { // whole section read, no DT_FLAGS_1
		info.Type = TypeSharedObject
		return
	}
	guess()
}
