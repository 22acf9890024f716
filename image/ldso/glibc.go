package ldso

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/imgcheck/imgcheck/image/binfmt"
)

// glibcObject is one object in glibc's namespace list (struct link_map).
type glibcObject struct {
	names    []string // l_libname: the names it was requested by, and its soname once matched
	path     string   // l_name: the path it was opened at; "" for the main program
	id       string   // file identity (device and inode in glibc)
	file     *objectFile
	dyn      *binfmt.Dynamic
	loader   *glibcObject // l_loader: the object whose dependency it first was
	origin   string       // $ORIGIN; "" when unknown
	via      Source
	isMain   bool
	inSearch bool // already in the breadth-first search list

	rpath, runpath         []string
	rpathDone, runpathDone bool
}

// glibc emulates ld.so of the GNU C library.
type glibc struct {
	s          *session
	main, rtld *glibcObject
	loaded     []*glibcObject // the namespace list, in load order
	search     []*glibcObject // the breadth-first search list (main, preloads, dependencies)
	failed     map[string]bool

	libraryPath  []string // LD_LIBRARY_PATH directories
	systemDirs   []string // default directories, each ending in "/"
	lib          string   // $LIB
	platform     string   // $PLATFORM
	usedPlatform bool
	cache        *binfmt.LDCache
	cacheLoaded  bool
}

func newGlibc(s *session, exe, interp *objectFile) *glibc {
	g := &glibc{s: s, failed: map[string]bool{}}
	g.main = &glibcObject{names: []string{""}, id: exe.fi.ID, file: exe, dyn: exe.dyn,
		origin: dirOf(exe.fi.Resolved), via: SourceExecutable, isMain: true}
	g.rtld = &glibcObject{names: []string{exe.dyn.Interpreter}, path: exe.dyn.Interpreter, id: interp.fi.ID,
		file: interp, dyn: interp.dyn, via: SourceInterpreter}
	if interp.dyn.HasSONAME && interp.dyn.SONAME != exe.dyn.Interpreter {
		g.rtld.names = append(g.rtld.names, interp.dyn.SONAME)
	}
	g.loaded = []*glibcObject{g.main, g.rtld}
	return g
}

func (g *glibc) run() error {
	if err := g.chooseDefaults(); err != nil {
		return err
	}
	if llp, ok := g.s.cfg.env("LD_LIBRARY_PATH"); ok && llp != "" {
		g.libraryPath = g.searchDirs(llp, ":;", g.main)
	}
	g.main.inSearch = true
	g.search = []*glibcObject{g.main}
	if err := g.preload(); err != nil {
		return err
	}
	for i := 0; i < len(g.search); i++ {
		if err := g.loadNeeded(g.search[i]); err != nil {
			return err
		}
	}
	switch {
	case g.usedPlatform && g.platform == "":
		g.s.res.Unknown = append(g.s.res.Unknown, "a search path uses $PLATFORM, whose value for this machine is not known: glibc may search a directory the emulation dropped")
	case g.usedPlatform:
		g.note("$PLATFORM taken as %q; glibc 2.26 to 2.36 on x86-64 may use \"haswell\" or \"xeon_phi\" on CPUs with their features", g.platform)
	}
	g.listObjects()
	return g.checkVersions()
}

// chooseDefaults picks the default directories and $LIB: a Debian or
// Ubuntu glibc (its loader lives in a multiarch directory) searches the
// multiarch directories, then /lib and /usr/lib; an upstream build its
// slibdir and libdir (/lib64 and /usr/lib64 on 64-bit machines).
func (g *glibc) chooseDefaults() error {
	h := g.rtld.dyn.Header
	g.platform = g.s.cfg.Platform
	if g.platform == "" {
		g.platform = platformOf(h)
	}
	dirs, lib := upstreamSystemDirs(h)
	layout := "upstream"
	if t := multiarchTriplet(h); t != "" {
		multiarch, err := g.isMultiarch(t)
		if err != nil {
			return err
		}
		if multiarch {
			dirs = []string{"/lib/" + t + "/", "/usr/lib/" + t + "/", "/lib/", "/usr/lib/"}
			lib, layout = "lib/"+t, "Debian multiarch"
		}
	}
	if g.s.cfg.SystemDirs != nil {
		dirs, layout = nil, "configured"
		for _, d := range g.s.cfg.SystemDirs {
			dirs = append(dirs, strings.TrimRight(d, "/")+"/")
		}
	} else {
		g.note("glibc default directories taken as %s (%s layout)", strings.Join(dirs, ":"), layout)
	}
	g.systemDirs = dirs
	g.lib = g.s.cfg.Lib
	if g.lib == "" {
		g.lib = lib
	}
	return nil
}

