package ldso

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"syscall"

	"github.com/imgcheck/imgcheck/image/binfmt"
)

const (
	ldSoCache = "/etc/ld.so.cache"
	// maxLDCacheSize bounds the ld.so.cache read; real ones are < 1 MiB.
	maxLDCacheSize = 32 << 20
	// libcABIMax is glibc's LIBC_ABI_MAX: EI_ABIVERSION values below it are
	// accepted with ELFOSABI_GNU.
	libcABIMax = 4
	osabiGNU   = 3
)

// openVerify opens one candidate path as glibc's open_verify does. It
// returns the file when the loader would take it; nothing when the search
// goes on (the file is missing, unreadable, or of another class or
// machine: recorded in st); a loadError when the loader stops with an
// error (a file that is not a loadable ELF object for this machine).
func (g *glibc) openVerify(p string, via Source, st *searchState) (*opened, *loadError, error) {
	st.searched = append(st.searched, p)
	r, err := g.s.stat(g.fsPath(p))
	if err != nil {
		return nil, nil, err
	}
	if r.errno != 0 {
		st.errno = r.errno
		return nil, nil, nil
	}
	if !g.s.cfg.User.canRead(r.fi) {
		st.errno = syscall.EACCES
		st.skipped = append(st.skipped, Skip{Path: p, Reason: "permission denied"})
		return nil, nil, nil
	}
	lose := func(msg string, errno syscall.Errno) (*opened, *loadError, error) {
		return nil, &loadError{kind: FailBadObject, objname: p, errstr: msg, errno: errno,
			searched: st.searched, skipped: st.skipped}, nil
	}
	switch {
	case r.fi.Mode.IsDir():
		return lose("cannot read file data", syscall.EISDIR)
	case !r.fi.Mode.IsRegular():
		return nil, nil, fmt.Errorf("%s is a %s, not a regular file: what the loader reads from it is unknown", p, r.fi.Mode.Type())
	}
	f, err := g.s.file(g.fsPath(p), r.fi)
	if err != nil {
		return nil, nil, err
	}
	skip, msg := g.verifyHeader(f)
	switch {
	case msg != "":
		return lose(msg, 0)
	case skip != "":
		st.errno = syscall.ENOENT
		st.skipped = append(st.skipped, Skip{Path: p, Reason: skip})
		if strings.HasPrefix(skip, "other ELF class") {
			st.otherClass = true
		}
		return nil, nil, nil
	}
	return &opened{path: p, via: via, file: f}, nil, nil
}

// verifyHeader applies open_verify's checks in its order. skip is set for
// a file the loader passes over (another class or machine), msg for one
// that stops it.
func (g *glibc) verifyHeader(f *objectFile) (skip, msg string) {
	want := g.rtld.dyn.Header
	ehdrSize := 64
	if want.Class == 32 {
		ehdrSize = 52
	}
	b := f.prefix
	if len(b) < ehdrSize {
		return "", "file too short"
	}
	id := b[:elf.EI_NIDENT]
	switch {
	case !bytes.HasPrefix(id, []byte(elf.ELFMAG)):
		return "", "invalid ELF header"
	case id[elf.EI_CLASS] != want.RawClass:
		return fmt.Sprintf("other ELF class (%s)", elf.Class(id[elf.EI_CLASS])), ""
	case id[elf.EI_DATA] != want.Data:
		if want.Data == byte(elf.ELFDATA2MSB) {
			return "", "ELF file data encoding not big-endian"
		}
		return "", "ELF file data encoding not little-endian"
	case id[elf.EI_VERSION] != byte(elf.EV_CURRENT):
		return "", "ELF file version ident does not match current one"
	case id[elf.EI_OSABI] != byte(elf.ELFOSABI_NONE) && id[elf.EI_OSABI] != osabiGNU:
		return "", "ELF file OS ABI invalid"
	case id[elf.EI_ABIVERSION] != 0 && (id[elf.EI_OSABI] != osabiGNU || id[elf.EI_ABIVERSION] >= libcABIMax):
		return "", "ELF file ABI version invalid"
	case bytes.Count(id[elf.EI_PAD:], []byte{0}) != elf.EI_NIDENT-elf.EI_PAD:
		return "", "nonzero padding in e_ident"
	}
	h := binfmt.ParseDynamic(b[:ehdrSize], int64(ehdrSize)).Header
	var order binary.ByteOrder = binary.LittleEndian
	if want.Data == byte(elf.ELFDATA2MSB) {
		order = binary.BigEndian
	}
	switch {
	case order.Uint32(b[20:]) != uint32(elf.EV_CURRENT):
		return "", "ELF file version does not match current one"
	case h.Machine != want.Machine:
		return fmt.Sprintf("other machine (%s)", h.Machine), ""
	case h.Type != elf.ET_DYN && h.Type != elf.ET_EXEC:
		return "", "only ET_DYN and ET_EXEC can be loaded"
	case h.Phentsize != want.Phentsize:
		return "", "ELF file's phentsize not the expected size"
	}
	phoffAt, word := 32, 8
	if want.Class == 32 {
		phoffAt, word = 28, 4
	}
	phoff := uint64(order.Uint32(b[phoffAt:]))
	if word == 8 {
		phoff = order.Uint64(b[phoffAt:])
	}
	table := uint64(h.Phnum) * uint64(h.Phentsize)
	if phoff > math.MaxUint64-table || phoff+table > uint64(f.fi.Size) {
		return "", "cannot read file data" // pread of the program headers comes back short
	}
	return "", ""
}

// cacheLookup returns the path /etc/ld.so.cache gives for name, "" when
// none. With nodeflib, entries in the default directories are not used.
func (g *glibc) cacheLookup(name string, nodeflib bool) (string, error) {
	if !g.cacheLoaded {
		g.cacheLoaded = true
		data, err := g.s.readSmallFile(ldSoCache, maxLDCacheSize)
		if err != nil || data == nil {
			return "", err
		}
		var order binary.ByteOrder = binary.LittleEndian
		if g.rtld.dyn.Header.Data == byte(elf.ELFDATA2MSB) {
			order = binary.BigEndian
		}
		if g.cache, err = binfmt.ParseLDCache(data, order); err != nil {
			g.note("%s ignored, as the loader ignores it: %v", ldSoCache, err)
		}
	}
	if g.cache == nil {
		return "", nil
	}
	h := g.rtld.dyn.Header
	p, ok := g.cache.Lookup(name, binfmt.LDCacheFlags(h.Machine, h.Class, h.Flags))
	if !ok {
		return "", nil
	}
	if nodeflib {
		for _, d := range g.systemDirs {
			if strings.HasPrefix(p, d) {
				return "", nil
			}
		}
	}
	return p, nil
}

// readSmallFile reads a whole configuration file (ld.so.cache, a preload
// list, a musl path file) of at most limit bytes. A missing or unreadable
// file gives nil data: the loaders then go on without it.
func (s *session) readSmallFile(name string, limit int64) ([]byte, error) {
	r, err := s.stat(name)
	if err != nil || r.errno != 0 || !r.fi.Mode.IsRegular() || !s.cfg.User.canRead(r.fi) {
		return nil, err
	}
	if r.fi.Size > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d read", name, r.fi.Size, limit)
	}
	f := &objectFile{path: name, fi: r.fi}
	if err := s.readPrefix(f, r.fi.Size, false); err != nil {
		return nil, err
	}
	return f.prefix, nil
}
