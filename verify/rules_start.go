package verify

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/image/ldso"
	"github.com/imgcheck/imgcheck/platform"
)

// startRules names the rules that what stops a program's start breaks:
// the entrypoint's (IC2xx) or the health check's (IC3xx), and says what
// follows.
type startRules struct {
	exec     string // the run user may not execute the program or reach it
	interp   string // ... execute its #! or ELF interpreter
	read     string // ... read its script or a library
	notFound string // a library is not found
	arch     string // a library or the interpreter is of another class or machine, or not loadable
	version  string // a symbol version is missing
	outcome  string // what happens then
	loc      *Location
}

func entrypointStart() startRules {
	return startRules{exec: "IC213", interp: "IC214", read: "IC215", notFound: "IC216", arch: "IC217", version: "IC218",
		outcome: "the container fails to start"}
}

func (c *checker) healthStart() startRules {
	return startRules{exec: "IC320", interp: "IC320", read: "IC320", notFound: "IC321", arch: "IC321", version: "IC321",
		outcome: "the health check never passes", loc: loc(c.container.HealthCheck.Command.Pos)}
}

// maxLoaderFindings bounds the findings one program's loading gives; glibc
// itself prints only the first load failure.
const maxLoaderFindings = 8

// addExecDenial reports that the run user may not execute program p (or
// search a directory on its path), quoting runc: its lookup's stat fails
// on a directory, its access check on the file.
func (c *checker) addExecDenial(rules startRules, role string, f image.File, d *image.Denial, u *runUser) {
	quote := fmt.Sprintf("exec %s: permission denied", f.Path)
	what := "executed"
	if d.Access == image.AccessSearch {
		quote = fmt.Sprintf("exec: %q: stat %s: permission denied", f.Path, f.Path)
		what = "reached (directory " + d.Path + " may not be searched)"
	}
	c.addStop(rules.exec, Finding{
		Message:  fmt.Sprintf("%s %s cannot be %s by %s: %s (%q)", role, f.Path, what, userShort(u), rules.outcome, quote),
		Evidence: denialEvidence(d, u),
		Fix:      denialFix(d),
		Location: rules.loc})
}

// addInterpDenial reports an interpreter the run user may not execute:
// execve of the program fails with EACCES.
func (c *checker) addInterpDenial(rules startRules, role, program, kind string, interp image.File, d *image.Denial, u *runUser) {
	c.addStop(rules.interp, Finding{
		Message: fmt.Sprintf("the %s %s of %s %s cannot be executed by %s: %s (%q)",
			kind, interp.Path, role, program, userShort(u), rules.outcome, "exec "+program+": permission denied"),
		Evidence: denialEvidence(d, u),
		Fix:      denialFix(d),
		Location: rules.loc})
}

// userShort names the user in a message; the evidence has the rest.
func userShort(u *runUser) string {
	if u.cred.Name != "" {
		return fmt.Sprintf("uid %d (%s)", u.cred.UID, u.cred.Name)
	}
	return fmt.Sprintf("uid %d", u.cred.UID)
}

