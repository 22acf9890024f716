package binfmt

import (
	"bytes"
	"testing"
)

// finalFields are the parts of an answer that must not change once Identify
// says it is finished (Need == 0): more of the file cannot alter them.
type finalFields struct {
	kind                          Kind
	class                         int
	order, osabi, machine, goarch string
	interp                        string
	hasInterp, dynamic, phdrsRead bool
	peMachine, subsystem          string
	pe32Plus                      bool
	scriptInterp, scriptArg       string
}

func finals(i Info) finalFields {
	return finalFields{kind: i.Kind, class: i.Class, order: i.ByteOrder, osabi: i.OSABI, machine: i.Machine,
		goarch: i.GOARCH, interp: i.Interpreter, hasInterp: i.HasInterp, dynamic: i.Dynamic,
		phdrsRead: i.ProgramHeadersRead, peMachine: i.PEMachine, subsystem: i.Subsystem,
		pe32Plus: i.PE32Plus, scriptInterp: i.ScriptInterpreter, scriptArg: i.ScriptArg}
}

func FuzzIdentify(f *testing.F) {
	for _, tt := range testTargets {
		data := readBinary(f, tt.name)
		for _, n := range []int{64, 512, 4 << 10} {
			f.Add(data[:min(n, len(data))])
		}
	}
	for _, tc := range allIdentifyCases() {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := Identify(data)
		switch got.Kind {
		case KindELF, KindPE, KindScript, KindUnknown:
		default:
			t.Fatalf("Kind %q", got.Kind)
		}
		if got.Need != 0 && got.Need <= int64(len(data)) {
			t.Fatalf("Need %d with %d bytes at hand", got.Need, len(data))
		}
		_ = got.String()
		_, _, _ = got.Platform()

		whole := IdentifyPrefix(data, int64(len(data)))
		if whole.Need != 0 {
			t.Fatalf("whole file: Need %d", whole.Need)
		}
		_ = whole.String()
		if got.Need == 0 && finals(got) != finals(whole) {
			t.Fatalf("finished answer changed when the size became known:\n%+v\n%+v", got, whole)
		}

		// A prefix of a file of known size needs at most the file.
		half := IdentifyPrefix(data[:len(data)/2], int64(len(data)))
		if half.Need != 0 && (half.Need <= int64(len(data)/2) || half.Need > int64(len(data))) {
			t.Fatalf("half of a %d-byte file: Need %d", len(data), half.Need)
		}
		if half.Need == 0 && finals(half) != finals(whole) {
			t.Fatalf("half of the file finished differently from the whole file:\n%+v\n%+v", half, whole)
		}

		for _, limit := range []int64{300, 64 << 10} {
			rd, err := IdentifyReader(bytes.NewReader(data), limit)
			if err != nil {
				t.Fatalf("IdentifyReader(max %d): %v", limit, err)
			}
			if rd.Need != 0 && rd.Need <= min(limit, int64(len(data))) {
				t.Fatalf("IdentifyReader(max %d): Need %d left unread", limit, rd.Need)
			}
			if rd.Need == 0 && finals(rd) != finals(whole) {
				t.Fatalf("IdentifyReader(max %d) finished differently from the whole file:\n%+v\n%+v", limit, rd, whole)
			}
		}
	})
}

// maxFuzzGoBinary caps fuzz inputs: the parser's cost grows with the input.
const maxFuzzGoBinary = 1 << 20

func FuzzReadGoBuildInfo(f *testing.F) {
	f.Add(smallGoELF(f))
	f.Add([]byte{})
	f.Add([]byte("\x7fELF"))
	for _, tt := range testTargets {
		data := readBinary(f, tt.name)
		f.Add(data[:min(512, len(data))])
	}
	for _, tc := range peCases() {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzGoBinary {
			return
		}
		info, err := ReadGoBuildInfo(bytes.NewReader(data), int64(len(data)))
		if info != nil && err != nil {
			t.Fatalf("both info and error: %+v, %v", info, err)
		}
	})
}

func BenchmarkIdentify(b *testing.B) {
	data := readBinary(b, "linux-arm64")
	prefix := data[:64<<10]
	b.ReportAllocs()
	b.SetBytes(int64(len(prefix)))
	var info Info
	for b.Loop() {
		info = Identify(prefix)
	}
	if info.GOARCH != "arm64" || !info.Static() {
		b.Fatalf("Identify = %s, want a static arm64 executable", info)
	}
}
