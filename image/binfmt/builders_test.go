package binfmt

import (
	"debug/elf"
	"encoding/binary"
)

// phdrSpec is one program header of a synthetic ELF file.
type phdrSpec struct {
	typ         elf.ProgType
	off, filesz uint64
	flags       elf.ProgFlag
	vaddr       uint64
}

// blob is data placed at an offset of a synthetic file.
type blob struct {
	off  uint64
	data []byte
}

// elfSpec describes a synthetic ELF file: a header whose program header
// table follows it, the given program headers, and blobs at offsets.
type elfSpec struct {
	class   int // 32 or 64
	msb     bool
	osabi   elf.OSABI
	etype   elf.Type
	machine elf.Machine
	entry   uint64
	phdrs   []phdrSpec
	blobs   []blob
	// patch edits header fields after the defaults are written.
	patch func(h elfHeaderWriter)
}

// elfHeaderWriter writes ELF header fields of a synthetic file.
type elfHeaderWriter struct {
	b      []byte
	order  binary.ByteOrder
	layout elfLayout
}

func (h elfHeaderWriter) setPhoff(v uint64) { h.putWord(h.layout.phoffAt, v) }
func (h elfHeaderWriter) setPhentsize(v uint16) {
	h.order.PutUint16(h.b[h.layout.phentsizeAt:], v)
}
func (h elfHeaderWriter) setPhnum(v uint16) { h.order.PutUint16(h.b[h.layout.phnumAt:], v) }

func (h elfHeaderWriter) putWord(off, v uint64) {
	if h.layout.wordSz == 4 {
		h.order.PutUint32(h.b[off:], uint32(v))
		return
	}
	h.order.PutUint64(h.b[off:], v)
}

func (s elfSpec) build() []byte {
	layout, class := elf64Layout, elf.ELFCLASS64
	if s.class == 32 {
		layout, class = elf32Layout, elf.ELFCLASS32
	}
	var order binary.ByteOrder = binary.LittleEndian
	data := elf.ELFDATA2LSB
	if s.msb {
		order, data = binary.BigEndian, elf.ELFDATA2MSB
	}
	size := layout.headerSize + uint64(len(s.phdrs))*layout.phentSize
	for _, bl := range s.blobs {
		size = max(size, bl.off+uint64(len(bl.data)))
	}
	b := make([]byte, size)
	copy(b, elfMagic)
	b[elf.EI_CLASS], b[elf.EI_DATA], b[elf.EI_VERSION], b[elf.EI_OSABI] = byte(class), byte(data), byte(elf.EV_CURRENT), byte(s.osabi)
	h := elfHeaderWriter{b: b, order: order, layout: layout}
	order.PutUint16(b[16:], uint16(s.etype))
	order.PutUint16(b[18:], uint16(s.machine))
	order.PutUint32(b[20:], uint32(elf.EV_CURRENT))
	h.putWord(layout.entryAt, s.entry)
	h.setPhoff(layout.headerSize)
	h.setPhentsize(uint16(layout.phentSize))
	h.setPhnum(uint16(len(s.phdrs)))
	for i, p := range s.phdrs {
		at := layout.headerSize + uint64(i)*layout.phentSize
		ph := elfHeaderWriter{b: b[at:], order: order, layout: layout}
		order.PutUint32(ph.b, uint32(p.typ))
		ph.putWord(layout.pOffsetAt, p.off)
		ph.putWord(layout.pFileszAt, p.filesz)
		if s.class == 32 {
			order.PutUint32(ph.b[24:], uint32(p.flags))
			order.PutUint32(ph.b[8:], uint32(p.vaddr))
			order.PutUint32(ph.b[20:], uint32(p.filesz)) // p_memsz
		} else {
			order.PutUint32(ph.b[4:], uint32(p.flags))
			order.PutUint64(ph.b[16:], p.vaddr)
			order.PutUint64(ph.b[40:], p.filesz) // p_memsz
		}
	}
	for _, bl := range s.blobs {
		copy(b[bl.off:], bl.data)
	}
	if s.patch != nil {
		s.patch(h)
	}
	return b
}

// dynEntries encodes dynamic section entries (tag, value pairs) for a
// 64-bit little-endian file.
func dynEntries(pairs ...uint64) []byte {
	b := make([]byte, 8*len(pairs))
	for i, v := range pairs {
		binary.LittleEndian.PutUint64(b[8*i:], v)
	}
	return b
}

// peSpec describes a synthetic PE file: DOS header, PE signature, COFF
// header and an optional header.
type peSpec struct {
	lfanew          uint32
	noSignature     bool
	machine         uint16
	characteristics uint16
	optSize         uint16
	optMagic        uint16
	subsystem       uint16
	truncateAt      int // > 0: cut the file to this many bytes
}

func (s peSpec) build() []byte {
	optAt := int(s.lfanew) + peSignatureSize + coffHeaderSize
	b := make([]byte, max(dosHeaderSize, optAt+int(s.optSize)))
	copy(b, mzMagic)
	binary.LittleEndian.PutUint32(b[lfanewAt:], s.lfanew)
	if !s.noSignature {
		copy(b[s.lfanew:], "PE\x00\x00")
	}
	coff := b[s.lfanew+peSignatureSize:]
	binary.LittleEndian.PutUint16(coff[0:], s.machine)
	binary.LittleEndian.PutUint16(coff[16:], s.optSize)
	binary.LittleEndian.PutUint16(coff[18:], s.characteristics)
	if s.optSize >= optMagicSize {
		binary.LittleEndian.PutUint16(b[optAt:], s.optMagic)
	}
	if s.optSize >= subsystemEnd {
		binary.LittleEndian.PutUint16(b[optAt+subsystemAt:], s.subsystem)
	}
	if s.truncateAt > 0 {
		b = b[:s.truncateAt]
	}
	return b
}
