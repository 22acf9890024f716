package binfmt

import (
	"debug/elf"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// testCacheEntry is an entry of a synthetic new-format ld.so.cache.
type testCacheEntry struct {
	flags      int32
	key, value string
	hwcap      uint64
}

// newFormatCache encodes entries as glibc-ld.so.cache1.1 with the given
// endianness flag (0 unset, 2 little, 3 big).
func newFormatCache(o binary.ByteOrder, endian byte, entries []testCacheEntry) []byte {
	strs := []byte{}
	base := ldCacheHeaderSizeNew + ldCacheEntrySizeNew*len(entries)
	add := func(s string) uint32 {
		off := uint32(base + len(strs))
		strs = append(append(strs, s...), 0)
		return off
	}
	b := make([]byte, base)
	copy(b, ldCacheMagicNew)
	o.PutUint32(b[20:], uint32(len(entries)))
	b[28] = endian
	for i, e := range entries {
		rec := b[ldCacheHeaderSizeNew+i*ldCacheEntrySizeNew:]
		o.PutUint32(rec[0:], uint32(e.flags))
		o.PutUint32(rec[4:], add(e.key))
		o.PutUint32(rec[8:], add(e.value))
		o.PutUint64(rec[16:], e.hwcap)
	}
	o.PutUint32(b[24:], uint32(len(strs)))
	return append(b, strs...)
}

func TestLDCacheLookup(t *testing.T) {
	x8664 := int32(LDCacheFlagELFLibc6 | LDCacheX8664Lib64)
	entries := []testCacheEntry{
		{flags: x8664, key: "libssl.so.3", value: "/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libssl.so.3", hwcap: 1 << 62},
		{flags: LDCacheFlagELFLibc6, key: "libssl.so.3", value: "/usr/lib/i386-linux-gnu/libssl.so.3"},
		{flags: x8664, key: "libssl.so.3", value: "/usr/lib/x86_64-linux-gnu/libssl.so.3"},
		{flags: LDCacheFlagELFLibc6 | LDCacheAArch64Lib64, key: "libz.so.1", value: "/usr/lib/aarch64-linux-gnu/libz.so.1"},
		{flags: LDCacheFlagELF, key: "libold.so.1", value: "/lib/libold-elf.so.1"},
		{flags: LDCacheFlagELFLibc6, key: "libold.so.1", value: "/lib/libold.so.1"},
	}
	c, err := ParseLDCache(newFormatCache(binary.LittleEndian, 2, entries), binary.LittleEndian)
	if err != nil || c.Format != "new" || len(c.Entries) != len(entries) || len(c.Problems) > 0 {
		t.Fatalf("ParseLDCache: %+v, %v", c, err)
	}
	tests := []struct {
		name    string
		machine elf.Machine
		class   int
		want    string
	}{
		{"libssl.so.3", elf.EM_X86_64, 64, "/usr/lib/x86_64-linux-gnu/libssl.so.3"}, // hwcap entry skipped
		{"libssl.so.3", elf.EM_386, 32, "/usr/lib/i386-linux-gnu/libssl.so.3"},
		{"libz.so.1", elf.EM_X86_64, 64, ""}, // only an arm64 entry
		{"libz.so.1", elf.EM_AARCH64, 64, "/usr/lib/aarch64-linux-gnu/libz.so.1"},
		{"libold.so.1", elf.EM_386, 32, "/lib/libold.so.1"}, // FLAG_ELF_LIBC6 preferred over FLAG_ELF
		{"libnone.so", elf.EM_X86_64, 64, ""},
	}
	for _, tt := range tests {
		got, ok := c.Lookup(tt.name, LDCacheFlags(tt.machine, tt.class, 0))
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Lookup(%s, %s/%d) = %q, %v; want %q", tt.name, tt.machine, tt.class, got, ok, tt.want)
		}
	}
}