// judgeLoader checks what happens after execve accepts a dynamic ELF
// program whose interpreter is in the image: the kernel executes the
// interpreter as the run user, then the loader (emulated) loads the
// libraries. exe is the path as executed, argv0 what the program is
// called.
func (c *checker) judgeLoader(ctx context.Context, rules startRules, role, exe, argv0 string, interp image.File) error {
	d, u, err := c.access(ctx, interp, image.AccessExec)
	if err != nil || u.refused != nil {
		return err
	}
	if d != nil {
		c.addInterpDenial(rules, role, exe, "ELF interpreter", interp, d, u)
		return nil
	}
	if !u.cred.DACOverride {
		// The loader's read checks need the groups.
		if err := c.completeUser(ctx, u); err != nil || u.refused != nil {
			return err
		}
	}
	env, why := c.processEnv()
	if why != "" {
		return errCheck{fmt.Sprintf("%s %s is dynamically linked and %s: the libraries it loads cannot be known", role, exe, why)}
	}
	var fsUser *image.Cred
	if !u.cred.DACOverride {
		fsUser = &u.cred
	}
	res, err := ldso.Resolve(ctx, c.p.LoaderFS(fsUser), ldso.Config{
		Executable: exe, Argv0: argv0, Env: env, WorkDir: c.workingDir(),
		Arch: c.want.Architecture, User: image.LoaderCredentials(u.cred)})
	if err != nil {
		return fmt.Errorf("emulating the dynamic loader for %s %s: %w", role, exe, err)
	}
	for i, f := range res.Failures {
		if i == maxLoaderFindings {
			break
		}
		kind := classify(f)
		var denial *image.Denial
		if kind == failNotFound || kind == failRead {
			if denial, err = c.deniedCandidate(ctx, f, u); err != nil {
				return err
			}
			if denial != nil {
				kind = failRead
			}
		}
		fd := c.loaderFinding(rules, kind, role, exe, res, f, u)
		if denial != nil {
			fd.Evidence += "; " + denialEvidence(denial, u)
		}
		if i == maxLoaderFindings-1 && len(res.Failures) > maxLoaderFindings {
			fd.Evidence += fmt.Sprintf("; %d more loader failures not listed", len(res.Failures)-maxLoaderFindings)
		}
		c.addStop(rules.id(kind), fd)
	}
	if len(res.Failures) == 0 && len(res.Unknown) > 0 {
		return errCheck{fmt.Sprintf("%s %s: the dynamic loader emulation cannot predict its start: %s", role, exe, strings.Join(res.Unknown, "; "))}
	}
	return nil
}

// failKind sorts loader failures by what stopped the loader.
type failKind int

const (
	failNotFound     failKind = iota // nothing under the name
	failRead                         // a candidate the user may not read or reach
	failArch                         // candidates of another class or machine, or not loadable
	failVersion                      // a symbol version missing
	failInterpDenied                 // the ELF interpreter may not be executed
)

func (r startRules) id(k failKind) string {
	switch k {
	case failRead:
		return r.read
	case failArch:
		return r.arch
	case failVersion:
		return r.version
	case failInterpDenied:
		return r.interp
	}
	return r.notFound
}

func classify(f ldso.Failure) failKind {
	switch {
	case f.Kind == ldso.FailVersion:
		return failVersion
	case f.Kind == ldso.FailInterpreter && strings.HasSuffix(f.Message, "Permission denied"):
		return failInterpDenied
	case skippedFor(f, "permission denied"):
		return failRead
	case f.Kind == ldso.FailWrongClass, f.Kind == ldso.FailBadObject, f.Kind == ldso.FailInterpreter, skippedFor(f, "other "):
		return failArch
	}
	return failNotFound
}

func skippedFor(f ldso.Failure, reason string) bool {
	for _, s := range f.Skipped {
		if strings.HasPrefix(s.Reason, reason) {
			return true
		}
	}
	return false
}

// deniedCandidate finds, for a library the loader did not find, a
// candidate path that holds a file the user may not read or reach (a
// directory on the way not searchable), with the evidence. Root reads
// everything: nothing to find.
func (c *checker) deniedCandidate(ctx context.Context, f ldso.Failure, u *runUser) (*image.Denial, error) {
	if u.cred.DACOverride {
		return nil, nil
	}
	for _, p := range f.Searched {
		if !path.IsAbs(p) {
			p = path.Join(c.workingDir(), p)
		}
		file, err := c.p.Lookup(ctx, p)
		if err != nil {
			return nil, err
		}
		if !file.Found || file.Type != image.TypeRegular {
			continue
		}
		d, _, err := c.access(ctx, file, image.AccessRead)
		if err != nil || d != nil {
			return d, err
		}
	}
	return nil, nil
}

