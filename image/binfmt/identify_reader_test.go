package binfmt

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestIdentifyReader(t *testing.T) {
	// A PIE whose PT_INTERP sits at 8 KiB, past the first read.
	farInterp := interpELF(ld64, 0x2000, uint64(len(ld64)))
	farInterp.blobs = append(farInterp.blobs, blob{off: 0x2000, data: []byte(ld64)}, blob{off: 0x3000, data: []byte{0}})
	far := farInterp.build()

	tests := []struct {
		name      string
		in        []byte
		max       int64
		wantRead  int64
		wantNeed  int64
		wantStr   string
		wantInErr string
	}{
		{name: "interpreter past the first read", in: far, max: 64 << 10, wantRead: 0x2000 + int64(len(ld64)), // exactly Need, not the whole file
			wantStr: "ELF 64-bit LSB pie executable, x86-64, dynamic, interpreter /lib64/ld-linux-x86-64.so.2"},
		{name: "interpreter past the limit", in: far, max: 4 << 10, wantRead: 4 << 10, wantNeed: 0x2000 + int64(len(ld64)),
			wantStr: "ELF 64-bit LSB pie executable, x86-64, incomplete: need 8220 bytes"},
		{name: "short script reaches EOF", in: []byte("#!/bin/sh"), max: 64 << 10, wantRead: 9, wantStr: "script, #!/bin/sh"},
		{name: "program headers beyond EOF", in: func() []byte {
			s := staticELF()
			s.patch = func(h elfHeaderWriter) { h.setPhoff(0x5000) }
			return s.build()
		}(), max: 64 << 10, wantRead: 120,
			wantStr: "ELF 64-bit LSB executable, x86-64 (malformed: program header table beyond end of file (ends at 20536, file size 120))"},
		{name: "tiny limit", in: []byte("#!/bin/sh -e\n"), max: 4, wantRead: 4, wantNeed: binprmBufSize,
			wantStr: "script, incomplete: need 256 bytes"},
		{name: "zero limit", in: []byte("x"), max: 0, wantInErr: "not positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr := &countingReader{r: bytes.NewReader(tt.in)}
			got, err := IdentifyReader(cr, tt.max)
			if tt.wantInErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantInErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantInErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("IdentifyReader: %v", err)
			}
			if got.String() != tt.wantStr || got.Need != tt.wantNeed || cr.n != tt.wantRead {
				t.Errorf("got %q need %d after reading %d bytes\nwant %q need %d after %d", got, got.Need, cr.n, tt.wantStr, tt.wantNeed, tt.wantRead)
			}
		})
	}
}

func TestIdentifyReaderError(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := IdentifyReader(failingReader{err: boom}, 64<<10)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want it to wrap %v", err, boom)
	}
	// A reader that fails after some bytes still fails: a partial header is not an answer.
	_, err = IdentifyReader(io.MultiReader(bytes.NewReader([]byte("\x7fELF")), failingReader{err: boom}), 64<<10)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v after a partial read, want it to wrap %v", err, boom)
	}
}

// TestIdentifyPrefixShortScript: a script shorter than Linux's 256-byte
// buffer needs only the rest of the file, not 256 bytes.
func TestIdentifyPrefixShortScript(t *testing.T) {
	file := []byte("#!/bin/sh -eu")
	got := IdentifyPrefix(file[:9], int64(len(file)))
	if got.Need != int64(len(file)) || len(got.Problems) != 0 {
		t.Fatalf("prefix of a %d-byte script: Need %d, Problems %q; want Need %d", len(file), got.Need, got.Problems, len(file))
	}
	if got = IdentifyPrefix(file, int64(len(file))); got.ScriptInterpreter != "/bin/sh" || got.ScriptArg != "-eu" {
		t.Fatalf("whole script: %s", got)
	}
}
