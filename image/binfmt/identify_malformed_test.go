package binfmt

import (
	"debug/elf"
	"debug/pe"
	"strings"
	"testing"
)

// identifyCase is one synthetic input. size < 0 means the file size is
// unknown (Identify); sizeKnown passes len(in) to IdentifyPrefix.
type identifyCase struct {
	name      string
	in        []byte
	sizeKnown bool
	want      identifyWant
}

// identifyWant lists the fields every case checks exactly; problem is a
// substring of the one expected problem ("" means no problems).
type identifyWant struct {
	kind         Kind
	typ          string
	goarch       string
	interp       string
	scriptInterp string
	scriptArg    string
	need         int64
	problem      string
	static       bool // Info.Static()
}

const (
	ld64     = "/lib64/ld-linux-x86-64.so.2\x00"
	interpAt = 0x200
)

// staticELF is a minimal ET_EXEC amd64 file with one PT_LOAD.
func staticELF() elfSpec {
	return elfSpec{class: 64, etype: elf.ET_EXEC, machine: elf.EM_X86_64, entry: 0x401000,
		phdrs: []phdrSpec{{typ: elf.PT_LOAD, off: 0, filesz: 0x1000}}}
}

// interpELF is an ET_DYN amd64 file whose PT_INTERP holds interp at interpAt.
func interpELF(interp string, off uint64, filesz uint64) elfSpec {
	return elfSpec{class: 64, etype: elf.ET_DYN, machine: elf.EM_X86_64, entry: 0x1000,
		phdrs: []phdrSpec{{typ: elf.PT_INTERP, off: off, filesz: filesz}, {typ: elf.PT_DYNAMIC, off: 0x300, filesz: 16}},
		blobs: []blob{{off: interpAt, data: []byte(interp)}, {off: 0x300, data: make([]byte, 16)}}}
}

