package binfmt

import (
	"debug/elf"
	"encoding/binary"
)

// Offsets (equal to virtual addresses: one PT_LOAD maps the whole file at
// 0) of the regions of a synthetic shared object.
const (
	dynStrtabAt  = 0x200
	dynVerneedAt = 0x400
	dynVerdefAt  = 0x500
	dynSectionAt = 0x600
)

// dynObject describes a synthetic shared object: its strings, dynamic
// entries and version records. Tests build a valid file, then break it.
type dynObject struct {
	class  int
	msb    bool
	strtab []byte
	tags   [][2]uint64 // dynamic entries before the automatic ones and DT_NULL
	needs  []testNeed
	defs   []string // version names defined; the first is the base (the soname)
	noNull bool     // leave out the DT_NULL terminator
	// edit changes the built file (offsets above) before it is returned.
	edit func(b []byte, o binary.ByteOrder)
}

type testNeed struct {
	file     string
	versions []string
	weak     bool
}

func (d *dynObject) order() binary.ByteOrder {
	if d.msb {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// str adds s to the string table and returns its offset.
func (d *dynObject) str(s string) uint64 {
	if len(d.strtab) == 0 {
		d.strtab = []byte{0}
	}
	off := uint64(len(d.strtab))
	d.strtab = append(append(d.strtab, s...), 0)
	return off
}

func (d *dynObject) tag(t elf.DynTag, v uint64) { d.tags = append(d.tags, [2]uint64{uint64(t), v}) }

// verneedRecords encodes the Verneed chain with each entry's Vernaux chain
// right after it.
func (d *dynObject) verneedRecords() []byte {
	o := d.order()
	var b []byte
	for i, n := range d.needs {
		rec := make([]byte, verneedSize)
		o.PutUint16(rec[0:], 1)
		o.PutUint16(rec[2:], uint16(len(n.versions)))
		o.PutUint32(rec[4:], uint32(d.str(n.file)))
		o.PutUint32(rec[8:], verneedSize)
		if i+1 < len(d.needs) {
			o.PutUint32(rec[12:], uint32(verneedSize+vernauxSize*len(n.versions)))
		}
		b = append(b, rec...)
		for j, v := range n.versions {
			aux := make([]byte, vernauxSize)
			o.PutUint32(aux[0:], ELFHash(v))
			if n.weak {
				o.PutUint16(aux[4:], VersionFlagWeak)
			}
			o.PutUint16(aux[6:], uint16(2+j))
			o.PutUint32(aux[8:], uint32(d.str(v)))
			if j+1 < len(n.versions) {
				o.PutUint32(aux[12:], vernauxSize)
			}
			b = append(b, aux...)
		}
	}
	return b
}

// verdefRecords encodes the Verdef chain, each with one Verdaux.
func (d *dynObject) verdefRecords() []byte {
	o := d.order()
	var b []byte
	for i, name := range d.defs {
		rec := make([]byte, verdefSize+verdauxSize)
		o.PutUint16(rec[0:], 1)
		if i == 0 {
			o.PutUint16(rec[2:], VersionFlagBase)
		}
		o.PutUint16(rec[4:], uint16(i+1))
		o.PutUint16(rec[6:], 1)
		o.PutUint32(rec[8:], ELFHash(name))
		o.PutUint32(rec[12:], verdefSize)
		if i+1 < len(d.defs) {
			o.PutUint32(rec[16:], verdefSize+verdauxSize)
		}
		o.PutUint32(rec[verdefSize:], uint32(d.str(name)))
		b = append(b, rec...)
	}
	return b
}

func (d *dynObject) build() []byte {
	verneed, verdef := d.verneedRecords(), d.verdefRecords()
	tags := append([][2]uint64{}, d.tags...)
	tags = append(tags, [2]uint64{uint64(elf.DT_STRTAB), dynStrtabAt}, [2]uint64{uint64(elf.DT_STRSZ), uint64(len(d.strtab))})
	if len(d.needs) > 0 {
		tags = append(tags, [2]uint64{uint64(elf.DT_VERNEED), dynVerneedAt}, [2]uint64{uint64(elf.DT_VERNEEDNUM), uint64(len(d.needs))})
	}
	if len(d.defs) > 0 {
		tags = append(tags, [2]uint64{uint64(elf.DT_VERDEF), dynVerdefAt}, [2]uint64{uint64(elf.DT_VERDEFNUM), uint64(len(d.defs))})
	}
	if !d.noNull {
		tags = append(tags, [2]uint64{uint64(elf.DT_NULL), 0})
	}
	word := uint64(d.class / 8)
	dyn := make([]byte, 2*word*uint64(len(tags)))
	for i, t := range tags {
		putWord(dyn[2*word*uint64(i):], d.order(), word, t[0])
		putWord(dyn[2*word*uint64(i)+word:], d.order(), word, t[1])
	}
	size := dynSectionAt + uint64(len(dyn))
	spec := elfSpec{class: d.class, msb: d.msb, etype: elf.ET_DYN, machine: elf.EM_X86_64,
		phdrs: []phdrSpec{
			{typ: elf.PT_LOAD, off: 0, filesz: size},
			{typ: elf.PT_DYNAMIC, off: dynSectionAt, filesz: uint64(len(dyn)), vaddr: dynSectionAt},
		},
		blobs: []blob{{dynStrtabAt, d.strtab}, {dynVerneedAt, verneed}, {dynVerdefAt, verdef}, {dynSectionAt, dyn}},
	}
	if len(d.strtab) > dynVerneedAt-dynStrtabAt || len(verneed) > dynVerdefAt-dynVerneedAt || len(verdef) > dynSectionAt-dynVerdefAt {
		panic("synthetic object regions overlap")
	}
	b := spec.build()
	if d.edit != nil {
		d.edit(b, d.order())
	}
	return b
}

func putWord(b []byte, o binary.ByteOrder, word, v uint64) {
	if word == 4 {
		o.PutUint32(b, uint32(v))
		return
	}
	o.PutUint64(b, v)
}

// sampleObject is a valid shared object of the given class and byte order
// with every feature ParseDynamic reads.
func sampleObject(class int, msb bool) *dynObject {
	d := &dynObject{class: class, msb: msb}
	d.tag(elf.DT_NEEDED, d.str("libssl.so.3"))
	d.tag(elf.DT_NEEDED, d.str("libc.so.6"))
	d.tag(elf.DT_SONAME, d.str("libsample.so.1"))
	d.tag(elf.DT_RUNPATH, d.str("$ORIGIN/../lib:/opt/lib"))
	d.tag(elf.DT_FLAGS_1, uint64(elf.DF_1_NODEFLIB))
	d.needs = []testNeed{{file: "libc.so.6", versions: []string{"GLIBC_2.34", "GLIBC_2.2.5"}}, {file: "libssl.so.3", versions: []string{"OPENSSL_3.0.0"}, weak: true}}
	d.defs = []string{"libsample.so.1", "SAMPLE_1.0"}
	return d
}