// isMultiarch tells a Debian-built glibc by where its loader really is,
// or else by the multiarch directory existing.
func (g *glibc) isMultiarch(triplet string) (bool, error) {
	resolved := g.rtld.file.fi.Resolved
	for _, d := range []string{"/lib/" + triplet + "/", "/usr/lib/" + triplet + "/"} {
		if strings.HasPrefix(resolved, d) {
			return true, nil
		}
	}
	st, err := g.s.stat("/usr/lib/" + triplet)
	if err != nil {
		return false, err
	}
	return st.errno == 0 && st.fi.Mode.IsDir(), nil
}

func (g *glibc) note(format string, args ...any) {
	g.s.res.Notes = append(g.s.res.Notes, fmt.Sprintf(format, args...))
}

// loadNeeded maps each DT_NEEDED (and DT_FILTER, DT_AUXILIARY) entry of o,
// appending new objects to the search list: a breadth-first walk, as
// glibc's _dl_map_object_deps.
func (g *glibc) loadNeeded(o *glibcObject) error {
	for _, name := range o.dyn.Filters {
		if err := g.loadDependency(o, name, true); err != nil {
			return err
		}
	}
	for _, name := range o.dyn.Auxiliary {
		if err := g.loadDependency(o, name, false); err != nil {
			return err
		}
	}
	for _, name := range o.dyn.Needed {
		if err := g.loadDependency(o, name, true); err != nil {
			return err
		}
	}
	return nil
}

func (g *glibc) loadDependency(o *glibcObject, raw string, required bool) error {
	name, ok := g.expandDST(o, raw)
	if !ok || name == "" {
		return nil // glibc skips a DT_NEEDED whose tokens have no value
	}
	dep, fail, err := g.mapObject(o, name)
	if err != nil {
		return err
	}
	if fail != nil {
		if required && !g.failed[name] {
			g.failed[name] = true
			g.s.res.Failures = append(g.s.res.Failures, Failure{Kind: fail.kind, Library: name,
				NeededBy: g.displayPath(o), Message: fail.message(g.s.cfg.Argv0), Exact: true,
				Searched: fail.searched, Skipped: fail.skipped})
		}
		return nil
	}
	if !dep.inSearch {
		dep.inSearch = true
		g.search = append(g.search, dep)
	}
	return nil
}

// lookupLoaded finds an object already loaded under name: by the path it
// was opened at, a name it was requested by, or its soname (glibc's
// _dl_lookup_map).
func (g *glibc) lookupLoaded(name string) *glibcObject {
	for _, l := range g.loaded {
		if l.path == name || slices.Contains(l.names, name) {
			return l
		}
		if l.dyn.HasSONAME && l.dyn.SONAME == name {
			l.names = append(l.names, name)
			return l
		}
	}
	return nil
}

// listObjects fills Result.Objects: the executable, then the search list
// in order; the interpreter stays where it was first needed, or comes last.
func (g *glibc) listObjects() {
	var objs []Object
	for _, o := range g.search {
		objs = append(objs, g.object(o))
	}
	if !g.rtld.inSearch {
		objs = append(objs, g.object(g.rtld))
	}
	g.s.res.Objects = objs
}

func (g *glibc) object(o *glibcObject) Object {
	obj := Object{Name: o.names[0], Path: o.path, Via: o.via, SONAME: o.dyn.SONAME}
	if o.isMain {
		obj.Name, obj.Path = g.s.cfg.Executable, g.s.cfg.Executable
	}
	if o.loader != nil {
		obj.NeededBy = g.displayPath(o.loader)
	}
	return obj
}

// displayPath is the object's path for Result fields: the executable's
// path for the main program, whose l_name is empty.
func (g *glibc) displayPath(o *glibcObject) string {
	if o.isMain {
		return g.s.cfg.Executable
	}
	return o.path
}

// dsoFilename is glibc's DSO_FILENAME: l_name, or argv[0] for the main
// program.
func (g *glibc) dsoFilename(o *glibcObject) string {
	if o.path == "" {
		return g.s.cfg.Argv0
	}
	return o.path
}

// dirOf is an object's $ORIGIN: its path without the last component, as
// glibc's _dl_new_object computes it (no cleaning of "." or "..").
func dirOf(p string) string {
	i := strings.LastIndexByte(p, '/')
	switch {
	case i < 0:
		return ""
	case i == 0:
		return "/"
	}
	return p[:i]
}

// fsPath is the path handed to the file system: relative paths (from an
// empty search path element or a relative directory) resolve against the
// working directory.
func (g *glibc) fsPath(p string) string {
	if path.IsAbs(p) {
		return p
	}
	return strings.TrimRight(g.s.cfg.WorkDir, "/") + "/" + p
}
