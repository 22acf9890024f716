package ldso

import (
	"debug/elf"
	"strings"

	"github.com/imgcheck/imgcheck/image/binfmt"
)

// maxSearchDirs bounds the directories taken from one search path list
// (an RPATH string or LD_LIBRARY_PATH).
const maxSearchDirs = 4096

// isDST reports whether s (just after a '$') starts with the dynamic
// string token ref, as glibc's is_dst does: "$REF" not followed by an
// identifier character, or "${REF}". It returns the token's length without
// the '$'.
func isDST(s, ref string) int {
	curly := strings.HasPrefix(s, "{")
	if curly {
		s = s[1:]
	}
	if !strings.HasPrefix(s, ref) {
		return 0
	}
	rest := s[len(ref):]
	if curly {
		if !strings.HasPrefix(rest, "}") {
			return 0
		}
		return len(ref) + 2
	}
	if rest != "" && isIdentChar(rest[0]) {
		return 0
	}
	return len(ref)
}

func isIdentChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
}

// expandDST substitutes $ORIGIN, $PLATFORM and $LIB in s for object o as
// glibc's _dl_dst_substitute does. ok is false when a token has no known
// value: glibc then drops the path element (or the DT_NEEDED entry).
func (g *glibc) expandDST(o *glibcObject, s string) (string, bool) {
	if !strings.Contains(s, "$") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '$' {
			b.WriteByte(s[i])
			i++
			continue
		}
		rest := s[i+1:]
		var repl string
		n := 0
		known := true
		switch {
		case isDST(rest, "ORIGIN") > 0:
			n, repl, known = isDST(rest, "ORIGIN"), o.origin, o.origin != ""
		case isDST(rest, "PLATFORM") > 0:
			n, repl, known = isDST(rest, "PLATFORM"), g.platform, g.platform != ""
			g.usedPlatform = true
		case isDST(rest, "LIB") > 0:
			n, repl = isDST(rest, "LIB"), g.lib
		}
		if n == 0 { // not a token glibc knows: a literal '$'
			b.WriteByte('$')
			i++
			continue
		}
		if !known {
			return "", false
		}
		b.WriteString(repl)
		i += 1 + n
	}
	return b.String(), true
}

// searchDirs splits a search path list into directories as glibc's
// fillin_rpath does: empty elements stand for the working directory,
// tokens are expanded (elements whose tokens have no value are dropped),
// trailing slashes are trimmed to one, and repeated directories are
// listed once. Each directory ends in "/" except the working directory "".
func (g *glibc) searchDirs(list, seps string, o *glibcObject) []string {
	var dirs []string
	seen := map[string]bool{}
	for rest := list; ; {
		i := strings.IndexAny(rest, seps)
		elem := rest
		if i >= 0 {
			elem = rest[:i]
		}
		dir, ok := "", true
		if elem != "" {
			var exp string
			exp, ok = g.expandDST(o, elem)
			ok = ok && exp != ""
			dir = strings.TrimRight(exp, "/") + "/"
		}
		if ok && !seen[dir] && len(dirs) < maxSearchDirs {
			seen[dir] = true
			dirs = append(dirs, dir)
		}
		if i < 0 {
			return dirs
		}
		rest = rest[i+1:]
	}
}

// rpathDirs is the DT_RPATH search list of o; glibc ignores DT_RPATH in
// an object that has DT_RUNPATH, and an empty RPATH.
func (g *glibc) rpathDirs(o *glibcObject) []string {
	if !o.rpathDone {
		o.rpathDone = true
		if o.dyn.HasRPath && !o.dyn.HasRunPath && o.dyn.RPath != "" {
			o.rpath = g.searchDirs(o.dyn.RPath, ":", o)
		}
	}
	return o.rpath
}

func (g *glibc) runpathDirs(o *glibcObject) []string {
	if !o.runpathDone {
		o.runpathDone = true
		if o.dyn.HasRunPath && o.dyn.RunPath != "" {
			o.runpath = g.searchDirs(o.dyn.RunPath, ":", o)
		}
	}
	return o.runpath
}

// multiarchTriplet is the Debian multiarch directory name of an ABI, "" if
// none is known.
func multiarchTriplet(h binfmt.ELFHeader) string {
	switch {
	case h.Machine == elf.EM_X86_64 && h.Class == 64:
		return "x86_64-linux-gnu"
	case h.Machine == elf.EM_X86_64 && h.Class == 32:
		return "x86_64-linux-gnux32"
	case h.Machine == elf.EM_AARCH64 && h.Class == 64:
		return "aarch64-linux-gnu"
	case h.Machine == elf.EM_386:
		return "i386-linux-gnu"
	case h.Machine == elf.EM_ARM && h.Flags&0x400 != 0:
		return "arm-linux-gnueabihf"
	case h.Machine == elf.EM_ARM:
		return "arm-linux-gnueabi"
	case h.Machine == elf.EM_PPC64 && h.Data == byte(elf.ELFDATA2LSB):
		return "powerpc64le-linux-gnu"
	case h.Machine == elf.EM_PPC64:
		return "powerpc64-linux-gnu"
	case h.Machine == elf.EM_S390 && h.Class == 64:
		return "s390x-linux-gnu"
	case h.Machine == elf.EM_RISCV && h.Class == 64:
		return "riscv64-linux-gnu"
	case h.Machine == elf.EM_LOONGARCH && h.Class == 64:
		return "loongarch64-linux-gnu"
	case h.Machine == elf.EM_MIPS && h.Class == 64 && h.Data == byte(elf.ELFDATA2LSB):
		return "mips64el-linux-gnuabi64"
	}
	return ""
}

// upstreamSystemDirs are the default directories of a glibc built with
// its upstream defaults (slibdir and libdir), as Fedora, RHEL and Amazon
// Linux ship it; $LIB is the last element of slibdir.
func upstreamSystemDirs(h binfmt.ELFHeader) (dirs []string, lib string) {
	switch {
	case h.Machine == elf.EM_RISCV && h.Class == 64:
		return []string{"/lib64/lp64d/", "/usr/lib64/lp64d/"}, "lib64/lp64d"
	case h.Machine == elf.EM_X86_64 && h.Class == 32:
		return []string{"/libx32/", "/usr/libx32/"}, "libx32"
	case h.Class == 64:
		return []string{"/lib64/", "/usr/lib64/"}, "lib64"
	}
	return []string{"/lib/", "/usr/lib/"}, "lib"
}

// platformOf is the AT_PLATFORM string the kernel passes for a machine,
// which glibc substitutes for $PLATFORM. glibc 2.26 to 2.36 on x86-64
// replaces it with "haswell" or "xeon_phi" on CPUs that have their
// features; that cannot be known here.
func platformOf(h binfmt.ELFHeader) string {
	switch {
	case h.Machine == elf.EM_X86_64 && h.Class == 64:
		return "x86_64"
	case h.Machine == elf.EM_AARCH64:
		return "aarch64"
	case h.Machine == elf.EM_386:
		return "i686"
	}
	return ""
}
