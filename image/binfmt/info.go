package binfmt

import (
	"strconv"
	"strings"
)

// Kind is the broad format of a file.
type Kind string

// The kinds Identify recognises.
const (
	KindELF     Kind = "elf"
	KindPE      Kind = "pe"
	KindScript  Kind = "script"
	KindUnknown Kind = "unknown"
)

// ELF types reported in Info.Type.
const (
	TypeExecutable          = "executable"
	TypePIEExecutable       = "pie-executable"
	TypeStaticPIEExecutable = "static-pie-executable"
	TypeSharedObject        = "shared-object"
	TypeRelocatable         = "relocatable"
	TypeCore                = "core"
)

// PE types reported in Info.Type.
const (
	TypePEExecutable = "executable"
	TypePEDLL        = "dll"
)

// Info is what a file is, judged from its first bytes.
type Info struct {
	Kind Kind
	// ELF
	Class     int    // 32 or 64
	ByteOrder string // "LSB" or "MSB"
	OSABI     string // "SYSV", "GNU/Linux", "FreeBSD", ...
	// Type is one of the Type* constants for ELF ("executable", "pie-executable",
	// "static-pie-executable", "shared-object", "relocatable", "core", or
	// "unknown-0xNNNN"); for PE it is "executable" or "dll". While Need > 0
	// an ET_DYN file reads "shared-object" until its PT_INTERP is seen.
	Type        string
	Machine     string // e_machine constant name, e.g. "EM_AARCH64"
	MachineDesc string // e.g. "ARM aarch64", "x86-64"; also set for PE
	// GOARCH is amd64, arm64, 386, arm, riscv64, ppc64, ppc64le, s390x, mips...,
	// loong64; "" if the machine, class and byte order match no Go port.
	// Also set for PE.
	GOARCH      string
	Interpreter string // PT_INTERP path; "" when static
	Dynamic     bool   // PT_DYNAMIC present
	// ProgramHeadersRead is true when the program header table was parsed,
	// so Interpreter, HasInterp and Dynamic are meaningful.
	ProgramHeadersRead bool
	// HasInterp is true when a PT_INTERP header exists, even if its path
	// could not be read (then Interpreter is "" and Problems says why).
	HasInterp bool
	// TypeGuessed is true when an ET_DYN file without PT_INTERP was classified
	// from e_entry because its dynamic section (DT_FLAGS_1) lies beyond the prefix.
	TypeGuessed bool
	// PE
	PEMachine string // "AMD64", "ARM64", "I386", ...
	Subsystem string // "windows-cui", "windows-gui", ...
	PE32Plus  bool   // optional header magic 0x20b (PE32+) rather than 0x10b (PE32)
	// Script
	ScriptInterpreter string // "/bin/sh" from "#!/bin/sh -e"
	ScriptArg         string // "-e" (everything after the interpreter, as Linux passes it: one argument)
	// Need > 0 means the prefix was too short to finish (for example program headers or the
	// PT_INTERP string lie beyond it): read at least Need bytes from the start of the file and call Identify again.
	// It is never set when the file's size is known (IdentifyPrefix with a size, IdentifyReader at EOF):
	// then data beyond the end is a problem. IdentifyReader leaves it set when Need exceeds its limit.
	Need int64
	// Problems found in the header (e.g. "program header table beyond end of file",
	// "truncated PT_INTERP") - malformed but identified.
	Problems []string
}

// Static reports whether the file is an ELF executable that needs no
// interpreter (ET_EXEC or static PIE without PT_INTERP). It fails closed:
// false while Need > 0, when the program headers were not read, and when
// the header has problems.
func (i Info) Static() bool {
	if i.Kind != KindELF || i.Need > 0 || !i.ProgramHeadersRead || i.HasInterp || len(i.Problems) > 0 {
		return false
	}
	return i.Type == TypeExecutable || i.Type == TypeStaticPIEExecutable
}