func elfCases() []identifyCase {
	withPatch := func(s elfSpec, patch func(h elfHeaderWriter)) elfSpec { s.patch = patch; return s }
	truncated32 := elfSpec{class: 32, etype: elf.ET_EXEC, machine: elf.EM_386}.build()[:30]
	phoffPastEnd := withPatch(staticELF(), func(h elfHeaderWriter) { h.setPhoff(0x10000) }).build()
	return []identifyCase{
		{name: "empty", in: nil, want: identifyWant{kind: KindUnknown, need: minSniff}},
		{name: "empty file", in: nil, sizeKnown: true, want: identifyWant{kind: KindUnknown}},
		{name: "3 bytes of ELF magic", in: []byte("\x7fEL"), want: identifyWant{kind: KindUnknown, need: minSniff}},
		{name: "ELF magic only", in: []byte("\x7fELF"), want: identifyWant{kind: KindELF, need: elf.EI_NIDENT}},
		{name: "32-bit header truncated", in: truncated32, want: identifyWant{kind: KindELF, need: 52}},
		{name: "32-bit header truncated file", in: truncated32, sizeKnown: true,
			want: identifyWant{kind: KindELF, problem: "ELF header beyond end of file"}},
		{name: "invalid class", in: []byte("\x7fELF\x03\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
			want: identifyWant{kind: KindELF, problem: "invalid ELF class 3"}},
		{name: "invalid byte order", in: []byte("\x7fELF\x02\x07\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
			want: identifyWant{kind: KindELF, problem: "invalid ELF byte order 7"}},
		{name: "static", in: staticELF().build(), want: identifyWant{static: true, kind: KindELF, typ: TypeExecutable, goarch: "amd64"}},
		{name: "phoff past end of prefix", in: phoffPastEnd,
			want: identifyWant{kind: KindELF, typ: TypeExecutable, goarch: "amd64", need: 0x10000 + 56}},
		{name: "phoff past end of file", in: phoffPastEnd, sizeKnown: true,
			want: identifyWant{kind: KindELF, typ: TypeExecutable, goarch: "amd64", problem: "program header table beyond end of file"}},
		{name: "phoff overflows", in: withPatch(staticELF(), func(h elfHeaderWriter) { h.setPhoff(^uint64(0) - 8) }).build(),
			want: identifyWant{kind: KindELF, typ: TypeExecutable, goarch: "amd64", problem: "overflows"}},
		{name: "phoff beyond any file", in: withPatch(staticELF(), func(h elfHeaderWriter) { h.setPhoff(1 << 63) }).build(),
			want: identifyWant{kind: KindELF, typ: TypeExecutable, goarch: "amd64", problem: "beyond any file"}},
		{name: "huge phnum", in: withPatch(staticELF(), func(h elfHeaderWriter) { h.setPhnum(0xfff0) }).build(),
			want: identifyWant{kind: KindELF, typ: TypeExecutable, goarch: "amd64", problem: "exceeds Linux's 65536-byte limit"}},
		{name: "PN_XNUM", in: withPatch(staticELF(), func(h elfHeaderWriter) { h.setPhnum(0xffff) }).build(),
			want: identifyWant{kind: KindELF, typ: TypeExecutable, goarch: "amd64", problem: "PN_XNUM"}},
		{name: "no program headers", in: withPatch(staticELF(), func(h elfHeaderWriter) { h.setPhnum(0) }).build(),
			want: identifyWant{kind: KindELF, typ: TypeExecutable, goarch: "amd64", problem: "no program headers"}},
		{name: "phentsize too small", in: withPatch(staticELF(), func(h elfHeaderWriter) { h.setPhentsize(8) }).build(),
			want: identifyWant{kind: KindELF, typ: TypeExecutable, goarch: "amd64", problem: "e_phentsize 8 smaller than 56"}},
		{name: "absurd phentsize", in: withPatch(staticELF(), func(h elfHeaderWriter) { h.setPhentsize(0xffff) }).build(),
			want: identifyWant{kind: KindELF, typ: TypeExecutable, goarch: "amd64", need: 64 + 0xffff, problem: "e_phentsize 65535, Linux requires 56"}},
		{name: "pie with interpreter", in: interpELF(ld64, interpAt, uint64(len(ld64))).build(),
			want: identifyWant{kind: KindELF, typ: TypePIEExecutable, goarch: "amd64", interp: "/lib64/ld-linux-x86-64.so.2"}},
		{name: "PT_INTERP beyond prefix", in: interpELF(ld64, 0x8000, uint64(len(ld64))).build(),
			want: identifyWant{kind: KindELF, typ: TypePIEExecutable, goarch: "amd64", need: 0x8000 + int64(len(ld64))}},
		{name: "PT_INTERP beyond file", in: interpELF(ld64, 0x8000, uint64(len(ld64))).build(), sizeKnown: true,
			want: identifyWant{kind: KindELF, typ: TypePIEExecutable, goarch: "amd64", problem: "PT_INTERP beyond end of file"}},
		{name: "unterminated PT_INTERP", in: interpELF("/lib/ld-musl-x86_64.so.1", interpAt, 24).build(),
			want: identifyWant{kind: KindELF, typ: TypePIEExecutable, goarch: "amd64", interp: "/lib/ld-musl-x86_64.so.1", problem: "not NUL-terminated"}},
		{name: "PT_INTERP longer than PATH_MAX", in: interpELF(ld64, interpAt, 5000).build(),
			want: identifyWant{kind: KindELF, typ: TypePIEExecutable, goarch: "amd64", problem: "PT_INTERP of 5000 bytes outside 2..4096"}},
		{name: "PT_INTERP of one byte", in: interpELF("\x00", interpAt, 1).build(),
			want: identifyWant{kind: KindELF, typ: TypePIEExecutable, goarch: "amd64", problem: "PT_INTERP of 1 bytes"}},
		{name: "empty PT_INTERP", in: interpELF("\x00\x00", interpAt, 2).build(),
			want: identifyWant{kind: KindELF, typ: TypePIEExecutable, goarch: "amd64", problem: "empty PT_INTERP"}},
		{name: "PT_INTERP with embedded NUL", in: interpELF("/lib/ld.so\x00junk\x00", interpAt, 16).build(),
			want: identifyWant{kind: KindELF, typ: TypePIEExecutable, goarch: "amd64", interp: "/lib/ld.so"}},
		{name: "two PT_INTERP", in: func() []byte {
			s := interpELF(ld64, interpAt, uint64(len(ld64)))
			s.phdrs = append(s.phdrs, phdrSpec{typ: elf.PT_INTERP, off: 0x300, filesz: 8})
			return s.build()
		}(), want: identifyWant{kind: KindELF, typ: TypePIEExecutable, goarch: "amd64", interp: "/lib64/ld-linux-x86-64.so.2", problem: "more than one PT_INTERP"}},
		{name: "static pie from DF_1_PIE", in: dynNoInterp(0x1000, dynEntries(uint64(elf.DT_FLAGS_1), uint64(elf.DF_1_PIE|elf.DF_1_NOW), 0, 0), 32),
			want: identifyWant{static: true, kind: KindELF, typ: TypeStaticPIEExecutable, goarch: "amd64"}},
		{name: "shared object: DT_NULL before DT_FLAGS_1", in: dynNoInterp(0x1000, dynEntries(uint64(elf.DT_SONAME), 1, 0, 0), 32),
			want: identifyWant{kind: KindELF, typ: TypeSharedObject, goarch: "amd64"}},
		{name: "shared object: DT_FLAGS_1 without PIE", in: dynNoInterp(0x1000, dynEntries(uint64(elf.DT_FLAGS_1), uint64(elf.DF_1_NOW)), 16),
			want: identifyWant{kind: KindELF, typ: TypeSharedObject, goarch: "amd64"}},
		{name: "dynamic section cut by prefix, entry set", in: dynNoInterp(0x1000, dynEntries(uint64(elf.DT_SONAME), 1), 64),
			want: identifyWant{static: true, kind: KindELF, typ: TypeStaticPIEExecutable, goarch: "amd64"}},
		{name: "dynamic section cut by prefix, entry 0", in: dynNoInterp(0, dynEntries(uint64(elf.DT_SONAME), 1), 64),
			want: identifyWant{kind: KindELF, typ: TypeSharedObject, goarch: "amd64"}},
		{name: "relocatable", in: elfSpec{class: 64, etype: elf.ET_REL, machine: elf.EM_AARCH64}.build(),
			want: identifyWant{kind: KindELF, typ: TypeRelocatable, goarch: "arm64"}},
		{name: "core", in: elfSpec{class: 64, etype: elf.ET_CORE, machine: elf.EM_X86_64}.build(),
			want: identifyWant{kind: KindELF, typ: TypeCore, goarch: "amd64"}},
		{name: "unknown e_type", in: elfSpec{class: 64, etype: 0xfe00, machine: elf.EM_X86_64}.build(),
			want: identifyWant{kind: KindELF, typ: "unknown-0xfe00", goarch: "amd64"}},
		{name: "mips big-endian 32-bit", in: elfSpec{class: 32, msb: true, etype: elf.ET_EXEC, machine: elf.EM_MIPS,
			phdrs: []phdrSpec{{typ: elf.PT_LOAD, filesz: 0x100}}}.build(),
			want: identifyWant{static: true, kind: KindELF, typ: TypeExecutable, goarch: "mips"}},
		{name: "ppc64 big-endian", in: elfSpec{class: 64, msb: true, etype: elf.ET_EXEC, machine: elf.EM_PPC64,
			phdrs: []phdrSpec{{typ: elf.PT_LOAD, filesz: 0x100}}}.build(),
			want: identifyWant{static: true, kind: KindELF, typ: TypeExecutable, goarch: "ppc64"}},
		{name: "arm64 big-endian has no Go port", in: elfSpec{class: 64, msb: true, etype: elf.ET_EXEC, machine: elf.EM_AARCH64,
			phdrs: []phdrSpec{{typ: elf.PT_LOAD, filesz: 0x100}}}.build(),
			want: identifyWant{static: true, kind: KindELF, typ: TypeExecutable}},
		{name: "loong64", in: elfSpec{class: 64, etype: elf.ET_EXEC, machine: elf.EM_LOONGARCH,
			phdrs: []phdrSpec{{typ: elf.PT_LOAD, filesz: 0x100}}}.build(),
			want: identifyWant{static: true, kind: KindELF, typ: TypeExecutable, goarch: "loong64"}},
	}
}

// dynNoInterp is an ET_DYN amd64 file without PT_INTERP whose dynamic
// section (dyn) sits at 0x100 and claims dynSize bytes.
func dynNoInterp(entry uint64, dyn []byte, dynSize uint64) []byte {
	return elfSpec{class: 64, etype: elf.ET_DYN, machine: elf.EM_X86_64, entry: entry,
		phdrs: []phdrSpec{{typ: elf.PT_DYNAMIC, off: 0x100, filesz: dynSize}},
		blobs: []blob{{off: 0x100, data: dyn}}}.build()
}

func peCases() []identifyCase {
	amd64 := peSpec{lfanew: 0x80, machine: pe.IMAGE_FILE_MACHINE_AMD64, characteristics: pe.IMAGE_FILE_EXECUTABLE_IMAGE,
		optSize: 240, optMagic: optMagicPE32Plus, subsystem: pe.IMAGE_SUBSYSTEM_WINDOWS_CUI}
	with := func(f func(*peSpec)) []byte { s := amd64; f(&s); return s.build() }
	return []identifyCase{
		{name: "PE32+ amd64", in: amd64.build(), want: identifyWant{kind: KindPE, typ: TypePEExecutable, goarch: "amd64"}},
		{name: "PE32 i386 DLL", in: with(func(s *peSpec) {
			s.machine, s.optMagic, s.optSize, s.characteristics = pe.IMAGE_FILE_MACHINE_I386, optMagicPE32, 224, pe.IMAGE_FILE_DLL
		}), want: identifyWant{kind: KindPE, typ: TypePEDLL, goarch: "386"}},
		{name: "MZ only", in: []byte("MZ"), want: identifyWant{kind: KindUnknown, need: dosHeaderSize}},
		{name: "bad e_lfanew", in: with(func(s *peSpec) { s.truncateAt = 0x40; s.lfanew = 0x80 }),
			sizeKnown: true, want: identifyWant{kind: KindUnknown, problem: "PE signature beyond end of file"}},
		{name: "e_lfanew beyond prefix", in: with(func(s *peSpec) { s.truncateAt = 0x40 }),
			want: identifyWant{kind: KindUnknown, need: 0x84}},
		{name: "e_lfanew beyond Windows' limit", in: func() []byte {
			b := amd64.build()
			copy(b[lfanewAt:], "\xf0\xff\xff\xff")
			return b
		}(), want: identifyWant{kind: KindUnknown, problem: "beyond Windows' limit"}},
		{name: "MZ without PE signature", in: with(func(s *peSpec) { s.noSignature = true }),
			want: identifyWant{kind: KindUnknown, problem: "MZ header without PE signature"}},
		{name: "COFF header cut", in: with(func(s *peSpec) { s.truncateAt = 0x90 }), sizeKnown: true,
			want: identifyWant{kind: KindPE, problem: "COFF header beyond end of file"}},
		{name: "no optional header", in: with(func(s *peSpec) { s.optSize = 0 }),
			want: identifyWant{kind: KindPE, typ: TypePEExecutable, goarch: "amd64", problem: "no optional header"}},
		{name: "bad optional header magic", in: with(func(s *peSpec) { s.optMagic = 0x107 }),
			want: identifyWant{kind: KindPE, typ: TypePEExecutable, goarch: "amd64", problem: "neither PE32 nor PE32+"}},
		{name: "optional header too short", in: with(func(s *peSpec) { s.optSize = 40 }),
			want: identifyWant{kind: KindPE, typ: TypePEExecutable, goarch: "amd64", problem: "too short for the subsystem"}},
		{name: "unknown machine", in: with(func(s *peSpec) { s.machine = 0x1234 }),
			want: identifyWant{kind: KindPE, typ: TypePEExecutable}},
	}
}

func scriptCases() []identifyCase {
	long := "#!/bin/sh " + strings.Repeat("a", 300)
	return []identifyCase{
		{name: "sh with argument", in: []byte("#!/bin/sh -e\necho hi\n"),
			want: identifyWant{kind: KindScript, scriptInterp: "/bin/sh", scriptArg: "-e"}},
		{name: "no newline, size unknown", in: []byte("#!/bin/sh"), want: identifyWant{kind: KindScript, need: binprmBufSize}},
		{name: "no newline, whole file", in: []byte("#!/bin/sh"), sizeKnown: true,
			want: identifyWant{kind: KindScript, scriptInterp: "/bin/sh"}},
		{name: "only spaces", in: []byte("#!      "), sizeKnown: true,
			want: identifyWant{kind: KindScript, problem: "no interpreter after #!"}},
		{name: "only spaces to 256 bytes", in: []byte("#!" + strings.Repeat(" ", 300)),
			want: identifyWant{kind: KindScript, problem: "only spaces and tabs"}},
		{name: "only spaces then newline", in: []byte("#! \t \n"),
			want: identifyWant{kind: KindScript, problem: "no interpreter after #!"}},
		{name: "env with spaces", in: []byte("#!  /usr/bin/env  python3 -u\nprint(1)\n"),
			want: identifyWant{kind: KindScript, scriptInterp: "/usr/bin/env", scriptArg: "python3 -u"}},
		{name: "tabs and trailing blanks", in: []byte("#!\t/bin/bash\t-x \t\n"),
			want: identifyWant{kind: KindScript, scriptInterp: "/bin/bash", scriptArg: "-x"}},
		{name: "trailing space, no argument", in: []byte("#!/bin/sh \n"),
			want: identifyWant{kind: KindScript, scriptInterp: "/bin/sh"}},
		{name: "CRLF", in: []byte("#!/bin/sh\r\necho hi\r\n"),
			want: identifyWant{kind: KindScript, scriptInterp: "/bin/sh\r", problem: "carriage return"}},
		{name: "CRLF with argument", in: []byte("#!/bin/sh -e\r\n"),
			want: identifyWant{kind: KindScript, scriptInterp: "/bin/sh", scriptArg: "-e\r", problem: "carriage return"}},
		{name: "NUL ends interpreter", in: []byte("#!/bin/sh\x00-e\n"),
			want: identifyWant{kind: KindScript, scriptInterp: "/bin/sh"}},
		{name: "NUL ends argument", in: []byte("#!/bin/sh -e\x00x\n"),
			want: identifyWant{kind: KindScript, scriptInterp: "/bin/sh", scriptArg: "-e"}},
		{name: "argument truncated at 255 bytes", in: []byte(long),
			want: identifyWant{kind: KindScript, scriptInterp: "/bin/sh", scriptArg: long[10:255], problem: "longer than 255 bytes"}},
		{name: "interpreter truncated", in: []byte("#!/" + strings.Repeat("x", 300) + "\n"),
			want: identifyWant{kind: KindScript, problem: "does not end within the first 256 bytes"}},
		{name: "newline right after #!", in: []byte("#!\n/bin/sh\n"),
			want: identifyWant{kind: KindScript, problem: "no interpreter after #!"}},
	}
}

func otherCases() []identifyCase {
	return []identifyCase{
		{name: "text", in: []byte("hello, world\n"), want: identifyWant{kind: KindUnknown}},
		{name: "wasm", in: []byte("\x00asm\x01\x00\x00\x00"), want: identifyWant{kind: KindUnknown}},
		{name: "single M", in: []byte("M"), want: identifyWant{kind: KindUnknown, need: minSniff}},
		{name: "single M, whole file", in: []byte("M"), sizeKnown: true, want: identifyWant{kind: KindUnknown}},
	}
}

func allIdentifyCases() []identifyCase {
	var all []identifyCase
	for _, group := range [][]identifyCase{elfCases(), peCases(), scriptCases(), otherCases()} {
		all = append(all, group...)
	}
	return all
}

func TestIdentifyMalformedAndSynthetic(t *testing.T) {
	for _, tc := range allIdentifyCases() {
		t.Run(tc.name, func(t *testing.T) {
			size := int64(-1)
			if tc.sizeKnown {
				size = int64(len(tc.in))
			}
			got := IdentifyPrefix(tc.in, size)
			gotWant := identifyWant{kind: got.Kind, typ: got.Type, goarch: got.GOARCH, interp: got.Interpreter,
				scriptInterp: got.ScriptInterpreter, scriptArg: got.ScriptArg, need: got.Need, static: got.Static()}
			wantProblems := 0
			if tc.want.problem != "" {
				wantProblems = 1
				gotWant.problem = tc.want.problem
				if len(got.Problems) != 1 || !strings.Contains(got.Problems[0], tc.want.problem) {
					t.Errorf("Problems = %q, want one containing %q", got.Problems, tc.want.problem)
				}
			}
			if len(got.Problems) != wantProblems {
				t.Errorf("Problems = %q, want %d", got.Problems, wantProblems)
			}
			if gotWant != tc.want {
				t.Errorf("got  %+v\nwant %+v\ninfo %s", gotWant, tc.want, got)
			}
			if size < 0 && got.Need == 0 {
				// A finished answer must not change when the file is known to end here.
				if again := IdentifyPrefix(tc.in, int64(len(tc.in))); again.String() != got.String() {
					t.Errorf("with size known: %s, without: %s", again, got)
				}
			}
		})
	}
}
