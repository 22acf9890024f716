package ldso

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"path"
	"strings"
	"syscall"
)

// loader returns the loader itself, which musl hands out for its libc
// names and for the interpreter's own path; it joins the list where first
// requested.
func (m *musl) loader(name string) *muslObject {
	if m.self == nil {
		m.self = &muslObject{name: m.s.res.Interpreter, id: m.interp.fi.ID, dyn: m.interp.dyn,
			requested: name, via: SourceBuiltin}
		m.list = append(m.list, m.self)
	}
	return m.self
}

// mapLibrary is the part of load_library after a successful open: the
// same file already loaded is reused (device and inode), then
// map_library's checks, which test the type and program headers but not
// the magic, class or machine.
func (m *musl) mapLibrary(name, cand string, neededBy *muslObject, st *muslSearch) (*muslObject, *muslSearch, error) {
	r, err := m.s.stat(m.fsPath(cand))
	if err != nil {
		return nil, st, err
	}
	if r.fi.ID == m.interp.fi.ID {
		return m.loader(name), nil, nil // musl recognises its own libc mapped again and uses itself
	}
	for _, l := range m.list[1:] {
		if l.id == r.fi.ID {
			if l.shortname == "" && cand != name {
				l.shortname = path.Base(l.name)
			}
			return l, nil, nil
		}
	}
	noexec := func(exact bool) (*muslObject, *muslSearch, error) {
		st.errno, st.inexact = syscall.ENOEXEC, !exact
		return nil, st, nil
	}
	switch {
	case r.fi.Mode.IsDir():
		st.errno = syscall.EISDIR // read(2) of a directory
		return nil, st, nil
	case !r.fi.Mode.IsRegular():
		return nil, st, fmt.Errorf("%s is a %s, not a regular file: what the loader reads from it is unknown", cand, r.fi.Mode.Type())
	}
	f, err := m.s.file(m.fsPath(cand), r.fi)
	if err != nil {
		return nil, st, err
	}
	want := m.interp.dyn.Header
	ehdrSize := 64
	if want.Class == 32 {
		ehdrSize = 52
	}
	if len(f.prefix) < ehdrSize {
		return noexec(true)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if want.Data == byte(elf.ELFDATA2MSB) {
		order = binary.BigEndian
	}
	if t := elf.Type(order.Uint16(f.prefix[16:])); t != elf.ET_DYN && t != elf.ET_EXEC {
		return noexec(true)
	}
	id := f.prefix[:elf.EI_NIDENT]
	if !bytes.HasPrefix(id, []byte(elf.ELFMAG)) || id[elf.EI_CLASS] != want.RawClass || id[elf.EI_DATA] != want.Data ||
		elf.Machine(order.Uint16(f.prefix[18:])) != want.Machine {
		// musl maps it anyway; what happens next depends on the bytes.
		st.skipped = append(st.skipped, Skip{Path: cand, Reason: "not an ELF object of this class and machine (musl does not check)"})
		return noexec(false)
	}
	d, err := m.s.dynamic(f)
	if err != nil {
		return nil, st, err
	}
	if !d.HasDynamic || d.LoadSegments == 0 {
		return noexec(true)
	}
	if len(m.list) >= m.s.cfg.MaxObjects {
		return nil, st, fmt.Errorf("more than %d objects loaded", m.s.cfg.MaxObjects)
	}
	o := &muslObject{name: cand, id: r.fi.ID, dyn: d, neededBy: neededBy, requested: name, via: SourcePath}
	if cand != name {
		o.shortname = path.Base(cand)
		o.via = st.via
	}
	m.list = append(m.list, o)
	return o, nil, nil
}

// rpath is musl's fixup_rpath: DT_RUNPATH, else DT_RPATH, with $ORIGIN or
// ${ORIGIN} replaced by the object's directory (for the program, that of
// its resolved path). A path with any other '$' token is not used.
func (m *musl) rpath(p *muslObject) (string, bool) {
	orig := p.dyn.RPath
	if p.dyn.HasRunPath {
		orig = p.dyn.RunPath
	} else if !p.dyn.HasRPath {
		return "", false
	}
	if !strings.Contains(orig, "$") {
		return orig, true
	}
	for rest := orig; ; {
		i := strings.IndexByte(rest, '$')
		if i < 0 {
			break
		}
		if !strings.HasPrefix(rest[i:], "$ORIGIN") && !strings.HasPrefix(rest[i:], "${ORIGIN}") {
			return "", false
		}
		rest = rest[i+1:]
	}
	origin := p.name
	if p.isMain {
		origin = m.s.stats[p.name].fi.Resolved
	}
	dir := "."
	if i := strings.LastIndexByte(origin, '/'); i >= 0 {
		dir = origin[:i]
	}
	r := strings.NewReplacer("${ORIGIN}", dir, "$ORIGIN", dir)
	return r.Replace(orig), true
}

// systemPath is musl's sys_path: the contents of
// PREFIX/etc/ld-musl-ARCH.path, where PREFIX is the interpreter's path up
// to its second-to-last slash ("" for /lib/ld-musl-x86_64.so.1); the
// default when that file does not exist; nothing when it cannot be read.
func (m *musl) systemPath() (string, error) {
	if m.sysPath != nil {
		return *m.sysPath, nil
	}
	interp := m.s.res.Interpreter
	prefix := ""
	if strings.HasPrefix(interp, "/") {
		if last := strings.LastIndexByte(interp, '/'); last > 0 {
			prefix = interp[:max(strings.LastIndexByte(interp[:last], '/'), 0)]
		}
	}
	arch, ok := muslArch(path.Base(interp))
	if !ok {
		return "", fmt.Errorf("cannot tell musl's architecture name from its loader %s", interp)
	}
	file := prefix + "/etc/ld-musl-" + arch + ".path"
	r, err := m.s.stat(file)
	if err != nil {
		return "", err
	}
	sys := ""
	switch {
	case r.errno == syscall.ENOENT:
		sys = muslDefaultPath
	case r.errno != 0, !r.fi.Mode.IsRegular() && !r.fi.Mode.IsDir():
		// open fails otherwise: musl then searches no system directory
	case r.fi.Mode.IsDir():
		m.s.res.Notes = append(m.s.res.Notes, file+" is a directory: musl's read fails and it searches no system directory")
	default:
		data, err := m.s.readSmallFile(file, maxMuslPathFile)
		if err != nil {
			return "", err
		}
		sys = string(data)
	}
	m.s.res.Notes = append(m.s.res.Notes, fmt.Sprintf("musl system path from %s: %q", file, sys))
	m.sysPath = &sys
	return sys, nil
}

// muslArch is LDSO_ARCH, read from the loader's name ld-musl-ARCH.so.1.
func muslArch(base string) (string, bool) {
	arch, ok := strings.CutPrefix(base, "ld-musl-")
	if !ok {
		return "", false
	}
	arch, ok = strings.CutSuffix(arch, ".so.1")
	return arch, ok && arch != ""
}

// listObjects fills Result.Objects in musl's list order.
func (m *musl) listObjects() {
	var objs []Object
	for _, o := range m.list {
		obj := Object{Name: o.requested, Path: o.name, Via: o.via, SONAME: o.dyn.SONAME}
		if o.neededBy != nil {
			obj.NeededBy = o.neededBy.name
		}
		objs = append(objs, obj)
	}
	if m.self == nil {
		objs = append(objs, Object{Name: m.s.res.Interpreter, Path: m.s.res.Interpreter, Via: SourceInterpreter, SONAME: m.interp.dyn.SONAME})
	}
	m.s.res.Objects = objs
}
