package binfmt

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"
)

func goVersion(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		t.Fatalf("running go env GOVERSION: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func TestReadGoBuildInfoRealBinaries(t *testing.T) {
	version := goVersion(t)
	for _, tt := range testTargets {
		if tt.cFlags != nil {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			data := readBinary(t, tt.name)
			got, err := ReadGoBuildInfo(bytes.NewReader(data), int64(len(data)))
			if err != nil || got == nil {
				t.Fatalf("ReadGoBuildInfo = %v, %v; want build info", got, err)
			}
			wantEnv := map[string]string{"GOAMD64": "", "GOARM": ""}
			if tt.goarch == "amd64" {
				wantEnv["GOAMD64"] = "v1" // the default level
			}
			for _, kv := range tt.env {
				k, v, _ := strings.Cut(kv, "=")
				wantEnv[k] = v
			}
			wantPath := "example.com/tiny"
			if tt.cgo {
				wantPath += "/cgo"
			}
			if got.GoVersion != version || got.GOOS != tt.goos || got.GOARCH != tt.goarch ||
				got.GOAMD64 != wantEnv["GOAMD64"] || got.GOARM != wantEnv["GOARM"] ||
				got.Path != wantPath || !strings.HasPrefix(got.Main, "example.com/tiny") ||
				got.BuildMode != "exe" || got.Tags != buildTags || !got.Trimpath {
				t.Errorf("got %+v\nwant go %s %s/%s %v path %s", *got, version, tt.goos, tt.goarch, wantEnv, wantPath)
			}
			if got.CGOEnabled == nil || *got.CGOEnabled != tt.cgo {
				t.Errorf("CGOEnabled = %v, want %v", got.CGOEnabled, tt.cgo)
			}
		})
	}
}

func TestReadGoBuildInfoNotGo(t *testing.T) {
	inputs := map[string][]byte{
		"empty":           nil,
		"text":            []byte("hello, world\n"),
		"script":          []byte("#!/bin/sh\necho hi\n"),
		"c-static-pie":    readBinary(t, "c-static-pie"),
		"c-shared-object": readBinary(t, "c-shared-object"),
	}
	ls, err := os.ReadFile("/bin/ls")
	if err != nil {
		t.Fatalf("reading /bin/ls: %v", err)
	}
	inputs["/bin/ls"] = ls
	for name, data := range inputs {
		got, err := ReadGoBuildInfo(bytes.NewReader(data), int64(len(data)))
		if got != nil || err != nil {
			t.Errorf("%s: ReadGoBuildInfo = %v, %v; want nil, nil", name, got, err)
		}
	}
}

func TestReadGoBuildInfoMalformed(t *testing.T) {
	data := readBinary(t, "linux-amd64")
	for _, n := range []int{16, 4 << 10, 64 << 10, len(data) / 2, len(data) - 1} {
		got, err := ReadGoBuildInfo(bytes.NewReader(data[:n]), int64(n))
		if err == nil {
			t.Errorf("truncated to %d bytes: ReadGoBuildInfo = %+v, nil; want an error", n, got)
		}
	}
	if _, err := ReadGoBuildInfo(bytes.NewReader(data), MaxGoBinarySize+1); err == nil {
		t.Error("size over MaxGoBinarySize: want an error")
	}
	if _, err := ReadGoBuildInfo(bytes.NewReader(data), -1); err == nil {
		t.Error("negative size: want an error")
	}
	if got, err := ReadGoBuildInfo(panickingReaderAt{}, 1<<20); got != nil || err == nil || !strings.Contains(err.Error(), "panic") {
		t.Errorf("panicking reader: ReadGoBuildInfo = %v, %v; want a recovered panic as error", got, err)
	}
}

type panickingReaderAt struct{}

func (panickingReaderAt) ReadAt([]byte, int64) (int, error) { panic("hostile reader") }

// TestReadGoBuildInfoSmallELF checks the synthetic seed the fuzzer starts
// from: a tiny ELF whose only writable PT_LOAD holds a real binary's
// .go.buildinfo section.
func TestReadGoBuildInfoSmallELF(t *testing.T) {
	seed := smallGoELF(t)
	got, err := ReadGoBuildInfo(bytes.NewReader(seed), int64(len(seed)))
	if err != nil || got == nil {
		t.Fatalf("ReadGoBuildInfo(%d-byte ELF) = %v, %v", len(seed), got, err)
	}
	if got.GoVersion != goVersion(t) || got.GOARCH != "amd64" || got.Path != "example.com/tiny" {
		t.Errorf("got %+v", *got)
	}
}

