package imagetest

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// helloProgram is the tiny service compiled into test images. Importing
// os/user makes a cgo build link libc dynamically.
const helloProgram = `package main

import (
	"fmt"
	"os"
	"os/user"
)

func main() {
	u, _ := user.Current()
	fmt.Fprintln(os.Stdout, "hello from imagetest", u != nil)
}
`

// crossCC is the C cross compiler for linux/arm64 cgo builds on amd64.
const crossCC = "aarch64-linux-gnu-gcc"

// GoBinary compiles the tiny program for goos/goarch and returns the
// executable. cgo=false gives a static binary; cgo=true links libc
// dynamically with gcc: for the host's architecture, and for linux/arm64
// with the aarch64 cross compiler. Builds
// are reproducible (-trimpath, no build ID) and cached on disk by Go
// version, so each variant is compiled once.
func GoBinary(t testing.TB, goos, goarch string, cgo bool) []byte {
	t.Helper()
	if cgo && goos == "linux" && goarch == "arm64" && runtime.GOARCH != "arm64" {
		if _, err := exec.LookPath(crossCC); err != nil {
			t.Fatalf("GoBinary: a cgo build for linux/arm64 needs %s (Debian gcc-aarch64-linux-gnu; .ci/install-tools installs it)", crossCC)
		}
	} else if cgo && (goos != runtime.GOOS || goarch != runtime.GOARCH) {
		t.Fatalf("GoBinary: cgo build for %s/%s needs a cross C compiler; use GoPIEBinary for a dynamic binary of another architecture", goos, goarch)
	}
	mode := "static"
	if cgo {
		mode = "cgo"
	}
	return buildGo(t, goos, goarch, mode)
}

// GoPIEBinary compiles the tiny program as a position-independent
// executable without cgo: the Go linker then emits a PT_INTERP for the
// platform's dynamic loader (/lib/ld-linux-aarch64.so.1 on arm64), so it is
// a dynamic binary of any architecture without a cross C compiler.
func GoPIEBinary(t testing.TB, goos, goarch string) []byte {
	t.Helper()
	return buildGo(t, goos, goarch, "pie")
}

func buildGo(t testing.TB, goos, goarch, mode string) []byte {
	t.Helper()
	key := sha256.Sum256([]byte(runtime.Version() + helloProgram + goos + goarch + mode))
	cache := filepath.Join(os.TempDir(), "imgcheck-imagetest")
	out := filepath.Join(cache, fmt.Sprintf("hello-%s-%s-%s-%x", goos, goarch, mode, key[:6]))
	if b, err := os.ReadFile(out); err == nil {
		return b
	}
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte(helloProgram), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module imagetest.invalid/hello\n\ngo 1.21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", "hello"}
	env := append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "GOFLAGS=-buildvcs=false", "GOWORK=off")
	switch mode {
	case "cgo":
		env = append(env, "CGO_ENABLED=1")
		if goarch == "arm64" && runtime.GOARCH != "arm64" {
			env = append(env, "CC="+crossCC)
		}
	case "pie":
		env = append(env, "CGO_ENABLED=0")
		args = append(args[:1], append([]string{"-buildmode=pie"}, args[1:]...)...)
	default:
		env = append(env, "CGO_ENABLED=0")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("building %s %s/%s test binary: %v", mode, goos, goarch, err)
	}
	cmd := exec.Command(goBin, append(args, ".")...)
	cmd.Dir, cmd.Env = src, env
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s %s/%s test binary: %v\n%s", mode, goos, goarch, err, b)
	}
	b, err := os.ReadFile(filepath.Join(src, "hello"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	// Write then rename so a parallel test never reads a partial file.
	tmp := filepath.Join(cache, fmt.Sprintf(".tmp-%d-%s", os.Getpid(), filepath.Base(out)))
	if err := os.WriteFile(tmp, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, out); err != nil {
		t.Fatal(err)
	}
	return b
}

// Padded returns bin followed by pseudo-random bytes up to size: still a
// valid ELF header, but as large as a real service binary.
func Padded(bin []byte, size int, seed uint64) []byte {
	if len(bin) >= size {
		return bin
	}
	out := make([]byte, size)
	copy(out, bin)
	Random(out[len(bin):], seed)
	return out
}

// Random fills b with deterministic incompressible bytes.
func Random(b []byte, seed uint64) {
	var block [32]byte
	var ctr [16]byte
	binary.LittleEndian.PutUint64(ctr[:8], seed)
	for i := 0; i < len(b); i += 32 {
		binary.LittleEndian.PutUint64(ctr[8:], uint64(i))
		block = sha256.Sum256(ctr[:])
		copy(b[i:], block[:])
	}
}

// PEHeader is the start of a Windows PE executable: a DOS header pointing
// at a COFF header for machine (0x8664 AMD64, 0xaa64 ARM64, 0x14c I386)
// and a PE32+ optional header with the console subsystem.
func PEHeader(machine uint16) []byte {
	b := make([]byte, 1024)
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x80)
	copy(b[0x80:], "PE\x00\x00")
	coff := b[0x84:]
	binary.LittleEndian.PutUint16(coff[0:], machine)
	binary.LittleEndian.PutUint16(coff[2:], 1)     // sections
	binary.LittleEndian.PutUint16(coff[16:], 240)  // optional header size
	binary.LittleEndian.PutUint16(coff[18:], 0x22) // executable, large address aware
	opt := coff[20:]
	binary.LittleEndian.PutUint16(opt[0:], 0x20b) // PE32+
	binary.LittleEndian.PutUint16(opt[68:], 3)    // IMAGE_SUBSYSTEM_WINDOWS_CUI
	return b
}