func TestParseLDCacheMalformed(t *testing.T) {
	le := binary.LittleEndian
	good := newFormatCache(le, 2, []testCacheEntry{{flags: 0x303, key: "liba.so", value: "/lib/liba.so"}})
	badString := newFormatCache(le, 2, []testCacheEntry{{flags: 0x303, key: "liba.so", value: "/lib/liba.so"}})
	le.PutUint32(badString[ldCacheHeaderSizeNew+8:], 1<<31)
	unterminated := slices.Clone(good[:len(good)-1])
	overflow := slices.Clone(good)
	le.PutUint32(overflow[20:], 0xffffffff)
	oldOnly := append([]byte(ldCacheMagicOld+"\x00"), 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0)
	oldOnly = append(oldOnly, "liba.so\x00/lib/liba.so\x00"...) // key at 0, value at 7... shifted below
	le.PutUint32(oldOnly[16+4:], 0)
	le.PutUint32(oldOnly[16+8:], 8)
	tests := []struct {
		name    string
		in      []byte
		order   binary.ByteOrder
		err     string
		problem string
		entries int
	}{
		{name: "valid", in: good, order: le, entries: 1},
		{name: "unset endianness is read in the machine's order", in: newFormatCache(binary.BigEndian, 0, []testCacheEntry{{flags: 0x503, key: "l", value: "/l"}}), order: binary.BigEndian, entries: 1},
		{name: "other endianness", in: good, order: binary.BigEndian, err: "little-endian"},
		{name: "invalid endianness", in: newFormatCache(le, 1, nil), order: le, err: "invalid"},
		{name: "entry count past the file", in: overflow, order: le, err: "claims 4294967295 entries"},
		{name: "string offset outside", in: badString, order: le, problem: "path offset 2147483648 outside"},
		{name: "unterminated last string", in: unterminated, order: le, problem: "outside the string table or unterminated"},
		{name: "truncated header", in: good[:30], order: le, err: "truncated"},
		{name: "unknown magic", in: []byte("ld.so-1.6.0 and more bytes"), order: le, err: "unknown magic"},
		{name: "old format only", in: oldOnly, order: le, entries: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseLDCache(tt.in, tt.order)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseLDCache: %v", err)
			}
			if len(c.Entries) != tt.entries {
				t.Errorf("%d entries %+v, want %d", len(c.Entries), c.Entries, tt.entries)
			}
			if tt.problem != "" && !slices.ContainsFunc(c.Problems, func(p string) bool { return strings.Contains(p, tt.problem) }) {
				t.Errorf("problems %q, want one containing %q", c.Problems, tt.problem)
			}
		})
	}
}

// ldconfigLine is a line of `ldconfig -p`: "\tKEY (FLAGS) => VALUE".
var ldconfigLine = regexp.MustCompile(`^\t(\S+) \(([^)]*)\) => (\S+)$`)

// TestParseLDCacheMatchesLdconfig builds caches in the three formats with
// the host's ldconfig and compares the parse with what ldconfig -p prints.
func TestParseLDCacheMatchesLdconfig(t *testing.T) {
	ldconfig, err := exec.LookPath("ldconfig")
	if err != nil {
		ldconfig = "/sbin/ldconfig"
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "ld.so.conf")
	if err := os.WriteFile(conf, []byte(dir+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"new", "compat", "old"} {
		t.Run(format, func(t *testing.T) {
			cache := filepath.Join(dir, "ld.so.cache."+format)
			if out, err := exec.Command(ldconfig, "-X", "-c", format, "-C", cache, "-f", conf).CombinedOutput(); err != nil {
				t.Fatalf("ldconfig: %v\n%s", err, out)
			}
			out, err := exec.Command(ldconfig, "-p", "-C", cache).Output()
			if err != nil {
				t.Fatalf("ldconfig -p: %v", err)
			}
			var want []string
			for _, line := range strings.Split(string(out), "\n")[1:] {
				if m := ldconfigLine.FindStringSubmatch(line); m != nil {
					want = append(want, m[1]+" => "+m[3])
				}
			}
			data, err := os.ReadFile(cache)
			if err != nil {
				t.Fatal(err)
			}
			c, err := ParseLDCache(data, binary.LittleEndian)
			if err != nil {
				t.Fatalf("ParseLDCache: %v", err)
			}
			if c.Format != format || len(c.Problems) > 0 {
				t.Errorf("format %q, problems %q", c.Format, c.Problems)
			}
			var got []string
			for _, e := range c.Entries {
				got = append(got, e.Key+" => "+e.Value)
			}
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("entries differ from ldconfig -p (%d and %d)\n got: %q\nwant: %q", len(got), len(want), got, want)
			}
		})
	}
}

func TestParseMuslPath(t *testing.T) {
	for in, want := range map[string][]string{
		"/lib:/usr/local/lib:/usr/lib":    {"/lib", "/usr/local/lib", "/usr/lib"},
		"/lib\n/usr/lib\n\n":              {"/lib", "/usr/lib"},
		"::/a::\n:/b":                     {"/a", "/b"},
		"/a\x00/not/read":                 {"/a"},
		"":                                nil,
		strings.Repeat("/d:", 2000) + "/": slices.Repeat([]string{"/d"}, maxMuslPathEntries),
	} {
		got, _ := ParseMuslPath([]byte(in))
		if !slices.Equal(got, want) {
			t.Errorf("ParseMuslPath(%.40q) = %q, want %q", in, got, want)
		}
	}
}
