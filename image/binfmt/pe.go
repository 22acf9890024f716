package binfmt

import (
	"debug/pe"
	"encoding/binary"
	"strconv"
)

const (
	dosHeaderSize = 0x40
	lfanewAt      = 0x3c
	// maxLfanew is the bound Windows' RtlImageNtHeaderEx puts on e_lfanew
	// (RTLP_IMAGE_MAX_DOS_HEADER, 256 MiB); larger values are refused.
	maxLfanew        = 256 << 20
	peSignatureSize  = 4
	coffHeaderSize   = 20
	optMagicSize     = 2
	subsystemAt      = 68 // same offset in PE32 and PE32+ optional headers
	subsystemEnd     = subsystemAt + 2
	optMagicPE32     = 0x10b
	optMagicPE32Plus = 0x20b
)

type peMachineName struct{ name, desc, goarch string }

var peMachines = map[uint16]peMachineName{
	pe.IMAGE_FILE_MACHINE_I386:        {"I386", "Intel 80386", "386"},
	pe.IMAGE_FILE_MACHINE_AMD64:       {"AMD64", "x86-64", "amd64"},
	pe.IMAGE_FILE_MACHINE_ARM64:       {"ARM64", "ARM aarch64", "arm64"},
	pe.IMAGE_FILE_MACHINE_ARMNT:       {"ARMNT", "ARM Thumb-2", "arm"},
	pe.IMAGE_FILE_MACHINE_ARM:         {"ARM", "ARM", ""},
	pe.IMAGE_FILE_MACHINE_THUMB:       {"THUMB", "ARM Thumb", ""},
	pe.IMAGE_FILE_MACHINE_IA64:        {"IA64", "IA-64", ""},
	pe.IMAGE_FILE_MACHINE_RISCV64:     {"RISCV64", "RISC-V 64-bit", ""},
	pe.IMAGE_FILE_MACHINE_LOONGARCH64: {"LOONGARCH64", "LoongArch 64-bit", ""},
	0xa641:                            {"ARM64EC", "ARM64EC", ""},
	0xa64e:                            {"ARM64X", "ARM64X", ""},
}

var peSubsystems = map[uint16]string{
	pe.IMAGE_SUBSYSTEM_NATIVE:                   "native",
	pe.IMAGE_SUBSYSTEM_WINDOWS_GUI:              "windows-gui",
	pe.IMAGE_SUBSYSTEM_WINDOWS_CUI:              "windows-cui",
	pe.IMAGE_SUBSYSTEM_OS2_CUI:                  "os2-cui",
	pe.IMAGE_SUBSYSTEM_POSIX_CUI:                "posix-cui",
	pe.IMAGE_SUBSYSTEM_NATIVE_WINDOWS:           "native-windows",
	pe.IMAGE_SUBSYSTEM_WINDOWS_CE_GUI:           "windows-ce-gui",
	pe.IMAGE_SUBSYSTEM_EFI_APPLICATION:          "efi-application",
	pe.IMAGE_SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER:  "efi-boot-service-driver",
	pe.IMAGE_SUBSYSTEM_EFI_RUNTIME_DRIVER:       "efi-runtime-driver",
	pe.IMAGE_SUBSYSTEM_EFI_ROM:                  "efi-rom",
	pe.IMAGE_SUBSYSTEM_XBOX:                     "xbox",
	pe.IMAGE_SUBSYSTEM_WINDOWS_BOOT_APPLICATION: "windows-boot-application",
}

// identifyPE reads the DOS header's e_lfanew, the PE signature, the COFF
// header and the optional header's magic and subsystem. A file with "MZ"
// but no PE signature is a DOS program (or corrupt) and stays unknown.
func identifyPE(in *input) Info {
	info := Info{Kind: KindUnknown}
	dos, ok := in.span(0, dosHeaderSize, "DOS header")
	if !ok {
		return info
	}
	lfanew := uint64(binary.LittleEndian.Uint32(dos[lfanewAt:]))
	if lfanew >= maxLfanew {
		in.problem("e_lfanew %#x beyond Windows' limit of %#x", lfanew, maxLfanew)
		return info
	}
	sig, ok := in.span(lfanew, peSignatureSize, "PE signature")
	if !ok {
		return info
	}
	if string(sig) != "PE\x00\x00" {
		in.problem("MZ header without PE signature at e_lfanew %#x (DOS program or corrupt)", lfanew)
		return info
	}
	info.Kind = KindPE
	coff, ok := in.span(lfanew+peSignatureSize, coffHeaderSize, "COFF header")
	if !ok {
		return info
	}
	machine := binary.LittleEndian.Uint16(coff[0:])
	if m, known := peMachines[machine]; known {
		info.PEMachine, info.MachineDesc, info.GOARCH = m.name, m.desc, m.goarch
	} else {
		info.PEMachine = "0x" + strconv.FormatUint(uint64(machine), 16)
		info.MachineDesc = "unknown machine"
	}
	info.Type = TypePEExecutable
	if binary.LittleEndian.Uint16(coff[18:])&pe.IMAGE_FILE_DLL != 0 {
		info.Type = TypePEDLL
	}
	optSize := uint64(binary.LittleEndian.Uint16(coff[16:]))
	optAt := lfanew + peSignatureSize + coffHeaderSize
	if optSize < optMagicSize {
		in.problem("no optional header (SizeOfOptionalHeader %d)", optSize)
		return info
	}
	magic, ok := in.span(optAt, optMagicSize, "optional header")
	if !ok {
		return info
	}
	switch binary.LittleEndian.Uint16(magic) {
	case optMagicPE32:
	case optMagicPE32Plus:
		info.PE32Plus = true
	default:
		in.problem("optional header magic %#x is neither PE32 nor PE32+", binary.LittleEndian.Uint16(magic))
		return info
	}
	if optSize < subsystemEnd {
		in.problem("optional header of %d bytes too short for the subsystem", optSize)
		return info
	}
	sub, ok := in.span(optAt+subsystemAt, 2, "optional header subsystem")
	if !ok {
		return info
	}
	v := binary.LittleEndian.Uint16(sub)
	if name, known := peSubsystems[v]; known {
		info.Subsystem = name
	} else {
		info.Subsystem = "subsystem-" + strconv.Itoa(int(v))
	}
	return info
}
