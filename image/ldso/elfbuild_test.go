package ldso

import (
	"debug/elf"
	"encoding/binary"

	"github.com/imgcheck/imgcheck/image/binfmt"
)

// testELF describes a synthetic ELF object for the emulation's table tests.
type testELF struct {
	class   int // 64 unless 32
	machine elf.Machine
	etype   elf.Type
	interp  string
	needed  []string
	soname  string
	rpath   string
	runpath string
	flags1  uint64
	needs   map[string][]string // versions needed, by file
	weak    bool                // the needed versions are weak
	defs    []string            // versions defined (the first is the base)
}

// build lays the object out as: ELF header, program headers (PT_LOAD of
// the whole file at address 0, PT_INTERP, PT_DYNAMIC), then interpreter,
// strings, version records and the dynamic section.
func (e testELF) build() []byte {
	if e.class == 0 {
		e.class = 64
	}
	if e.machine == 0 {
		e.machine = elf.EM_X86_64
	}
	if e.etype == 0 {
		e.etype = elf.ET_DYN
	}
	o := binary.LittleEndian
	word := e.class / 8
	ehdr, phent := 64, 56
	if e.class == 32 {
		ehdr, phent = 52, 32
	}
	strtab := []byte{0}
	str := func(s string) uint64 {
		off := uint64(len(strtab))
		strtab = append(append(strtab, s...), 0)
		return off
	}
	var dyn [][2]uint64
	tag := func(t elf.DynTag, v uint64) { dyn = append(dyn, [2]uint64{uint64(t), v}) }
	for _, n := range e.needed {
		tag(elf.DT_NEEDED, str(n))
	}
	if e.soname != "" {
		tag(elf.DT_SONAME, str(e.soname))
	}
	if e.rpath != "" {
		tag(elf.DT_RPATH, str(e.rpath))
	}
	if e.runpath != "" {
		tag(elf.DT_RUNPATH, str(e.runpath))
	}
	if e.flags1 != 0 {
		tag(elf.DT_FLAGS_1, e.flags1)
	}
	var verneed []byte
	files := 0
	for file, versions := range e.needs {
		files++
		rec := make([]byte, 16)
		o.PutUint16(rec[0:], 1)
		o.PutUint16(rec[2:], uint16(len(versions)))
		o.PutUint32(rec[4:], uint32(str(file)))
		o.PutUint32(rec[8:], 16)
		if files < len(e.needs) {
			o.PutUint32(rec[12:], uint32(16+16*len(versions)))
		}
		verneed = append(verneed, rec...)
		for i, v := range versions {
			aux := make([]byte, 16)
			o.PutUint32(aux[0:], binfmt.ELFHash(v))
			if e.weak {
				o.PutUint16(aux[4:], binfmt.VersionFlagWeak)
			}
			o.PutUint32(aux[8:], uint32(str(v)))
			if i+1 < len(versions) {
				o.PutUint32(aux[12:], 16)
			}
			verneed = append(verneed, aux...)
		}
	}
	var verdef []byte
	for i, v := range e.defs {
		rec := make([]byte, 28)
		o.PutUint16(rec[0:], 1)
		if i == 0 {
			o.PutUint16(rec[2:], binfmt.VersionFlagBase)
		}
		o.PutUint16(rec[4:], uint16(i+1))
		o.PutUint16(rec[6:], 1)
		o.PutUint32(rec[8:], binfmt.ELFHash(v))
		o.PutUint32(rec[12:], 20)
		if i+1 < len(e.defs) {
			o.PutUint32(rec[16:], 28)
		}
		o.PutUint32(rec[20:], uint32(str(v)))
		verdef = append(verdef, rec...)
	}
	phnum := 2
	if e.interp != "" {
		phnum = 3
	}
	interpAt := ehdr + phnum*phent
	strAt := interpAt + len(e.interp) + 1
	verneedAt := strAt + len(strtab)
	verdefAt := verneedAt + len(verneed)
	dynAt := (verdefAt + len(verdef) + 7) &^ 7
	tag(elf.DT_STRTAB, uint64(strAt))
	tag(elf.DT_STRSZ, uint64(len(strtab)))
	if len(verneed) > 0 {
		tag(elf.DT_VERNEED, uint64(verneedAt))
		tag(elf.DT_VERNEEDNUM, uint64(len(e.needs)))
	}
	if len(verdef) > 0 {
		tag(elf.DT_VERDEF, uint64(verdefAt))
		tag(elf.DT_VERDEFNUM, uint64(len(e.defs)))
	}
	tag(elf.DT_NULL, 0)
	size := dynAt + 2*word*len(dyn)
	b := make([]byte, size)
	put := func(at int, v uint64) {
		if word == 4 {
			o.PutUint32(b[at:], uint32(v))
		} else {
			o.PutUint64(b[at:], v)
		}
	}
	copy(b, elf.ELFMAG)
	b[elf.EI_CLASS], b[elf.EI_DATA], b[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), 1
	phoffAt := 32
	if e.class == 32 {
		b[elf.EI_CLASS], phoffAt = byte(elf.ELFCLASS32), 28
	}
	o.PutUint16(b[16:], uint16(e.etype))
	o.PutUint16(b[18:], uint16(e.machine))
	o.PutUint32(b[20:], 1)
	put(phoffAt, uint64(ehdr))
	o.PutUint16(b[ehdr-10:], uint16(phent)) // e_phentsize
	o.PutUint16(b[ehdr-8:], uint16(phnum))  // e_phnum
	phdr := func(i int, typ elf.ProgType, off, filesz uint64) {
		at := ehdr + i*phent
		o.PutUint32(b[at:], uint32(typ))
		if e.class == 32 {
			put(at+4, off)
			put(at+8, off) // p_vaddr
			put(at+16, filesz)
			put(at+20, filesz)
		} else {
			put(at+8, off)
			put(at+16, off) // p_vaddr
			put(at+32, filesz)
			put(at+40, filesz)
		}
	}
	phdr(0, elf.PT_LOAD, 0, uint64(size))
	phdr(1, elf.PT_DYNAMIC, uint64(dynAt), uint64(2*word*len(dyn)))
	if e.interp != "" {
		phdr(2, elf.PT_INTERP, uint64(interpAt), uint64(len(e.interp)+1))
		copy(b[interpAt:], e.interp)
	}
	copy(b[strAt:], strtab)
	copy(b[verneedAt:], verneed)
	copy(b[verdefAt:], verdef)
	for i, d := range dyn {
		put(dynAt+2*word*i, d[0])
		put(dynAt+2*word*i+word, d[1])
	}
	return b
}

// ldCacheFile is a new-format ld.so.cache with one x86-64 entry.
func ldCacheFile(key, value string) []byte {
	o := binary.LittleEndian
	b := make([]byte, 48+24)
	copy(b, "glibc-ld.so.cache1.1")
	o.PutUint32(b[20:], 1)
	b[28] = 2 // little-endian
	o.PutUint32(b[48:], 0x303)
	o.PutUint32(b[52:], uint32(len(b)))
	o.PutUint32(b[56:], uint32(len(b)+len(key)+1))
	b = append(append(b, key...), 0)
	b = append(append(b, value...), 0)
	o.PutUint32(b[24:], uint32(len(key)+len(value)+2))
	return b
}