// smallGoELF wraps the .go.buildinfo section of the linux-amd64 test
// binary in a minimal ELF file: a few hundred bytes instead of megabytes.
func smallGoELF(tb testing.TB) []byte {
	tb.Helper()
	f, err := elf.NewFile(bytes.NewReader(readBinary(tb, "linux-amd64")))
	if err != nil {
		tb.Fatalf("debug/elf: %v", err)
	}
	sec := f.Section(".go.buildinfo")
	if sec == nil {
		tb.Fatal("linux-amd64 test binary has no .go.buildinfo section")
	}
	data, err := sec.Data()
	if err != nil {
		tb.Fatalf("reading .go.buildinfo: %v", err)
	}
	const at = 0x100
	return elfSpec{class: 64, etype: elf.ET_EXEC, machine: elf.EM_X86_64, entry: 0x401000,
		phdrs: []phdrSpec{{typ: elf.PT_LOAD, off: at, filesz: uint64(len(data)), flags: elf.PF_R | elf.PF_W, vaddr: 0x500000}},
		blobs: []blob{{off: at, data: data}}}.build()
}

// TestGoBuildInfoSettings parses build info text in the format the Go
// toolchain embeds (runtime/debug.BuildInfo.String) into the struct.
func TestGoBuildInfoSettings(t *testing.T) {
	tests := []struct {
		name string
		text string
		want func(*GoBuildInfo) string // "" when fine, else what is wrong
	}{
		{"vcs and flags", strings.Join([]string{
			"path\texample.com/app/cmd/app",
			"mod\texample.com/app\tv1.2.3\th1:abc=",
			"dep\tgolang.org/x/sys\tv0.1.0\th1:sys=",
			"dep\tgithub.com/old/lib\tv1.0.0",
			"=>\tgithub.com/new/lib\tv1.1.0\th1:new=",
			"build\t-buildmode=pie",
			"build\t-ldflags=\"-s -w\"",
			"build\tCGO_ENABLED=1",
			"build\tGOARCH=arm64",
			"build\tGOOS=linux",
			"build\tGOARM64=v8.2",
			"build\tvcs=git",
			"build\tvcs.revision=0123456789abcdef",
			"build\tvcs.time=2026-11-25T18:00:00Z",
			"build\tvcs.modified=true",
		}, "\n") + "\n", func(g *GoBuildInfo) string {
			switch {
			case g.Path != "example.com/app/cmd/app" || g.Main != "example.com/app@v1.2.3":
				return "path/main"
			case g.BuildMode != "pie" || g.Ldflags != "-s -w" || g.GOARM64 != "v8.2" || g.GOOS != "linux" || g.GOARCH != "arm64":
				return "settings"
			case g.CGOEnabled == nil || !*g.CGOEnabled:
				return "CGOEnabled"
			case g.VCSRevision != "0123456789abcdef" || g.VCSTime != "2026-11-25T18:00:00Z" || !g.VCSModified:
				return "vcs"
			case len(g.Deps) != 2 || g.Deps[0] != (Module{Path: "golang.org/x/sys", Version: "v0.1.0", Sum: "h1:sys="}):
				return "deps"
			case g.Deps[1].Replace == nil || *g.Deps[1].Replace != (Module{Path: "github.com/new/lib", Version: "v1.1.0", Sum: "h1:new="}):
				return "replace"
			}
			return ""
		}},
		{"no CGO_ENABLED setting", "path\texample.com/x\nmod\texample.com/x\t(devel)\n", func(g *GoBuildInfo) string {
			if g.CGOEnabled != nil || g.Main != "example.com/x@(devel)" {
				return "CGOEnabled must be nil without the setting"
			}
			return ""
		}},
		{"unrecognised CGO_ENABLED value", "path\texample.com/x\nbuild\tCGO_ENABLED=maybe\n", func(g *GoBuildInfo) string {
			if g.CGOEnabled != nil {
				return "CGOEnabled must be nil for an unrecognised value"
			}
			return ""
		}},
		{"cgo disabled", "path\texample.com/x\nbuild\tCGO_ENABLED=0\nbuild\t-trimpath=true\n", func(g *GoBuildInfo) string {
			if g.CGOEnabled == nil || *g.CGOEnabled || !g.Trimpath || g.Main != "" {
				return "CGOEnabled false, trimpath, no main module"
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bi, err := debug.ParseBuildInfo(tt.text)
			if err != nil {
				t.Fatalf("ParseBuildInfo: %v", err)
			}
			got := fromBuildInfo(bi)
			if wrong := tt.want(got); wrong != "" {
				t.Errorf("%s wrong: %+v", wrong, *got)
			}
		})
	}
}
