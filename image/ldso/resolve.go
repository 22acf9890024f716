// Package ldso predicts what a Linux dynamic loader does when a program
// starts: which shared libraries it loads and from where, and which errors
// it prints when one is missing, of the wrong class or machine, or lacks a
// symbol version the program needs.
//
// It emulates glibc's ld.so (search order DT_RPATH, LD_LIBRARY_PATH,
// DT_RUNPATH, /etc/ld.so.cache, default directories; $ORIGIN, $LIB and
// $PLATFORM; symbol version checks) and musl's loader (LD_LIBRARY_PATH,
// RPATH/RUNPATH, /etc/ld-musl-$ARCH.path; no version checks) over an
// abstract read-only file system, so that a container image can be checked
// without running it. Which loader applies is decided by the program's
// interpreter (PT_INTERP), as the kernel decides which loader runs.
//
// Not emulated: glibc-hwcaps and legacy hwcap subdirectories (which one is
// searched depends on the CPU; each holds an optimised twin of a library
// found in the directory itself), LD_AUDIT, secure-execution (setuid)
// restrictions, and symbol lookups (relocation errors).
//
// Bytes: the executable's first 4 KiB decide whether anything is loaded
// at all (a static executable costs nothing more). For each library the
// dynamic section must be read, and linkers place it near the end of the
// file, so a library is read almost whole; Result.Reads lists every read
// and Config.MaxReadBytes bounds them.
package ldso

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/imgcheck/imgcheck/image/binfmt"
)

// Config describes the process whose start is emulated.
type Config struct {
	// Executable is the absolute path of the program in the image, as the
	// runtime passes it to execve.
	Executable string
	// Argv0 is the program's argv[0], which glibc's loader prints before
	// its messages; "" means Executable.
	Argv0 string
	// Env is the process environment ("KEY=value"): LD_LIBRARY_PATH and
	// LD_PRELOAD are read from it.
	Env []string
	// WorkDir is the working directory, against which relative directories
	// in search paths resolve; "" means "/".
	WorkDir string
	// Arch is the GOARCH the image runs on; when set, an executable for
	// another machine is an error.
	Arch string
	// User is who the process runs as; when set, libraries it may not read
	// are skipped as the loader skips them (EACCES). nil: not checked.
	User *Credentials
	// SystemDirs are glibc's default directories; nil chooses them from
	// the image layout (see Result.Notes).
	SystemDirs []string
	// Lib and Platform are the values of $LIB and $PLATFORM; "" chooses
	// them from the image layout and the machine.
	Lib, Platform string
	// Limits: objects loaded, bytes read and paths tried in one emulation.
	// Zero means the default (1024 objects, 256 MiB, 100000 paths).
	MaxObjects   int
	MaxReadBytes int64
	MaxLookups   int
}

func (c Config) withDefaults() Config {
	if c.Argv0 == "" {
		c.Argv0 = c.Executable
	}
	if c.WorkDir == "" {
		c.WorkDir = "/"
	}
	if c.MaxObjects <= 0 {
		c.MaxObjects = 1024
	}
	if c.MaxReadBytes <= 0 {
		c.MaxReadBytes = 256 << 20
	}
	if c.MaxLookups <= 0 {
		c.MaxLookups = 100000
	}
	return c
}

// env returns the value of an environment variable, the last one winning
// as in getenv over a list built by appending.
func (c Config) env(key string) (string, bool) {
	val, found := "", false
	for _, kv := range c.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			val, found = v, true
		}
	}
	return val, found
}

// Resolve emulates the dynamic loading of cfg.Executable. The error means
// the outcome cannot be known (a file system failure, a malformed object
// whose handling by the loader is undefined, a limit reached); a program
// that would fail to start is a Result with Failures. A static executable
// (no PT_INTERP) gives a Result with only the executable in Objects.
func Resolve(ctx context.Context, fsys FS, cfg Config) (*Result, error) {
	cfg = cfg.withDefaults()
	if !path.IsAbs(cfg.Executable) {
		return nil, fmt.Errorf("executable path %q is not absolute", cfg.Executable)
	}
	s := newSession(ctx, fsys, cfg)
	exe, static, err := s.openMain()
	if err != nil {
		return nil, err
	}
	s.res.Objects = []Object{{Name: cfg.Executable, Path: cfg.Executable, Via: SourceExecutable}}
	if static {
		return s.res, nil
	}
	d := exe.dyn
	s.res.Objects[0].SONAME = d.SONAME
	s.res.Interpreter = d.Interpreter
	interp, ok, err := s.openInterpreter(exe)
	if err != nil {
		return nil, err
	}
	if !ok {
		return s.res, nil
	}
	switch loaderOf(d.Interpreter, interp.dyn) {
	case LoaderGlibc:
		s.res.Loader = LoaderGlibc
		err = newGlibc(s, exe, interp).run()
	case LoaderMusl:
		s.res.Loader = LoaderMusl
		err = newMusl(s, exe, interp).run()
	default:
		return nil, fmt.Errorf("program interpreter %s (soname %q) is neither glibc's nor musl's loader", d.Interpreter, interp.dyn.SONAME)
	}
	if err != nil {
		return nil, err
	}
	return s.res, nil
}