func (c *checker) loaderFinding(rules startRules, kind failKind, role, exe string, res *ldso.Result, f ldso.Failure, u *runUser) Finding {
	exit := 127
	if f.Kind == ldso.FailVersion && res.Loader == ldso.LoaderGlibc {
		exit = 1
	}
	var what, fix string
	switch kind {
	case failVersion:
		what = fmt.Sprintf("needs version %s of %s, which it does not define", f.Version, f.Library)
		fix = fmt.Sprintf("build %s against the libraries of the image's distribution release (or an older one), or use a base image whose %s defines %s", exe, f.Library, f.Version)
	case failRead:
		what = fmt.Sprintf("needs %s, which %s may not read", f.Library, userShort(u))
		fix = fmt.Sprintf("make %s readable by the user (mode 0644) and its directories searchable, or run as another user", f.Library)
	case failInterpDenied:
		what = fmt.Sprintf("cannot be run: %s may not execute its ELF interpreter %s", userShort(u), f.Library)
		fix = "give the ELF interpreter and its directories the execute and search bits for the user (0755)"
	case failArch:
		what = fmt.Sprintf("needs %s, and the loader finds no usable file for it", f.Library)
		fix = fmt.Sprintf("install %s built for %s, the task's platform", f.Library, platform.String(&c.want))
		if f.Kind == ldso.FailInterpreter {
			what, fix = "cannot be run by its ELF interpreter "+f.Library, "use the ELF interpreter of the program's own architecture"
		}
	default:
		what = fmt.Sprintf("needs %s, which the loader finds in no directory it searches", f.Library)
		fix = fmt.Sprintf("install the package that provides %s in the image, point the binary's RUNPATH or LD_LIBRARY_PATH at it, or build statically (CGO_ENABLED=0 for Go)", f.Library)
	}
	quote := fmt.Sprintf("%q", f.Message)
	if !f.Exact {
		quote += " (the loader's behaviour is predicted, its exact words are not)"
	}
	return Finding{
		Message:  fmt.Sprintf("%s %s %s: %s, exit %d: %s", role, exe, what, rules.outcome, exit, quote),
		Evidence: loaderEvidence(res, f, u),
		Fix:      fix,
		Location: rules.loc}
}

// maxSearchedShown bounds the paths listed in evidence.
const maxSearchedShown = 16

func loaderEvidence(res *ldso.Result, f ldso.Failure, u *runUser) string {
	loader := string(res.Loader)
	if loader == "" {
		loader = "kernel"
	}
	parts := []string{fmt.Sprintf("loader: %s (interpreter %s)", loader, res.Interpreter)}
	if f.NeededBy != "" {
		parts = append(parts, "needed by "+f.NeededBy)
	}
	if n := len(f.Searched); n > 0 {
		shown := f.Searched[:min(n, maxSearchedShown)]
		s := "searched: " + strings.Join(shown, ", ")
		if n > len(shown) {
			s += fmt.Sprintf(" and %d more", n-len(shown))
		}
		parts = append(parts, s)
	}
	for _, s := range f.Skipped {
		parts = append(parts, fmt.Sprintf("passed over %s (%s)", s.Path, s.Reason))
	}
	parts = append(parts, res.Notes...)
	parts = append(parts, u.describe())
	return strings.Join(parts, "; ")
}

// processEnv is the environment the program starts with: the image's,
// overridden by the task's. why is set when a variable the loader reads
// has a value imgcheck cannot know (a secret, a template).
func (c *checker) processEnv() (env []string, why string) {
	env = append(env, c.p.Config.Env...)
	if c.container == nil {
		return env, ""
	}
	for _, kv := range c.container.Environment {
		switch {
		case !kv.Name.Known():
			return nil, fmt.Sprintf("an environment variable's name is not known (%s)", kv.Name.Unresolved)
		case isLoaderVar(kv.Name.Value) && !kv.Value.Known():
			return nil, fmt.Sprintf("the task's %s is not known (%s)", kv.Name.Value, kv.Value.Unresolved)
		}
		env = append(env, kv.Name.Value+"="+kv.Value.Value)
	}
	for _, s := range c.container.Secrets {
		if !s.Name.Known() || isLoaderVar(s.Name.Value) {
			return nil, fmt.Sprintf("the task sets %s from a secret", s.Name.Value)
		}
	}
	return env, ""
}

// isLoaderVar: the variables the loader emulation reads.
func isLoaderVar(name string) bool {
	return name == "LD_LIBRARY_PATH" || name == "LD_PRELOAD"
}
