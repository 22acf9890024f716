package ldso

import (
	"fmt"
	"slices"
)

// checkVersions emulates glibc's _dl_check_all_versions after loading:
// for every loaded object, in load order, every version it needs
// (DT_VERNEED) must be defined (DT_VERDEF) by the object that provides it.
// A missing weak version and a provider without version definitions are
// warnings; a missing version is a failure (glibc prints them all, then
// exits 1).
func (g *glibc) checkVersions() error {
	objs := slices.Clone(g.search)
	if !g.rtld.inSearch {
		objs = append(objs, g.rtld)
	}
	for _, o := range objs {
		if err := g.checkObjectVersions(o); err != nil {
			return err
		}
	}
	return nil
}

func (g *glibc) checkObjectVersions(o *glibcObject) error {
	needs := o.dyn.VersionNeeds
	if len(needs) == 0 {
		return nil
	}
	if v := needs[0].Version; v != 1 {
		e := &loadError{kind: FailBadObject, objname: g.dsoFilename(o), errstr: fmt.Sprintf("unsupported version %d of Verneed record", v)}
		g.s.res.Failures = append(g.s.res.Failures, Failure{Kind: FailBadObject, Library: g.displayPath(o),
			NeededBy: g.displayPath(o), Message: e.message(g.s.cfg.Argv0), Exact: true})
		return nil
	}
	for _, need := range needs {
		provider := g.findNeeded(need.File)
		if provider == nil {
			if g.failed[need.File] {
				continue // not loaded: reported already, as ldd skips faked objects
			}
			return fmt.Errorf("%s needs versions from %s, which is not among its loaded dependencies (glibc fails an assertion)", g.displayPath(o), need.File)
		}
		for _, v := range need.Versions {
			g.matchVersion(o, provider, v.Name, v.Hash, v.Weak())
		}
	}
	return nil
}

// findNeeded is glibc's find_needed: the loaded object known by name.
func (g *glibc) findNeeded(name string) *glibcObject {
	for _, l := range g.loaded {
		if l.path == name || slices.Contains(l.names, name) {
			return l
		}
	}
	return nil
}

// matchVersion is glibc's match_symbol: the version is found when a
// definition has the same hash and name.
func (g *glibc) matchVersion(o, provider *glibcObject, name string, hash uint32, weak bool) {
	req, prov := g.dsoFilename(o), g.dsoFilename(provider)
	line := func(text string) string { return g.s.cfg.Argv0 + ": " + prov + ": " + text }
	if !provider.dyn.HasVerdef {
		g.s.res.Warnings = append(g.s.res.Warnings, line(fmt.Sprintf("no version information available (required by %s)", req)))
		unknown := fmt.Sprintf("%s needs version %s from %s, which defines no versions: the loader warns, and binding the symbols may then fail (glibc 2.36 fails an assertion)", g.displayPath(o), name, g.displayPath(provider))
		if !slices.Contains(g.s.res.Unknown, unknown) {
			g.s.res.Unknown = append(g.s.res.Unknown, unknown)
		}
		return
	}
	for _, def := range provider.dyn.VersionDefs {
		if def.Version != 1 {
			g.s.res.Failures = append(g.s.res.Failures, Failure{Kind: FailVersion, Library: provider.path,
				NeededBy: g.displayPath(o), Version: name, Exact: true,
				Message: line(fmt.Sprintf("unsupported version %d of Verdef record", def.Version))})
			return
		}
		if def.Hash == hash && def.Name == name {
			return
		}
	}
	if weak {
		g.s.res.Warnings = append(g.s.res.Warnings, line(fmt.Sprintf("weak version `%s' not found (required by %s)", name, req)))
		return
	}
	g.s.res.Failures = append(g.s.res.Failures, Failure{Kind: FailVersion, Library: provider.path,
		NeededBy: g.displayPath(o), Version: name, Exact: true,
		Message: line(fmt.Sprintf("version `%s' not found (required by %s)", name, req))})
}
