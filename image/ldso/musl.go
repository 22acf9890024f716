package ldso

import (
	"fmt"
	"path"
	"strings"
	"syscall"

	"github.com/imgcheck/imgcheck/image/binfmt"
)

const (
	muslDefaultPath = "/lib:/usr/local/lib:/usr/lib"
	muslNameMax     = 255       // NAME_MAX: longer names are not searched
	muslPathBuf     = 2*255 + 2 // load_library's buffer: longer candidates are skipped
	maxMuslPathFile = 1 << 20
)

// muslObject is one object in musl's list (struct dso).
type muslObject struct {
	name      string // the path it was opened at (p->name); AT_EXECFN for the program
	shortname string // basename, for objects found by a search
	id        string
	dyn       *binfmt.Dynamic
	neededBy  *muslObject
	requested string // the name it was first requested by
	via       Source
	isMain    bool
}

// musl emulates musl's dynamic loader (ldso/dynlink.c).
type musl struct {
	s       *session
	app     *muslObject
	interp  *objectFile
	list    []*muslObject // load order: the program, preloads, dependencies
	self    *muslObject   // the loader itself, once requested (by a libc name)
	envPath string
	hasEnv  bool
	sysPath *string
}

func newMusl(s *session, exe, interp *objectFile) *musl {
	app := &muslObject{name: s.cfg.Executable, id: exe.fi.ID, dyn: exe.dyn, via: SourceExecutable, isMain: true,
		requested: s.cfg.Executable}
	return &musl{s: s, app: app, interp: interp, list: []*muslObject{app}}
}

func (m *musl) run() error {
	m.envPath, m.hasEnv = m.s.cfg.env("LD_LIBRARY_PATH")
	if pre, ok := m.s.cfg.env("LD_PRELOAD"); ok {
		isSep := func(r rune) bool {
			return r == ':' || r == ' ' || r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r'
		}
		for _, name := range strings.FieldsFunc(pre, isSep) {
			if _, _, err := m.load(name, nil); err != nil { // musl ignores preloads that fail
				return err
			}
		}
	}
	for i := 0; i < len(m.list); i++ {
		p := m.list[i]
		for _, name := range p.dyn.Needed {
			o, st, err := m.load(name, p)
			if err != nil {
				return err
			}
			if o == nil {
				m.fail(name, p, st)
			}
		}
	}
	m.listObjects()
	return nil
}

// muslSearch is what load_library tried for one name.
type muslSearch struct {
	searchState
	inexact bool   // the outcome is predicted, the loader's words are not known
	via     Source // the list being searched
}

// fail records musl's message for a DT_NEEDED entry it could not load.
func (m *musl) fail(name string, p *muslObject, st *muslSearch) {
	kind := FailNotFound
	if st.errno != syscall.ENOENT && st.errno != syscall.ENOTDIR && st.errno != syscall.EACCES {
		kind = FailBadObject
	}
	m.s.res.Failures = append(m.s.res.Failures, Failure{Kind: kind, Library: name, NeededBy: p.name,
		Message:  fmt.Sprintf("Error loading shared library %s: %s (needed by %s)", name, muslStrerror(st.errno), p.name),
		Exact:    !st.inexact,
		Searched: st.searched, Skipped: st.skipped})
}

// load is musl's load_library. It returns the object, or nil and what the
// search saw (errno is what %m prints).
func (m *musl) load(name string, neededBy *muslObject) (*muslObject, *muslSearch, error) {
	st := &muslSearch{searchState: searchState{errno: syscall.ENOENT}}
	if name == "" {
		st.errno = syscall.EINVAL
		return nil, st, nil
	}
	if isMuslReserved(name) || name == m.s.res.Interpreter {
		return m.loader(name), nil, nil
	}
	var cand string
	if strings.Contains(name, "/") {
		cand = name
		if ok, err := m.try(name, st); err != nil || !ok {
			return nil, st, err
		}
	} else {
		for _, l := range m.list {
			if l.shortname == name {
				return l, nil, nil
			}
		}
		if len(name) > muslNameMax {
			st.errno, st.inexact = syscall.ENAMETOOLONG, true
			return nil, st, nil
		}
		var err error
		if cand, err = m.search(name, neededBy, st); err != nil || cand == "" {
			return nil, st, err
		}
	}
	return m.mapLibrary(name, cand, neededBy, st)
}

// search runs musl's order for a name without a slash: LD_LIBRARY_PATH,
// then the RPATH (or RUNPATH) of the requesting object and of each object
// up its chain of requesters, then the path file or the default path.
func (m *musl) search(name string, neededBy *muslObject, st *muslSearch) (string, error) {
	type pathList struct {
		list string
		via  Source
	}
	var lists []pathList
	if m.hasEnv {
		lists = append(lists, pathList{m.envPath, SourceLibraryPath})
	}
	for p := neededBy; p != nil; p = p.neededBy {
		if rp, ok := m.rpath(p); ok {
			via := SourceRPath
			if p.dyn.HasRunPath {
				via = SourceRunPath
			}
			lists = append(lists, pathList{rp, via})
		}
	}
	for _, l := range lists {
		st.via = l.via
		cand, stop, err := m.pathOpen(name, l.list, st)
		if err != nil || cand != "" || stop {
			return cand, err
		}
	}
	sys, err := m.systemPath()
	if err != nil {
		return "", err
	}
	st.via = SourceMuslPath
	cand, _, err := m.pathOpen(name, sys, st)
	return cand, err
}

// pathOpen is musl's path_open: each directory of a ':'/newline list in
// turn; ENOENT, ENOTDIR, EACCES and ENAMETOOLONG go on to the next, other
// errors stop the whole search.
func (m *musl) pathOpen(name, list string, st *muslSearch) (cand string, stop bool, err error) {
	dirs, _ := binfmt.ParseMuslPath([]byte(list))
	for _, d := range dirs {
		c := d + "/" + name
		if len(c) >= muslPathBuf {
			continue
		}
		ok, err := m.try(c, st)
		if err != nil || ok {
			return c, false, err
		}
		switch st.errno {
		case syscall.ENOENT, syscall.ENOTDIR, syscall.EACCES, syscall.ENAMETOOLONG:
		default:
			return "", true, nil
		}
	}
	return "", false, nil
}

// try opens a candidate: ok when open would succeed.
func (m *musl) try(c string, st *muslSearch) (bool, error) {
	st.searched = append(st.searched, c)
	r, err := m.s.stat(m.fsPath(c))
	if err != nil {
		return false, err
	}
	if r.errno != 0 {
		st.errno = r.errno
		return false, nil
	}
	if !m.s.cfg.User.canRead(r.fi) {
		st.errno = syscall.EACCES
		st.skipped = append(st.skipped, Skip{Path: c, Reason: "permission denied"})
		return false, nil
	}
	return true, nil
}

func (m *musl) fsPath(p string) string {
	if path.IsAbs(p) {
		return p
	}
	return strings.TrimRight(m.s.cfg.WorkDir, "/") + "/" + p
}

// isMuslReserved reports names musl serves from itself: libc, libpthread,
// librt, libm, libdl, libutil and libxnet, with any suffix after the dot.
func isMuslReserved(name string) bool {
	for _, base := range []string{"libc.", "libpthread.", "librt.", "libm.", "libdl.", "libutil.", "libxnet."} {
		if strings.HasPrefix(name, base) {
			return true
		}
	}
	return false
}
