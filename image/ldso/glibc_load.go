package ldso

import (
	"debug/elf"
	"fmt"
	"strings"
	"syscall"
)

// loadError is glibc's exception for a failed load: an object name, a
// message and an errno (0 for none).
type loadError struct {
	kind     FailureKind
	objname  string
	errstr   string
	errno    syscall.Errno
	searched []string
	skipped  []Skip
}

// message renders the exception as glibc's fatal_error prints it.
func (e *loadError) message(argv0 string) string {
	var b strings.Builder
	b.WriteString(argv0 + ": error while loading shared libraries: ")
	if e.objname != "" {
		b.WriteString(e.objname + ": ")
	}
	b.WriteString(e.errstr)
	if e.errno != 0 {
		b.WriteString(": " + glibcStrerror(e.errno))
	}
	return b.String()
}

// searchState is one name's search: the paths tried and why they failed.
type searchState struct {
	searched   []string
	skipped    []Skip
	errno      syscall.Errno // of the last failed open
	otherClass bool          // a file of the other ELF class was passed over
}

// opened is a file that passed open_verify.
type opened struct {
	path string
	via  Source
	file *objectFile
}

// mapObject returns the object for name, loading it if needed, as glibc's
// _dl_map_object does for a dependency of loader.
func (g *glibc) mapObject(loader *glibcObject, name string) (*glibcObject, *loadError, error) {
	if l := g.lookupLoaded(name); l != nil {
		return l, nil, nil
	}
	st := &searchState{errno: syscall.ENOENT}
	var found *opened
	var fail *loadError
	var err error
	if strings.Contains(name, "/") {
		if p, ok := g.expandDST(loader, name); ok {
			found, fail, err = g.openVerify(p, SourcePath, st)
		}
	} else {
		found, fail, err = g.searchName(loader, name, st)
	}
	if err != nil || fail != nil {
		return nil, fail, err
	}
	if found == nil {
		e := &loadError{kind: FailNotFound, objname: name, errstr: "cannot open shared object file",
			errno: st.errno, searched: st.searched, skipped: st.skipped}
		if st.otherClass {
			e.kind, e.errno = FailWrongClass, 0
			e.errstr = "wrong ELF class: ELFCLASS32"
			if g.rtld.dyn.Header.Class == 32 {
				e.errstr = "wrong ELF class: ELFCLASS64"
			}
		}
		return nil, e, nil
	}
	return g.newObject(loader, name, found, st)
}

// searchName looks for a name without a slash in glibc's order: DT_RPATH
// of the loader and its loaders (only when the loader has no DT_RUNPATH)
// and of the executable, LD_LIBRARY_PATH, the loader's DT_RUNPATH,
// /etc/ld.so.cache, the default directories (both skipped for a loader
// marked DF_1_NODEFLIB, the cache only for entries in them).
func (g *glibc) searchName(loader *glibcObject, name string, st *searchState) (*opened, *loadError, error) {
	var (
		found *opened
		fail  *loadError
		err   error
	)
	try := func(dirs []string, via Source) bool {
		for _, dir := range dirs {
			found, fail, err = g.openVerify(dir+name, via, st)
			if found != nil || fail != nil || err != nil {
				return true
			}
		}
		return false
	}
	done := false
	if !loader.dyn.HasRunPath {
		didMain := false
		for l := loader; l != nil && !done; l = l.loader {
			if dirs := g.rpathDirs(l); len(dirs) > 0 {
				done = try(dirs, SourceRPath)
				didMain = didMain || l == g.main
			}
		}
		if !done && !didMain {
			done = try(g.rpathDirs(g.main), SourceRPath)
		}
	}
	if !done {
		done = try(g.libraryPath, SourceLibraryPath)
	}
	if !done {
		done = try(g.runpathDirs(loader), SourceRunPath)
	}
	nodeflib := loader.dyn.Flags1&uint64(elf.DF_1_NODEFLIB) != 0
	if !done {
		var cached string
		if cached, err = g.cacheLookup(name, nodeflib); err != nil {
			return nil, nil, err
		}
		if cached != "" {
			found, fail, err = g.openVerify(cached, SourceCache, st)
			done = found != nil || fail != nil || err != nil
		}
	}
	if !done && !nodeflib {
		try(g.systemDirs, SourceDefault)
	}
	return found, fail, err
}

// newObject registers a file that passed open_verify: the same file
// already loaded under another name is reused (glibc compares device and
// inode); otherwise the checks of _dl_map_object_from_fd apply.
func (g *glibc) newObject(loader *glibcObject, name string, f *opened, st *searchState) (*glibcObject, *loadError, error) {
	for _, l := range g.loaded {
		if l.id == f.file.fi.ID && !l.isMain {
			if !containsString(l.names, name) {
				l.names = append(l.names, name)
			}
			return l, nil, nil
		}
	}
	d, err := g.s.dynamic(f.file)
	if err != nil {
		return nil, nil, err
	}
	refuse := func(msg string) (*glibcObject, *loadError, error) {
		return nil, &loadError{kind: FailBadObject, objname: name, errstr: msg, searched: st.searched, skipped: st.skipped}, nil
	}
	switch {
	case d.LoadSegments == 0:
		return refuse("object file has no loadable segments")
	case d.Header.Type != elf.ET_DYN:
		return refuse("cannot dynamically load executable")
	case !d.HasDynamic || d.DynamicEmpty:
		return refuse("object file has no dynamic section")
	case d.Flags1&uint64(elf.DF_1_PIE) != 0:
		return refuse("cannot dynamically load position-independent executable")
	}
	if len(g.loaded) >= g.s.cfg.MaxObjects {
		return nil, nil, fmt.Errorf("more than %d objects loaded", g.s.cfg.MaxObjects)
	}
	o := &glibcObject{names: []string{name}, path: f.path, id: f.file.fi.ID, file: f.file, dyn: d,
		loader: loader, origin: dirOf(g.fsPath(f.path)), via: f.via}
	g.loaded = append(g.loaded, o)
	return o, nil, nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// preload loads LD_PRELOAD and /etc/ld.so.preload objects before any
// dependency, as rtld does; one that fails is reported and ignored.
func (g *glibc) preload() error {
	if list, ok := g.s.cfg.env("LD_PRELOAD"); ok {
		for _, name := range strings.FieldsFunc(list, func(r rune) bool { return r == ' ' || r == ':' }) {
			if len(name) < 255 { // rtld copies each name into a 255-byte buffer
				if err := g.preloadOne(name, "LD_PRELOAD"); err != nil {
					return err
				}
			}
		}
	}
	const file = "/etc/ld.so.preload"
	data, err := g.s.readSmallFile(file, 1<<20)
	if err != nil || data == nil {
		return err
	}
	for _, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "#")
		for _, name := range strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == ':' || r == 0 }) {
			if err := g.preloadOne(name, file); err != nil {
				return err
			}
		}
	}
	return nil
}

func (g *glibc) preloadOne(name, where string) error {
	o, fail, err := g.mapObject(g.main, name)
	switch {
	case err != nil:
		return err
	case fail != nil:
		g.s.res.Warnings = append(g.s.res.Warnings,
			fmt.Sprintf("ERROR: ld.so: object '%s' from %s cannot be preloaded (%s): ignored.", name, where, fail.errstr))
	case !o.inSearch:
		o.inSearch = true
		g.search = append(g.search, o)
	}
	return nil
}