// openMain reads and parses the executable.
func (s *session) openMain() (f *objectFile, static bool, err error) {
	name := s.cfg.Executable
	st, err := s.stat(name)
	if err != nil {
		return nil, false, err
	}
	if st.errno != 0 {
		return nil, false, fmt.Errorf("executable %s: %s", name, glibcStrerror(st.errno))
	}
	if !st.fi.Mode.IsRegular() {
		return nil, false, fmt.Errorf("executable %s is not a regular file", name)
	}
	if f, err = s.file(name, st.fi); err != nil {
		return nil, false, err
	}
	info, err := s.identify(f)
	if err != nil {
		return nil, false, err
	}
	switch {
	case info.Kind != binfmt.KindELF || len(info.Problems) > 0:
		return nil, false, fmt.Errorf("executable %s is not a well-formed ELF file: %s", name, info)
	case info.Type != binfmt.TypeExecutable && info.Type != binfmt.TypePIEExecutable && info.Type != binfmt.TypeStaticPIEExecutable &&
		info.Type != binfmt.TypeSharedObject:
		return nil, false, fmt.Errorf("executable %s is an ELF %s, not an executable", name, info.Type)
	case s.cfg.Arch != "" && info.GOARCH != s.cfg.Arch:
		return nil, false, fmt.Errorf("executable %s is for %q, the image for %q", name, info.GOARCH, s.cfg.Arch)
	case !info.HasInterp:
		// Static: nothing to load, and no need to read its dynamic section.
		return f, true, nil
	}
	_, err = s.dynamic(f)
	return f, false, err
}

// identify reads the executable's headers and PT_INTERP, no further.
func (s *session) identify(f *objectFile) (binfmt.Info, error) {
	for round := 0; ; round++ {
		info := binfmt.IdentifyPrefix(f.prefix, f.fi.Size)
		if info.Need == 0 || round+1 >= maxReadRounds {
			return info, nil
		}
		if err := s.readPrefix(f, min(info.Need, f.fi.Size), true); err != nil {
			return binfmt.Info{}, err
		}
	}
}

// openInterpreter checks PT_INTERP as the kernel does when it execs the
// program: the file must exist and be an ELF object of the program's
// class and machine. ok is false when it fails (recorded in the result).
func (s *session) openInterpreter(exe *objectFile) (f *objectFile, ok bool, err error) {
	name := exe.dyn.Interpreter
	if !path.IsAbs(name) {
		name = path.Join(s.cfg.WorkDir, name)
	}
	fail := func(msg string) (*objectFile, bool, error) {
		s.res.Failures = append(s.res.Failures, Failure{Kind: FailInterpreter, Library: exe.dyn.Interpreter,
			NeededBy: s.cfg.Executable, Message: msg})
		return nil, false, nil
	}
	st, err := s.stat(name)
	if err != nil {
		return nil, false, err
	}
	if st.errno != 0 {
		return fail(fmt.Sprintf("%s: program interpreter %s: %s", s.cfg.Executable, exe.dyn.Interpreter, glibcStrerror(st.errno)))
	}
	if !s.cfg.User.canExec(st.fi) { // the kernel opens the interpreter for execution
		return fail(fmt.Sprintf("%s: program interpreter %s: Permission denied", s.cfg.Executable, exe.dyn.Interpreter))
	}
	if !st.fi.Mode.IsRegular() {
		return fail(fmt.Sprintf("%s: program interpreter %s is not a regular file", s.cfg.Executable, exe.dyn.Interpreter))
	}
	if f, err = s.file(name, st.fi); err != nil {
		return nil, false, err
	}
	if _, err := s.dynamic(f); err != nil {
		return nil, false, err
	}
	want, got := exe.dyn.Header, f.dyn.Header
	if got.Class != want.Class || got.Machine != want.Machine || got.Data != want.Data {
		return fail(fmt.Sprintf("%s: program interpreter %s is an ELF%d %s object, the program ELF%d %s (the kernel fails with ELIBBAD)",
			s.cfg.Executable, exe.dyn.Interpreter, got.Class, got.Machine, want.Class, want.Machine))
	}
	return f, true, nil
}

// loaderOf tells glibc's loader from musl's by the interpreter's file
// name, then by its soname.
func loaderOf(interp string, d *binfmt.Dynamic) Loader {
	base := path.Base(interp)
	soname := d.SONAME
	switch {
	case strings.HasPrefix(base, "ld-musl-"), strings.HasPrefix(soname, "libc.musl-"), soname == "libc.so":
		return LoaderMusl
	case isGlibcLoaderName(base), isGlibcLoaderName(soname):
		return LoaderGlibc
	}
	return ""
}

// isGlibcLoaderName matches the names glibc gives its loader on Linux:
// ld-linux-x86-64.so.2, ld-linux-aarch64.so.1, ld-linux.so.2,
// ld-linux-armhf.so.3, ld64.so.2, ld.so.1, ld-linux-riscv64-lp64d.so.1 ...
func isGlibcLoaderName(n string) bool {
	return strings.HasPrefix(n, "ld-linux") || strings.HasPrefix(n, "ld64.so.") || strings.HasPrefix(n, "ld.so.")
}
