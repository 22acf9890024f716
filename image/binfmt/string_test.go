package binfmt

import (
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func TestInfoString(t *testing.T) {
	elfBase := Info{Kind: KindELF, Class: 64, ByteOrder: "LSB", OSABI: "SYSV", Machine: "EM_X86_64", MachineDesc: "x86-64", GOARCH: "amd64", ProgramHeadersRead: true}
	with := func(f func(*Info)) Info { i := elfBase; f(&i); return i }
	tests := []struct {
		name string
		info Info
		want string
	}{
		{"static arm64", with(func(i *Info) {
			i.Type, i.Machine, i.MachineDesc, i.GOARCH = TypeExecutable, "EM_AARCH64", "ARM aarch64", "arm64"
		}), "ELF 64-bit LSB executable, ARM aarch64, static"},
		{"musl pie", with(func(i *Info) {
			i.Type, i.Interpreter, i.HasInterp, i.Dynamic = TypePIEExecutable, "/lib/ld-musl-x86_64.so.1", true, true
		}), "ELF 64-bit LSB pie executable, x86-64, dynamic, interpreter /lib/ld-musl-x86_64.so.1"},
		{"unreadable interpreter", with(func(i *Info) {
			i.Type, i.HasInterp, i.Problems = TypeExecutable, true, []string{"PT_INTERP not NUL-terminated"}
		}), "ELF 64-bit LSB executable, x86-64, dynamic, unreadable interpreter (malformed: PT_INTERP not NUL-terminated)"},
		{"static pie guessed", with(func(i *Info) { i.Type, i.Dynamic, i.TypeGuessed = TypeStaticPIEExecutable, true, true }),
			"ELF 64-bit LSB pie executable, x86-64, static-pie (guessed from entry point)"},
		{"shared object", with(func(i *Info) { i.Type, i.Dynamic = TypeSharedObject, true }),
			"ELF 64-bit LSB shared object, x86-64, dynamic"},
		{"freebsd", with(func(i *Info) { i.Type, i.OSABI = TypeExecutable, "FreeBSD" }),
			"ELF 64-bit LSB executable, x86-64, FreeBSD, static"},
		{"incomplete", with(func(i *Info) { i.Type, i.ProgramHeadersRead, i.Need = TypeExecutable, false, 70000 }),
			"ELF 64-bit LSB executable, x86-64, incomplete: need 70000 bytes"},
		{"hostile interpreter", with(func(i *Info) {
			i.Type, i.Interpreter, i.HasInterp = TypeExecutable, "/lib/ld\x1b[31m", true
		}), `ELF 64-bit LSB executable, x86-64, dynamic, interpreter "/lib/ld\x1b[31m"`},
		{"core", with(func(i *Info) { i.Type = TypeCore }), "ELF 64-bit LSB core file, x86-64"},
		{"pe console", Info{Kind: KindPE, Type: TypePEExecutable, PE32Plus: true, PEMachine: "AMD64", MachineDesc: "x86-64", Subsystem: "windows-cui"},
			"PE32+ executable, x86-64 (AMD64), console"},
		{"pe gui dll", Info{Kind: KindPE, Type: TypePEDLL, PEMachine: "I386", MachineDesc: "Intel 80386", Subsystem: "windows-gui"},
			"PE32 DLL, Intel 80386 (I386), GUI"},
		{"pe efi", Info{Kind: KindPE, Type: TypePEExecutable, PE32Plus: true, PEMachine: "ARM64", MachineDesc: "ARM aarch64", Subsystem: "efi-application"},
			"PE32+ executable, ARM aarch64 (ARM64), efi-application"},
		{"script", Info{Kind: KindScript, ScriptInterpreter: "/bin/sh", ScriptArg: "-e"}, "script, #!/bin/sh -e"},
		{"script without argument", Info{Kind: KindScript, ScriptInterpreter: "/usr/bin/python3"}, "script, #!/usr/bin/python3"},
		{"broken script", Info{Kind: KindScript, Problems: []string{"no interpreter after #!"}}, "script (malformed: no interpreter after #!)"},
		{"unknown", Info{Kind: KindUnknown}, "unknown"},
		{"zero value", Info{}, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.info.String(); got != tt.want {
				t.Errorf("String() =\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
}

func TestPlatform(t *testing.T) {
	tests := []struct {
		info              Info
		os, arch, variant string
	}{
		{Info{Kind: KindELF, OSABI: "SYSV", GOARCH: "arm64"}, "linux", "arm64", ""},
		{Info{Kind: KindELF, OSABI: "GNU/Linux", GOARCH: "amd64"}, "linux", "amd64", ""},
		{Info{Kind: KindELF, OSABI: "FreeBSD", GOARCH: "amd64"}, "freebsd", "amd64", ""},
		{Info{Kind: KindPE, GOARCH: "arm64"}, "windows", "arm64", ""},
		{Info{Kind: KindScript}, "", "", ""},
	}
	for _, tt := range tests {
		os, arch, variant := tt.info.Platform()
		if os != tt.os || arch != tt.arch || variant != tt.variant {
			t.Errorf("%+v.Platform() = %s/%s/%s, want %s/%s/%s", tt.info, os, arch, variant, tt.os, tt.arch, tt.variant)
		}
	}
}

// TestRealBinariesGolden renders every built binary, from its first 4 KiB
// and from the whole file, into testdata/real_binaries.golden.
func TestRealBinariesGolden(t *testing.T) {
	paths := binaryPaths(t)
	names := make([]string, 0, len(paths))
	for name := range paths {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		data := readBinary(t, name)
		b.WriteString(name + "\n  4 KiB: " + Identify(data[:4<<10]).String() + "\n  whole: " + Identify(data).String() + "\n")
	}
	golden := filepath.Join("testdata", "real_binaries.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatalf("updating golden file: %v", err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if b.String() != string(want) {
		t.Errorf("rendering differs from %s (run with -update after checking):\n%s", golden, b.String())
	}
}
