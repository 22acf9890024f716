package binfmt

import (
	"bytes"
	"debug/elf"
)

// ELF e_flags bits that decide the float ABI, and with it which ld.so.cache
// entries a loader accepts.
const (
	efARMABIFloatHard   = 0x400 // EF_ARM_ABI_FLOAT_HARD
	efRISCVFloatABIMask = 0x6   // EF_RISCV_FLOAT_ABI
	efRISCVFloatDouble  = 0x4
	efLArchABIMask      = 0x7 // EF_LARCH_ABI_MODIFIER_MASK
	efLArchDoubleFloat  = 0x3
)

// LDCacheFlags returns the ld.so.cache entry flags that the glibc loader
// for objects of this machine, class and e_flags accepts (glibc's
// _dl_cache_check_flags), preferred first. Entries for another ABI (32-bit
// libraries in a 64-bit system's cache, soft-float ones on a hard-float
// system) are not accepted, as the loader skips them.
func LDCacheFlags(machine elf.Machine, class int, eflags uint32) []int32 {
	libc6 := func(abi int32) []int32 { return []int32{abi | LDCacheFlagELFLibc6} }
	switch {
	case machine == elf.EM_X86_64 && class == 64:
		return libc6(LDCacheX8664Lib64)
	case machine == elf.EM_X86_64 && class == 32:
		return libc6(LDCacheX8664LibX32)
	case machine == elf.EM_AARCH64 && class == 64:
		return libc6(LDCacheAArch64Lib64)
	case machine == elf.EM_ARM:
		if eflags&efARMABIFloatHard != 0 {
			return []int32{LDCacheARMLibHF | LDCacheFlagELFLibc6, LDCacheFlagELFLibc6}
		}
		return []int32{LDCacheARMLibSF | LDCacheFlagELFLibc6, LDCacheFlagELFLibc6}
	case machine == elf.EM_S390 && class == 64:
		return libc6(LDCacheS390Lib64)
	case machine == elf.EM_PPC64:
		return libc6(LDCachePowerPCLib64)
	case machine == elf.EM_SPARCV9 && class == 64:
		return libc6(LDCacheSparcLib64)
	case machine == elf.EM_IA_64:
		return libc6(LDCacheIA64Lib64)
	case machine == elf.EM_RISCV:
		if eflags&efRISCVFloatABIMask == efRISCVFloatDouble {
			return libc6(LDCacheRISCVDouble)
		}
		return libc6(LDCacheRISCVSoft)
	case machine == elf.EM_LOONGARCH:
		if eflags&efLArchABIMask == efLArchDoubleFloat {
			return libc6(LDCacheLArchDouble)
		}
		return libc6(LDCacheLArchSoft)
	case machine == elf.EM_MIPS && class == 64:
		return libc6(LDCacheMIPS64LibN64)
	}
	// glibc's generic rule (i386, 32-bit PowerPC and MIPS, ...).
	return []int32{LDCacheFlagELFLibc6, LDCacheFlagELF}
}

// maxMuslPathEntries bounds the directories taken from a musl path file.
const maxMuslPathEntries = 1024

// ParseMuslPath splits the contents of musl's /etc/ld-musl-$ARCH.path (or
// an LD_LIBRARY_PATH value under musl) into directories as musl's
// path_open does: separators are ':' and newline, empty elements are
// skipped, and the list ends at a NUL byte (musl reads it as a C string).
// At most 1024 directories are returned; more bool says some were dropped.
func ParseMuslPath(data []byte) (dirs []string, more bool) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		data = data[:i]
	}
	for len(data) > 0 {
		i := bytes.IndexAny(data, ":\n")
		if i < 0 {
			i = len(data)
		}
		if i > 0 {
			if len(dirs) == maxMuslPathEntries {
				return dirs, true
			}
			dirs = append(dirs, string(data[:i]))
		}
		data = data[min(i+1, len(data)):]
	}
	return dirs, false
}
