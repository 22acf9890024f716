package binfmt

import (
	"debug/elf"
	"strconv"
	"strings"
)

// osabiNames follows file(1)'s spelling of EI_OSABI values.
var osabiNames = map[elf.OSABI]string{
	elf.ELFOSABI_NONE:       "SYSV",
	elf.ELFOSABI_HPUX:       "HP-UX",
	elf.ELFOSABI_NETBSD:     "NetBSD",
	elf.ELFOSABI_LINUX:      "GNU/Linux",
	elf.ELFOSABI_HURD:       "GNU/Hurd",
	elf.ELFOSABI_86OPEN:     "86Open",
	elf.ELFOSABI_SOLARIS:    "Solaris",
	elf.ELFOSABI_AIX:        "AIX",
	elf.ELFOSABI_IRIX:       "IRIX",
	elf.ELFOSABI_FREEBSD:    "FreeBSD",
	elf.ELFOSABI_TRU64:      "Tru64",
	elf.ELFOSABI_MODESTO:    "Novell Modesto",
	elf.ELFOSABI_OPENBSD:    "OpenBSD",
	elf.ELFOSABI_OPENVMS:    "OpenVMS",
	elf.ELFOSABI_NSK:        "HP NonStop Kernel",
	elf.ELFOSABI_AROS:       "AROS",
	elf.ELFOSABI_FENIXOS:    "FenixOS",
	elf.ELFOSABI_CLOUDABI:   "CloudABI",
	elf.ELFOSABI_ARM:        "ARM",
	elf.ELFOSABI_STANDALONE: "Standalone",
}

// osabiGOOS maps the OS/ABI names above to GOOS names; anything absent
// (SYSV, GNU/Linux, ARM, ...) is taken as linux, which is what Go and most
// Linux toolchains write.
var osabiGOOS = map[string]string{
	"NetBSD":   "netbsd",
	"GNU/Hurd": "hurd",
	"Solaris":  "solaris",
	"AIX":      "aix",
	"FreeBSD":  "freebsd",
	"OpenBSD":  "openbsd",
}

func osabiName(v byte) string {
	if n, ok := osabiNames[elf.OSABI(v)]; ok {
		return n
	}
	return "OSABI " + strconv.Itoa(int(v))
}

func osFromOSABI(name string) string {
	if goos, ok := osabiGOOS[name]; ok {
		return goos
	}
	return "linux"
}

// machineDescs follows file(1)'s descriptions of e_machine values.
var machineDescs = map[elf.Machine]string{
	elf.EM_386:       "Intel 80386",
	elf.EM_X86_64:    "x86-64",
	elf.EM_ARM:       "ARM",
	elf.EM_AARCH64:   "ARM aarch64",
	elf.EM_RISCV:     "UCB RISC-V",
	elf.EM_PPC:       "PowerPC or cisco 4500",
	elf.EM_PPC64:     "64-bit PowerPC or cisco 7500",
	elf.EM_S390:      "IBM S/390",
	elf.EM_MIPS:      "MIPS",
	elf.EM_LOONGARCH: "LoongArch",
	elf.EM_SPARC:     "SPARC",
	elf.EM_SPARCV9:   "SPARC V9",
	elf.EM_IA_64:     "IA-64",
	elf.EM_68K:       "Motorola m68k",
	elf.EM_SH:        "Renesas SH",
	elf.EM_BPF:       "eBPF",
}

// machineName returns the e_machine constant name and a description.
func machineName(m elf.Machine) (name, desc string) {
	name = m.String()
	// debug/elf renders unknown values as "EM_X+3" or a bare number.
	if !strings.HasPrefix(name, "EM_") || strings.Contains(name, "+") {
		name = "EM_" + strconv.Itoa(int(m))
	}
	desc, ok := machineDescs[m]
	if !ok {
		desc = strings.TrimPrefix(name, "EM_")
	}
	return name, desc
}

// elfGOARCH maps e_machine, class and byte order to the Go port that
// produces such binaries, or "" when no Go port does (for example
// big-endian arm64, x32, 32-bit RISC-V or 31-bit s390).
func elfGOARCH(m elf.Machine, class int, msb bool) string {
	switch {
	case m == elf.EM_X86_64 && class == 64 && !msb:
		return "amd64"
	case m == elf.EM_AARCH64 && class == 64 && !msb:
		return "arm64"
	case m == elf.EM_386 && class == 32 && !msb:
		return "386"
	case m == elf.EM_ARM && class == 32 && !msb:
		return "arm"
	case m == elf.EM_RISCV && class == 64 && !msb:
		return "riscv64"
	case m == elf.EM_PPC64 && class == 64 && msb:
		return "ppc64"
	case m == elf.EM_PPC64 && class == 64 && !msb:
		return "ppc64le"
	case m == elf.EM_S390 && class == 64 && msb:
		return "s390x"
	case m == elf.EM_LOONGARCH && class == 64 && !msb:
		return "loong64"
	case m == elf.EM_MIPS && class == 32 && msb:
		return "mips"
	case m == elf.EM_MIPS && class == 32 && !msb:
		return "mipsle"
	case m == elf.EM_MIPS && class == 64 && msb:
		return "mips64"
	case m == elf.EM_MIPS && class == 64 && !msb:
		return "mips64le"
	}
	return ""
}

func elfTypeName(t elf.Type) string {
	switch t {
	case elf.ET_EXEC:
		return TypeExecutable
	case elf.ET_DYN:
		return TypeSharedObject // refined by the program headers
	case elf.ET_REL:
		return TypeRelocatable
	case elf.ET_CORE:
		return TypeCore
	}
	return "unknown-0x" + strconv.FormatUint(uint64(t), 16)
}
