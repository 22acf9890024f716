package binfmt

import (
	"bytes"
	"debug/buildinfo"
	"fmt"
	"io"
	"runtime/debug"
)

// MaxGoBinarySize is the largest input ReadGoBuildInfo accepts. debug/buildinfo
// reads section headers and data segments through debug/elf and debug/pe,
// whose allocations follow sizes in the file; the cap keeps a hostile file
// from asking for more than a real Go binary could need.
const MaxGoBinarySize = 512 << 20

// GoBuildInfo is the Go toolchain's build information embedded in a binary.
type GoBuildInfo struct {
	GoVersion string // "go1.26.8"
	Path      string // main package path
	Main      string // main module as module@version
	GOOS      string
	GOARCH    string
	// Architecture level settings, "" when the binary does not record them.
	GOAMD64, GOARM64, GOARM string
	CGOEnabled              *bool // from the CGO_ENABLED setting; nil when unknown
	BuildMode               string
	Ldflags                 string
	Tags                    string
	Trimpath                bool
	VCSRevision, VCSTime    string
	VCSModified             bool
	Deps                    []Module
}

// Module is a dependency recorded in the build information.
type Module struct {
	Path, Version, Sum string
	Replace            *Module
}

// notGoExecutable is the message debug/buildinfo gives a valid
// executable without Go build information (its errNotGoExe, unexported).
const notGoExecutable = "not a Go executable"

// ReadGoBuildInfo reads build info from a whole binary of the given size. It
// returns (nil, nil) when the file is not a Go binary: not an executable
// format at all, or a well-formed executable without Go build information.
// A file that starts like an ELF, PE, Mach-O or XCOFF binary but cannot be
// parsed (for example a truncated Go binary) is an error. It refuses inputs
// larger than MaxGoBinarySize and never panics.
func ReadGoBuildInfo(r io.ReaderAt, size int64) (info *GoBuildInfo, err error) {
	if size < 0 || size > MaxGoBinarySize {
		return nil, fmt.Errorf("reading Go build info: binary of %d bytes outside 0..%d", size, MaxGoBinarySize)
	}
	defer func() {
		if p := recover(); p != nil {
			info, err = nil, fmt.Errorf("reading Go build info: malformed binary: panic: %v", p)
		}
	}()
	// Reads past size fail, whatever r would return there.
	sr := io.NewSectionReader(r, 0, size)
	magic := make([]byte, 4)
	if n, _ := sr.ReadAt(magic, 0); !looksExecutable(magic[:n]) {
		return nil, nil
	}
	bi, err := buildinfo.Read(sr)
	if err != nil {
		if err.Error() == notGoExecutable {
			return nil, nil
		}
		return nil, fmt.Errorf("reading Go build info: %w", err)
	}
	return fromBuildInfo(bi), nil
}

// looksExecutable reports whether b starts with a magic number
// debug/buildinfo understands (ELF, PE, Mach-O, fat Mach-O, XCOFF).
func looksExecutable(b []byte) bool {
	for _, m := range [][]byte{
		elfMagic, mzMagic,
		{0xfe, 0xed, 0xfa, 0xce}, {0xfe, 0xed, 0xfa, 0xcf}, {0xce, 0xfa, 0xed, 0xfe}, {0xcf, 0xfa, 0xed, 0xfe},
		{0xca, 0xfe, 0xba, 0xbe}, {0xca, 0xfe, 0xba, 0xbf},
		{0x01, 0xdf}, {0x01, 0xf7},
	} {
		if bytes.HasPrefix(b, m) {
			return true
		}
	}
	return false
}

func fromBuildInfo(bi *debug.BuildInfo) *GoBuildInfo {
	info := &GoBuildInfo{GoVersion: bi.GoVersion, Path: bi.Path, Main: moduleAtVersion(bi.Main)}
	for _, s := range bi.Settings {
		switch s.Key {
		case "GOOS":
			info.GOOS = s.Value
		case "GOARCH":
			info.GOARCH = s.Value
		case "GOAMD64":
			info.GOAMD64 = s.Value
		case "GOARM64":
			info.GOARM64 = s.Value
		case "GOARM":
			info.GOARM = s.Value
		case "CGO_ENABLED":
			enabled := s.Value == "1"
			if s.Value == "0" || enabled {
				info.CGOEnabled = &enabled
			}
		case "-buildmode":
			info.BuildMode = s.Value
		case "-ldflags":
			info.Ldflags = s.Value
		case "-tags":
			info.Tags = s.Value
		case "-trimpath":
			info.Trimpath = s.Value == "true"
		case "vcs.revision":
			info.VCSRevision = s.Value
		case "vcs.time":
			info.VCSTime = s.Value
		case "vcs.modified":
			info.VCSModified = s.Value == "true"
		}
	}
	for _, d := range bi.Deps {
		if d != nil {
			info.Deps = append(info.Deps, toModule(d, 0))
		}
	}
	return info
}

func moduleAtVersion(m debug.Module) string {
	if m.Path == "" {
		return ""
	}
	if m.Version == "" {
		return m.Path
	}
	return m.Path + "@" + m.Version
}

// toModule copies a module; depth bounds the Replace chain (debug.ParseBuildInfo
// makes it at most one deep, but the type allows more).
func toModule(m *debug.Module, depth int) Module {
	out := Module{Path: m.Path, Version: m.Version, Sum: m.Sum}
	if m.Replace != nil && depth < 2 {
		r := toModule(m.Replace, depth+1)
		out.Replace = &r
	}
	return out
}