// Platform is a best guess of the OCI platform the file runs on: ELF is
// "linux" unless its OS/ABI names another system; PE is "windows". arch is
// the GOARCH name ("" when unknown). variant is left empty: the ELF and PE
// headers do not record an ARM architecture level.
func (i Info) Platform() (os, arch, variant string) {
	switch i.Kind {
	case KindELF:
		return osFromOSABI(i.OSABI), i.GOARCH, ""
	case KindPE:
		return "windows", i.GOARCH, ""
	}
	return "", "", ""
}

// String renders the file like file(1) does, for example
// "ELF 64-bit LSB executable, ARM aarch64, static".
func (i Info) String() string {
	var b strings.Builder
	switch i.Kind {
	case KindELF:
		i.writeELF(&b)
	case KindPE:
		i.writePE(&b)
	case KindScript:
		b.WriteString("script")
		if i.ScriptInterpreter != "" {
			b.WriteString(", #!" + printable(i.ScriptInterpreter))
			if i.ScriptArg != "" {
				b.WriteString(" " + printable(i.ScriptArg))
			}
		}
	default:
		b.WriteString("unknown")
	}
	if i.Need > 0 {
		b.WriteString(", incomplete: need " + strconv.FormatInt(i.Need, 10) + " bytes")
	}
	if len(i.Problems) > 0 {
		b.WriteString(" (malformed: " + strings.Join(i.Problems, "; ") + ")")
	}
	return b.String()
}

func (i Info) writeELF(b *strings.Builder) {
	b.WriteString("ELF")
	if i.Class != 0 {
		b.WriteString(" " + strconv.Itoa(i.Class) + "-bit")
	}
	if i.ByteOrder != "" {
		b.WriteString(" " + i.ByteOrder)
	}
	if i.Type == "" {
		return
	}
	b.WriteString(" " + elfTypeWords(i.Type))
	if i.MachineDesc != "" {
		b.WriteString(", " + i.MachineDesc)
	}
	if i.OSABI != "" && osFromOSABI(i.OSABI) != "linux" {
		b.WriteString(", " + i.OSABI)
	}
	if i.Need > 0 || !i.ProgramHeadersRead {
		return
	}
	switch {
	case i.Interpreter != "":
		b.WriteString(", dynamic, interpreter " + printable(i.Interpreter))
	case i.HasInterp:
		b.WriteString(", dynamic, unreadable interpreter")
	case i.Type == TypeStaticPIEExecutable:
		b.WriteString(", static-pie")
	case i.Type == TypeExecutable:
		b.WriteString(", static")
	case i.Dynamic:
		b.WriteString(", dynamic")
	}
	if i.TypeGuessed {
		b.WriteString(" (guessed from entry point)")
	}
}

func elfTypeWords(t string) string {
	switch t {
	case TypePIEExecutable, TypeStaticPIEExecutable:
		return "pie executable"
	case TypeSharedObject:
		return "shared object"
	case TypeCore:
		return "core file"
	}
	return t
}

func (i Info) writePE(b *strings.Builder) {
	switch {
	case i.PE32Plus:
		b.WriteString("PE32+")
	case i.Subsystem != "": // the optional header was read: PE32
		b.WriteString("PE32")
	default:
		b.WriteString("PE")
	}
	if i.Type == "" {
		return
	}
	if i.Type == TypePEDLL {
		b.WriteString(" DLL")
	} else {
		b.WriteString(" executable")
	}
	if i.PEMachine != "" {
		b.WriteString(", " + i.MachineDesc + " (" + i.PEMachine + ")")
	}
	switch i.Subsystem {
	case "":
	case "windows-cui":
		b.WriteString(", console")
	case "windows-gui":
		b.WriteString(", GUI")
	default:
		b.WriteString(", " + i.Subsystem)
	}
}

// printable quotes s when it holds bytes a terminal should not see raw
// (control characters from a hostile header, a CR from a CRLF script).
func printable(s string) string {
	if q := strconv.Quote(s); q[1:len(q)-1] != s {
		return q
	}
	return s
}
