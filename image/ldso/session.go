package ldso

import (
	"context"
	"fmt"
	"syscall"

	"github.com/imgcheck/imgcheck/image/binfmt"
)

const (
	// firstRead is the first prefix read of a file: the ELF header, the
	// program headers and PT_INTERP of ordinary objects.
	firstRead = 4 << 10
	// maxReadRounds bounds how often one file's prefix is read again.
	maxReadRounds = 6
)

// session holds the state shared by one emulation: the file system, what
// was looked up and read, and the limits.
type session struct {
	ctx   context.Context
	fsys  FS
	cfg   Config
	res   *Result
	stats map[string]statResult
	files map[string]*objectFile // by file ID
	read  int64                  // bytes read so far
	looks int                    // Stat calls so far
}

type statResult struct {
	fi    FileInfo
	errno syscall.Errno // 0 when the file exists
}

// objectFile is one file as read: its prefix so far and, once parsed, its
// dynamic-loading view.
type objectFile struct {
	path   string
	fi     FileInfo
	prefix []byte
	dyn    *binfmt.Dynamic
}

func newSession(ctx context.Context, fsys FS, cfg Config) *session {
	return &session{ctx: ctx, fsys: fsys, cfg: cfg, res: &Result{},
		stats: map[string]statResult{}, files: map[string]*objectFile{}}
}

// stat looks a path up once per session. The error is for failures that
// make the outcome unknown; a missing or unreachable file is an errno.
// Every call counts toward Config.MaxLookups, cached or not: search paths
// repeated across a long chain of loaders must not loop unbounded.
func (s *session) stat(path string) (statResult, error) {
	if s.looks >= s.cfg.MaxLookups {
		return statResult{}, fmt.Errorf("more than %d file lookups", s.cfg.MaxLookups)
	}
	s.looks++
	if r, ok := s.stats[path]; ok {
		return r, nil
	}
	fi, err := s.fsys.Stat(s.ctx, path)
	var r statResult
	if err != nil {
		errno, ok := errnoOf(err)
		if !ok {
			return statResult{}, fmt.Errorf("looking up %s: %w", path, err)
		}
		r.errno = errno
	} else {
		r.fi = fi
		if r.fi.Resolved == "" {
			r.fi.Resolved = path
		}
		if r.fi.ID == "" {
			r.fi.ID = r.fi.Resolved
		}
	}
	s.stats[path] = r
	return r, nil
}

// file returns the file at path with at least its first read done.
func (s *session) file(path string, fi FileInfo) (*objectFile, error) {
	f, ok := s.files[fi.ID]
	if !ok {
		f = &objectFile{path: path, fi: fi}
		s.files[fi.ID] = f
	}
	if f.prefix == nil {
		if err := s.readPrefix(f, min(fi.Size, firstRead), true); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// readPrefix reads the first n bytes of f; object says that only the ELF
// header and binfmt's parsers will look at them (see ObjectFS).
func (s *session) readPrefix(f *objectFile, n int64, object bool) error {
	if s.read+n > s.cfg.MaxReadBytes {
		return fmt.Errorf("reading %d bytes of %s would pass the limit of %d bytes read", n, f.path, s.cfg.MaxReadBytes)
	}
	read := s.fsys.ReadPrefix
	if o, ok := s.fsys.(ObjectFS); ok && object {
		read = o.ReadObject
	}
	b, err := read(s.ctx, f.path, n)
	if err != nil {
		return fmt.Errorf("reading %s: %w", f.path, err)
	}
	if int64(len(b)) > n {
		b = b[:n]
	}
	s.read += int64(len(b))
	s.res.Reads = append(s.res.Reads, Read{Path: f.path, Bytes: int64(len(b))})
	if int64(len(b)) < n { // shorter than its size said: take what is there as the whole file
		f.fi.Size = int64(len(b))
	}
	f.prefix = b
	return nil
}

// dynamic parses the file, reading more of it until the parse needs no
// more. Problems in the parse make the outcome unknown: the loader would
// read garbage or fault, so they are an error.
func (s *session) dynamic(f *objectFile) (*binfmt.Dynamic, error) {
	if f.dyn != nil {
		return f.dyn, nil
	}
	for round := 0; ; round++ {
		d := binfmt.ParseDynamic(f.prefix, f.fi.Size)
		if d.Need == 0 {
			if len(d.Problems) > 0 {
				return nil, fmt.Errorf("%s: malformed ELF file: %s", f.path, joinProblems(d.Problems))
			}
			f.dyn = &d
			return f.dyn, nil
		}
		if round+1 >= maxReadRounds {
			return nil, fmt.Errorf("%s: still incomplete after %d reads (needs %d bytes)", f.path, round+1, d.Need)
		}
		n := min(max(d.Need, 2*int64(len(f.prefix))), f.fi.Size)
		if err := s.readPrefix(f, n, true); err != nil {
			return nil, err
		}
	}
}

func joinProblems(p []string) string {
	const show = 3
	out := ""
	for i, s := range p {
		if i == show {
			return out + fmt.Sprintf("; and %d more", len(p)-show)
		}
		if i > 0 {
			out += "; "
		}
		out += s
	}
	return out
}
