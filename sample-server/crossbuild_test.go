package main

import (
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestCrossCompiledBinaryIsStaticELF builds the server the way the Dockerfile
// and .ko.yaml do (CGO_ENABLED=0, -trimpath) for each Fargate architecture
// and reads the result: the machine must match the target, and there must be
// no ELF interpreter (PT_INTERP) and no dynamic section (PT_DYNAMIC), or the
// binary fails with "no such file or directory" on a distroless static or
// scratch image.
func TestCrossCompiledBinaryIsStaticELF(t *testing.T) {
	tests := []struct {
		goarch  string
		machine elf.Machine
	}{
		{"arm64", elf.EM_AARCH64},
		{"amd64", elf.EM_X86_64},
	}
	for _, tt := range tests {
		t.Run("linux/"+tt.goarch, func(t *testing.T) {
			t.Parallel()
			bin := filepath.Join(t.TempDir(), "sample-server")
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+tt.goarch, "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build for linux/%s: %v\n%s", tt.goarch, err, out)
			}
			f, err := elf.Open(bin)
			if err != nil {
				t.Fatalf("reading %s as ELF: %v", bin, err)
			}
			defer f.Close()
			if f.Machine != tt.machine {
				t.Errorf("e_machine = %s, want %s", f.Machine, tt.machine)
			}
			if f.Class != elf.ELFCLASS64 {
				t.Errorf("class = %s, want ELFCLASS64", f.Class)
			}
			if f.Type != elf.ET_EXEC {
				t.Errorf("type = %s, want ET_EXEC (static, not PIE)", f.Type)
			}
			for _, p := range f.Progs {
				if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
					t.Errorf("has %s: dynamically linked", p.Type)
				}
			}
			if libs, err := f.ImportedLibraries(); err != nil || len(libs) != 0 {
				t.Errorf("imported libraries = %v (%v), want none", libs, err)
			}
		})
	}
}
