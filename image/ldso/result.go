package ldso

import "strings"

// Loader names the dynamic loader family a program's interpreter belongs to.
type Loader string

// The loaders emulated.
const (
	LoaderGlibc Loader = "glibc"
	LoaderMusl  Loader = "musl"
)

// Source says how the loader found an object.
type Source string

// Sources of objects, in the order glibc tries them for a name without a
// slash (musl: LD_LIBRARY_PATH, then RPATH/RUNPATH, then its path file).
const (
	SourceExecutable  Source = "executable"
	SourceInterpreter Source = "interpreter" // PT_INTERP, loaded by the kernel
	SourcePath        Source = "path"        // a name containing a slash
	SourceRPath       Source = "DT_RPATH"
	SourceLibraryPath Source = "LD_LIBRARY_PATH"
	SourceRunPath     Source = "DT_RUNPATH"
	SourceCache       Source = "ld.so.cache"
	SourceDefault     Source = "default path"
	SourceMuslPath    Source = "musl path file" // /etc/ld-musl-$ARCH.path or musl's default
	SourceBuiltin     Source = "built in"       // musl's libc names, served by the loader itself
)

// Result is what the loader would do when the program starts.
type Result struct {
	Loader      Loader
	Interpreter string // PT_INTERP of the executable
	// Objects lists what was loaded, in the loader's order: the executable,
	// then its dependencies breadth-first, the interpreter where it is
	// first needed (or last). Libraries that failed are not listed.
	Objects []Object
	// Failures are the errors the loader would report, in the order it
	// meets them. glibc stops at the first load failure (exit 127) and
	// reports every version failure only when all objects loaded (exit 1);
	// the emulation goes on, as ldd does, so that later failures are known
	// too. musl reports every load failure and exits 127.
	Failures []Failure
	// Warnings are non-fatal loader messages, e.g. glibc's "no version
	// information available" or a preload that could not be loaded.
	Warnings []string
	// Reads lists every file read, in order, with the bytes read, so the
	// caller can account for them. Reads of one file may repeat with a
	// longer prefix.
	Reads []Read
	// Notes record assumptions the emulation made, e.g. which default
	// directories the image's glibc searches.
	Notes []string
	// Unknown lists what the emulation cannot predict even though loading
	// succeeds as far as it sees, e.g. a library that defines no symbol
	// versions where the program needs some: the loader only warns, but
	// its symbol lookup (not emulated) may then fail. A caller that must
	// fail closed treats a non-empty Unknown as "could not verify".
	Unknown []string
}

// Object is one loaded object.
type Object struct {
	Name     string // as requested: DT_NEEDED entry, PT_INTERP path, or the executable's path
	Path     string // the path it was opened at, as ldd prints it after "=>"
	NeededBy string // path of the object that first needed it; "" for the executable, interpreter and preloads
	Via      Source
	SONAME   string
}

// FailureKind classifies a Failure.
type FailureKind string

// Kinds of failures.
const (
	// FailNotFound: no candidate could be opened ("cannot open shared
	// object file", musl's "No such file or directory").
	FailNotFound FailureKind = "not-found"
	// FailWrongClass: only objects of the other ELF class were found
	// (glibc "wrong ELF class: ELFCLASS32").
	FailWrongClass FailureKind = "wrong-class"
	// FailBadObject: a file was found but the loader refuses it (invalid
	// ELF header, file too short, not a shared object, ...).
	FailBadObject FailureKind = "bad-object"
	// FailInterpreter: the kernel cannot load the program interpreter.
	FailInterpreter FailureKind = "interpreter"
	// FailVersion: a needed symbol version is not defined by the library
	// that provides it.
	FailVersion FailureKind = "version-not-found"
)

// Failure is one error the loader reports.
type Failure struct {
	Kind     FailureKind
	Library  string // the name as requested (a DT_NEEDED entry), or the library lacking a version
	NeededBy string // path of the object that requested it (for versions: that requires the version)
	Version  string // FailVersion: the missing version, e.g. "GLIBC_2.34"
	// Message is the line the loader prints to standard error, without the
	// trailing newline.
	Message string
	// Exact is true when Message is verbatim what the loader prints; false
	// when the loader's behaviour is predicted but its words are not known
	// (for example musl mapping a library of another machine).
	Exact bool
	// Searched lists the paths tried, in order (directories of the search
	// path joined with the name; glibc also tries glibc-hwcaps and legacy
	// hwcap subdirectories that depend on the CPU and are not listed).
	Searched []string
	// Skipped lists files that exist but were passed over.
	Skipped []Skip
}

// Skip is a file the loader passed over while searching.
type Skip struct {
	Path   string
	Reason string // "other ELF class (ELFCLASS32)", "other machine (EM_AARCH64)", "permission denied"
}

// Read is one read of a file's first Bytes bytes.
type Read struct {
	Path  string
	Bytes int64
}

// ExitCode is the status the process would exit with when the loader
// fails: 127 for a load failure, 1 for version failures only; 0 when the
// loader hands over to the program. A missing or unusable interpreter
// fails execve itself; 127 is what container runtimes then report.
func (r *Result) ExitCode() int {
	for _, f := range r.Failures {
		if f.Kind != FailVersion {
			return 127
		}
	}
	if len(r.Failures) > 0 {
		return 1
	}
	return 0
}

// Stderr is what the loader prints before it exits: for glibc the first
// load failure, or else every version failure; for musl every load
// failure (musl then also prints "Error relocating ..." for each symbol
// left unresolved, which is not predicted). Warnings printed before are
// not included.
func (r *Result) Stderr() string {
	var lines []string
	for _, f := range r.Failures {
		if r.Loader == LoaderGlibc && f.Kind != FailVersion {
			return f.Message + "\n"
		}
		lines = append(lines, f.Message)
	}
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}
