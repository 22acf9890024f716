package binfmt

import (
	"bytes"
	"debug/elf"
	"debug/pe"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// realWant is what a built test binary must identify as. Interpreter is
// checked against debug/elf reading the whole file, not listed here.
type realWant struct {
	kind     Kind
	class    int
	order    string
	machine  string // Machine for ELF, PEMachine for PE
	goarch   string
	typ      string
	static   bool
	os       string
	dynamic  bool
	pe32Plus bool
}

var realWants = map[string]realWant{
	"linux-amd64":     {kind: KindELF, class: 64, order: "LSB", machine: "EM_X86_64", goarch: "amd64", typ: TypeExecutable, static: true, os: "linux"},
	"linux-amd64-v3":  {kind: KindELF, class: 64, order: "LSB", machine: "EM_X86_64", goarch: "amd64", typ: TypeExecutable, static: true, os: "linux"},
	"linux-arm64":     {kind: KindELF, class: 64, order: "LSB", machine: "EM_AARCH64", goarch: "arm64", typ: TypeExecutable, static: true, os: "linux"},
	"linux-386":       {kind: KindELF, class: 32, order: "LSB", machine: "EM_386", goarch: "386", typ: TypeExecutable, static: true, os: "linux"},
	"linux-arm-v7":    {kind: KindELF, class: 32, order: "LSB", machine: "EM_ARM", goarch: "arm", typ: TypeExecutable, static: true, os: "linux"},
	"linux-riscv64":   {kind: KindELF, class: 64, order: "LSB", machine: "EM_RISCV", goarch: "riscv64", typ: TypeExecutable, static: true, os: "linux"},
	"linux-ppc64le":   {kind: KindELF, class: 64, order: "LSB", machine: "EM_PPC64", goarch: "ppc64le", typ: TypeExecutable, static: true, os: "linux"},
	"linux-s390x":     {kind: KindELF, class: 64, order: "MSB", machine: "EM_S390", goarch: "s390x", typ: TypeExecutable, static: true, os: "linux"},
	"linux-amd64-cgo": {kind: KindELF, class: 64, order: "LSB", machine: "EM_X86_64", goarch: "amd64", typ: TypeExecutable, os: "linux", dynamic: true},
	"c-static-pie":    {kind: KindELF, class: 64, order: "LSB", machine: "EM_X86_64", goarch: "amd64", typ: TypeStaticPIEExecutable, static: true, os: "linux", dynamic: true},
	"c-shared-object": {kind: KindELF, class: 64, order: "LSB", machine: "EM_X86_64", goarch: "amd64", typ: TypeSharedObject, os: "linux", dynamic: true},
	"windows-amd64":   {kind: KindPE, machine: "AMD64", goarch: "amd64", typ: TypePEExecutable, os: "windows", pe32Plus: true},
	"windows-arm64":   {kind: KindPE, machine: "ARM64", goarch: "arm64", typ: TypePEExecutable, os: "windows", pe32Plus: true},
}

func TestIdentifyRealBinaries(t *testing.T) {
	paths := binaryPaths(t)
	if len(paths) != len(realWants) {
		t.Fatalf("built %d binaries, expectations for %d", len(paths), len(realWants))
	}
	for name, want := range realWants {
		t.Run(name, func(t *testing.T) {
			data := readBinary(t, name)
			got := Identify(data)
			checkRealWant(t, got, want)
			checkAgainstStdlib(t, data, got)
			checkPrefixesAgree(t, data, got)
		})
	}
}

func checkRealWant(t *testing.T, got Info, want realWant) {
	t.Helper()
	machine := got.Machine
	if got.Kind == KindPE {
		machine = got.PEMachine
	}
	gotOS, gotArch, _ := got.Platform()
	if got.Kind != want.kind || got.Class != want.class || got.ByteOrder != want.order || machine != want.machine ||
		got.GOARCH != want.goarch || got.Type != want.typ || got.Static() != want.static || gotOS != want.os ||
		gotArch != want.goarch || got.Dynamic != want.dynamic || got.PE32Plus != want.pe32Plus {
		t.Errorf("Identify = %+v (static %v, os %s)\nwant %+v", got, got.Static(), gotOS, want)
	}
	if got.Need != 0 || len(got.Problems) != 0 {
		t.Errorf("whole file: Need %d, Problems %q; want neither", got.Need, got.Problems)
	}
	if got.Kind == KindPE && got.Subsystem != "windows-cui" {
		t.Errorf("Subsystem = %q, want windows-cui (Go builds console programs)", got.Subsystem)
	}
}

// checkAgainstStdlib compares the prefix parser with debug/elf and
// debug/pe reading the whole, trusted file.
func checkAgainstStdlib(t *testing.T, data []byte, got Info) {
	t.Helper()
	switch got.Kind {
	case KindELF:
		f, err := elf.NewFile(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("debug/elf: %v", err)
		}
		wantInterp, wantDynamic := "", false
		for _, p := range f.Progs {
			switch p.Type {
			case elf.PT_INTERP:
				b, err := io.ReadAll(p.Open())
				if err != nil {
					t.Fatalf("reading PT_INTERP with debug/elf: %v", err)
				}
				wantInterp = string(bytes.TrimRight(b, "\x00"))
			case elf.PT_DYNAMIC:
				wantDynamic = true
			}
		}
		if got.Machine != f.Machine.String() || got.Interpreter != wantInterp || got.Dynamic != wantDynamic {
			t.Errorf("got machine %s interp %q dynamic %v; debug/elf says %s %q %v",
				got.Machine, got.Interpreter, got.Dynamic, f.Machine, wantInterp, wantDynamic)
		}
		wantClass := map[elf.Class]int{elf.ELFCLASS32: 32, elf.ELFCLASS64: 64}[f.Class]
		if got.Class != wantClass {
			t.Errorf("Class = %d, debug/elf says %s", got.Class, f.Class)
		}
	case KindPE:
		f, err := pe.NewFile(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("debug/pe: %v", err)
		}
		oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
		if !ok || !got.PE32Plus {
			t.Fatalf("debug/pe optional header %T, PE32Plus %v", f.OptionalHeader, got.PE32Plus)
		}
		if got.Subsystem != peSubsystems[oh.Subsystem] || peMachines[f.Machine].name != got.PEMachine {
			t.Errorf("got %s %s; debug/pe says machine %#x subsystem %d", got.PEMachine, got.Subsystem, f.Machine, oh.Subsystem)
		}
	}
}

// checkPrefixesAgree identifies the first 4 KiB and 64 KiB and requires the
// same answer as for the whole file, or a Need the whole file satisfies.
// Only TypeGuessed may differ: it is set exactly when the dynamic section
// lies beyond the prefix.
func checkPrefixesAgree(t *testing.T, data []byte, whole Info) {
	t.Helper()
	for _, n := range []int{4 << 10, 64 << 10} {
		prefix := data[:min(n, len(data))]
		got := Identify(prefix)
		if got.Need > 0 {
			if got.Need <= int64(len(prefix)) || got.Need > int64(len(data)) {
				t.Errorf("%d-byte prefix: Need %d, want in (%d, %d]", n, got.Need, len(prefix), len(data))
			}
			continue
		}
		got.TypeGuessed, whole.TypeGuessed = false, false
		if got.String() != whole.String() || got.GOARCH != whole.GOARCH || got.Interpreter != whole.Interpreter {
			t.Errorf("%d-byte prefix: %+v\nwhole file: %+v", n, got, whole)
		}
	}
}

// countingReader counts the bytes IdentifyReader pulls.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestIdentifyReaderReadsLittle(t *testing.T) {
	for name := range realWants {
		t.Run(name, func(t *testing.T) {
			data := readBinary(t, name)
			cr := &countingReader{r: bytes.NewReader(data)}
			got, err := IdentifyReader(cr, 64<<10)
			if err != nil {
				t.Fatalf("IdentifyReader: %v", err)
			}
			whole := Identify(data)
			got.TypeGuessed, whole.TypeGuessed = false, false
			if got.String() != whole.String() {
				t.Errorf("IdentifyReader = %s, Identify(whole) = %s", got, whole)
			}
			if cr.n > firstRead {
				t.Errorf("read %d bytes, want at most %d: the headers of these binaries sit in the first page", cr.n, firstRead)
			}
		})
	}
}

// TestIdentifyHostBinaries checks executables of the machine running the
// tests against debug/elf: /bin/ls is a dynamic, PIE executable on every
// mainstream distribution.
func TestIdentifyHostBinaries(t *testing.T) {
	for _, path := range []string{"/bin/ls", "/bin/sh"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading host binary: %v", err)
			}
			got := Identify(data)
			if got.Kind != KindELF || got.GOARCH != runtime.GOARCH || got.Interpreter == "" || !got.Dynamic || got.Static() {
				t.Errorf("Identify(%s) = %+v, want a dynamic %s ELF with an interpreter", path, got, runtime.GOARCH)
			}
			checkAgainstStdlib(t, data, got)
			checkPrefixesAgree(t, data, got)
		})
	}
}
