package binfmt

import (
	"debug/elf"
)

// Limits of ParseDynamic. Each bounds work or memory that a hostile file
// could otherwise make grow with a count it states.
const (
	// maxDynamicString bounds one string read from the dynamic string table
	// (a DT_NEEDED name, an RPATH list, a version name).
	maxDynamicString = 16 << 10
	// maxDynamicStringBytes bounds all strings ParseDynamic copies out.
	maxDynamicStringBytes = 1 << 20
	// maxVersionRecords bounds the Verneed, Vernaux, Verdef and Verdaux
	// records read from one file; glibc's libc.so.6 has fewer than 100.
	maxVersionRecords = 4096
)

// Version flags of Vernaux and Verdef records (vna_flags, vd_flags).
const (
	VersionFlagBase = 0x1 // VER_FLG_BASE: the Verdef naming the file itself
	VersionFlagWeak = 0x2 // VER_FLG_WEAK: a need the loader only warns about
)

// ELFHeader holds the identification and header fields a dynamic loader
// checks before it maps a file.
type ELFHeader struct {
	Class        int  // 32 or 64; 0 when EI_CLASS is neither
	RawClass     byte // EI_CLASS
	Data         byte // EI_DATA: 1 little-endian, 2 big-endian
	IdentVersion byte // EI_VERSION
	OSABI        byte // EI_OSABI
	ABIVersion   byte // EI_ABIVERSION
	PadZero      bool // the EI_PAD bytes are all zero
	Type         elf.Type
	Machine      elf.Machine
	Version      uint32 // e_version
	Flags        uint32 // e_flags (float ABI bits on ARM and RISC-V)
	Phentsize    uint16
	Phnum        uint16
}

// Dynamic is what an ELF file tells a dynamic loader: its header, program
// interpreter, and what its dynamic section (PT_DYNAMIC) references through
// the dynamic string table.
type Dynamic struct {
	Header ELFHeader
	// HeaderRead is true when the whole ELF header was parsed.
	HeaderRead bool
	// ProgramHeadersRead is true when the program header table was parsed.
	ProgramHeadersRead bool
	LoadSegments       int    // number of PT_LOAD headers
	Interpreter        string // PT_INTERP path up to its first NUL
	HasInterp          bool
	HasDynamic         bool // a PT_DYNAMIC header exists
	DynamicEmpty       bool // PT_DYNAMIC has p_filesz 0 (glibc: "object file has no dynamic section")

	Needed     []string // DT_NEEDED names, in order
	Auxiliary  []string // DT_AUXILIARY names (loaded when present)
	Filters    []string // DT_FILTER names (must load)
	SONAME     string
	HasSONAME  bool
	RPath      string // DT_RPATH, colon-separated, with $ORIGIN etc. unexpanded
	HasRPath   bool
	RunPath    string // DT_RUNPATH
	HasRunPath bool
	Flags      uint64 // DT_FLAGS
	Flags1     uint64 // DT_FLAGS_1 (DF_1_NODEFLIB, DF_1_PIE, ...)

	HasVerneed   bool // DT_VERNEED present
	VersionNeeds []VersionNeed
	HasVerdef    bool // DT_VERDEF present
	VersionDefs  []VersionDef

	// Need > 0 means the prefix was too short: read at least Need bytes from
	// the start of the file and parse again. Never set for data that lies
	// beyond the end of a file of known size: that is a problem instead.
	Need int64
	// Problems lists malformations: offsets outside the file or outside
	// their segment, strings without a terminator, version chains that
	// loop, counts beyond this package's limits.
	Problems []string
}

// VersionNeed is one Verneed record: the versions an object needs from
// one of its dependencies.
type VersionNeed struct {
	Version  uint16 // vn_version; glibc accepts 1 only
	File     string // vn_file: the dependency's name, e.g. "libc.so.6"
	Versions []NeededVersion
}

// NeededVersion is one Vernaux record, e.g. GLIBC_2.34 needed from libc.so.6.
type NeededVersion struct {
	Name  string
	Hash  uint32 // vna_hash: the ELF hash of Name, which glibc compares with vd_hash
	Flags uint16 // VersionFlagWeak ...
	Other uint16 // vna_other: the version index
}

// Weak reports whether a missing definition is only a warning.
func (v NeededVersion) Weak() bool { return v.Flags&VersionFlagWeak != 0 }

// VersionDef is one Verdef record: a version an object defines.
type VersionDef struct {
	Version uint16 // vd_version; glibc accepts 1 only
	Flags   uint16 // VersionFlagBase ...
	Index   uint16 // vd_ndx
	Hash    uint32 // vd_hash
	Name    string // the first Verdaux name: the version's own name
}

// Base reports whether the definition names the file itself (its soname)
// rather than a symbol version.
func (v VersionDef) Base() bool { return v.Flags&VersionFlagBase != 0 }

// Complete reports whether the parse finished without needing more bytes
// and without problems.
func (d Dynamic) Complete() bool { return d.Need == 0 && len(d.Problems) == 0 }

// ELFHash is the SysV ELF hash that Verneed and Verdef records carry for
// their names (vna_hash, vd_hash).
func ELFHash(name string) uint32 {
	var h uint32
	for i := 0; i < len(name); i++ {
		h = h<<4 + uint32(name[i])
		g := h & 0xf0000000
		if g != 0 {
			h ^= g >> 24
		}
		h &^= g
	}
	return h
}

// ParseDynamic reads the dynamic-loading view of an ELF file from its first
// bytes. size is the file's size (< 0 when unknown): with it, data placed
// beyond the end of the file is a problem rather than a Need. It never
// panics; every offset and count read from the file is bounds-checked, and
// loops and copies are bounded by the limits above.
//
// Virtual addresses in the dynamic section (DT_STRTAB, DT_VERNEED,
// DT_VERDEF) are mapped to file offsets through the PT_LOAD headers, as the
// loader's mapping would place them. Version chains are walked as glibc
// walks them: by vn_next/vna_next/vd_next until a zero link, not by the
// DT_VERNEEDNUM/DT_VERDEFNUM counts.
func ParseDynamic(prefix []byte, size int64) Dynamic {
	return parseDynamicInput(newInput(prefix, size))
}

func parseDynamicInput(in *input) Dynamic {
	var d Dynamic
	r := dynReader{in: in, d: &d}
	r.parse()
	d.Need = in.needed
	d.Problems = append(d.Problems, in.problems...)
	return d
}
