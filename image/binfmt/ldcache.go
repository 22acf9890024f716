package binfmt

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Magic strings of glibc's /etc/ld.so.cache formats. glibc 2.32 and later
// write only the new format; older ldconfig wrote the old format with the
// new one appended ("compat").
const (
	ldCacheMagicOld = "ld.so-1.7.0"
	ldCacheMagicNew = "glibc-ld.so.cache1.1"
)

// Entry flags of ld.so.cache (glibc's sysdeps/generic/ldconfig.h): the low
// byte is the library type, the next byte says which ABI it is for.
const (
	LDCacheFlagELF       = 0x0001
	LDCacheFlagELFLibc6  = 0x0003
	LDCacheSparcLib64    = 0x0100
	LDCacheIA64Lib64     = 0x0200
	LDCacheX8664Lib64    = 0x0300
	LDCacheS390Lib64     = 0x0400
	LDCachePowerPCLib64  = 0x0500
	LDCacheMIPS64LibN32  = 0x0600
	LDCacheMIPS64LibN64  = 0x0700
	LDCacheX8664LibX32   = 0x0800
	LDCacheARMLibHF      = 0x0900
	LDCacheAArch64Lib64  = 0x0a00
	LDCacheARMLibSF      = 0x0b00
	LDCacheRISCVSoft     = 0x0f00
	LDCacheRISCVDouble   = 0x1000
	LDCacheLArchSoft     = 0x1100
	LDCacheLArchDouble   = 0x1200
	ldCacheHeaderSizeNew = 48 // magic+version, nlibs, len_strings, flags, pad, extension_offset, unused[3]
	ldCacheEntrySizeNew  = 24 // flags, key, value, osversion, hwcap
	ldCacheHeaderSizeOld = 16 // magic (padded to 12), nlibs
	ldCacheEntrySizeOld  = 12 // flags, key, value
	// maxLDCacheEntries bounds the entries kept; a Debian system with
	// thousands of packages has a few thousand.
	maxLDCacheEntries = 1 << 16
	maxLDCachePath    = 4096
)

// LDCache is a parsed glibc /etc/ld.so.cache.
type LDCache struct {
	// Format is "new" (glibc-ld.so.cache1.1), "old" (ld.so-1.7.0), or
	// "compat" (old with new appended; the loader then reads the new part).
	Format  string
	Entries []LDCacheEntry
	// Problems lists entries skipped as malformed. A cache that glibc
	// would refuse as a whole is an error of ParseLDCache instead.
	Problems []string
}

// LDCacheEntry maps a library name to the path ldconfig found it at.
type LDCacheEntry struct {
	Flags     int32  // LDCacheFlagELFLibc6 | an ABI flag such as LDCacheX8664Lib64
	Key       string // e.g. "libssl.so.3"
	Value     string // e.g. "/lib/x86_64-linux-gnu/libssl.so.3"
	OSVersion uint32
	// HWCap is nonzero for an entry that applies only to CPUs with
	// particular capabilities (a glibc-hwcaps or legacy hwcap subdirectory).
	HWCap uint64
}

// ParseLDCache parses an ld.so.cache file. order is the byte order of the
// machine whose loader reads it: glibc refuses a new-format cache marked
// with the other byte order and reads unmarked ones in its own. The error
// reports a cache that glibc's loader would ignore as a whole (it then
// searches without it); malformed single entries are skipped and listed in
// Problems, as the loader skips entries whose strings lie outside the cache.
func ParseLDCache(data []byte, order binary.ByteOrder) (*LDCache, error) {
	switch {
	case bytes.HasPrefix(data, []byte(ldCacheMagicNew)):
		if err := checkLDCacheEndian(data, order); err != nil {
			return nil, err
		}
		return parseLDCacheNew(data, 0, order, "new")
	case bytes.HasPrefix(data, []byte(ldCacheMagicOld)):
		return parseLDCacheOld(data, order)
	}
	return nil, fmt.Errorf("not an ld.so.cache file (unknown magic)")
}

// checkLDCacheEndian applies glibc's cache_file_new_matches_endian to the
// new-format header at the start of data.
func checkLDCacheEndian(data []byte, order binary.ByteOrder) error {
	if len(data) < ldCacheHeaderSizeNew {
		return fmt.Errorf("ld.so.cache header truncated (%d bytes)", len(data))
	}
	switch data[28] & 3 {
	case 0: // unset: written before the flag existed, read in host order
	case 1:
		return fmt.Errorf("ld.so.cache marks its byte order invalid")
	case 2:
		if order != binary.LittleEndian {
			return fmt.Errorf("ld.so.cache is little-endian, the machine big-endian")
		}
	case 3:
		if order != binary.BigEndian {
			return fmt.Errorf("ld.so.cache is big-endian, the machine little-endian")
		}
	}
	return nil
}

func parseLDCacheNew(data []byte, base int, order binary.ByteOrder, format string) (*LDCache, error) {
	hdr := data[base:]
	if len(hdr) <= ldCacheHeaderSizeNew {
		return nil, fmt.Errorf("ld.so.cache header truncated (%d bytes)", len(hdr))
	}
	nlibs := uint64(order.Uint32(hdr[20:]))
	if nlibs > uint64(len(hdr)-ldCacheHeaderSizeNew)/ldCacheEntrySizeNew {
		return nil, fmt.Errorf("ld.so.cache claims %d entries, more than its %d bytes hold", nlibs, len(hdr))
	}
	c := &LDCache{Format: format}
	// String offsets of the new format count from its header.
	strs := hdr
	for i := uint64(0); i < nlibs; i++ {
		if len(c.Entries) >= maxLDCacheEntries {
			c.Problems = append(c.Problems, fmt.Sprintf("more than %d entries; the rest ignored", maxLDCacheEntries))
			break
		}
		e := hdr[ldCacheHeaderSizeNew+i*ldCacheEntrySizeNew:]
		entry := LDCacheEntry{
			Flags:     int32(order.Uint32(e[0:])),
			OSVersion: order.Uint32(e[12:]),
			HWCap:     order.Uint64(e[16:]),
		}
		c.addEntry(entry, strs, order.Uint32(e[4:]), order.Uint32(e[8:]), i)
	}
	return c, nil
}

func parseLDCacheOld(data []byte, order binary.ByteOrder) (*LDCache, error) {
	if len(data) <= ldCacheHeaderSizeOld {
		return nil, fmt.Errorf("ld.so.cache header truncated (%d bytes)", len(data))
	}
	nlibs := uint64(order.Uint32(data[12:]))
	if nlibs > uint64(len(data)-ldCacheHeaderSizeOld)/ldCacheEntrySizeOld {
		return nil, fmt.Errorf("ld.so.cache claims %d entries, more than its %d bytes hold", nlibs, len(data))
	}
	end := ldCacheHeaderSizeOld + nlibs*ldCacheEntrySizeOld
	// The new format follows, aligned as struct cache_file_new is: to 8
	// bytes where uint64_t is 8-aligned, 4 on i386.
	for _, align := range []uint64{8, 4} {
		at := (end + align - 1) &^ (align - 1)
		if at+ldCacheHeaderSizeNew < uint64(len(data)) && bytes.HasPrefix(data[at:], []byte(ldCacheMagicNew)) {
			if err := checkLDCacheEndian(data[at:], order); err != nil {
				return nil, err
			}
			return parseLDCacheNew(data, int(at), order, "compat")
		}
	}
	c := &LDCache{Format: "old"}
	strs := data[end:] // old-format string offsets count from the end of the entries
	for i := uint64(0); i < nlibs && len(c.Entries) < maxLDCacheEntries; i++ {
		e := data[ldCacheHeaderSizeOld+i*ldCacheEntrySizeOld:]
		c.addEntry(LDCacheEntry{Flags: int32(order.Uint32(e[0:]))}, strs, order.Uint32(e[4:]), order.Uint32(e[8:]), i)
	}
	return c, nil
}

// addEntry resolves an entry's key and value in the string table strs and
// keeps it, or records why not.
func (c *LDCache) addEntry(e LDCacheEntry, strs []byte, key, value uint32, i uint64) {
	var ok bool
	if e.Key, ok = ldCacheString(strs, key); !ok {
		c.Problems = append(c.Problems, fmt.Sprintf("entry %d: key offset %d outside the string table or unterminated", i, key))
		return
	}
	if e.Value, ok = ldCacheString(strs, value); !ok {
		c.Problems = append(c.Problems, fmt.Sprintf("entry %d (%s): path offset %d outside the string table or unterminated", i, e.Key, value))
		return
	}
	c.Entries = append(c.Entries, e)
}

// ldCacheString returns the NUL-terminated string at off, at most maxLDCachePath bytes.
func ldCacheString(b []byte, off uint32) (string, bool) {
	if uint64(off) >= uint64(len(b)) {
		return "", false
	}
	s := b[off:min(uint64(len(b)), uint64(off)+maxLDCachePath+1)]
	i := bytes.IndexByte(s, 0)
	if i < 0 {
		return "", false
	}
	return string(s[:i]), true
}

// Lookup returns the path the loader takes from the cache for name: among
// the entries for name whose flags accepted reports true, the first with
// the preferred flags, else the first accepted. Entries bound to CPU
// capabilities (HWCap != 0) are skipped: which one a CPU takes cannot be
// known here, and each has a baseline twin in the same cache.
func (c *LDCache) Lookup(name string, accepted []int32) (string, bool) {
	var best string
	found := false
	for _, e := range c.Entries {
		if e.Key != name || e.HWCap != 0 {
			continue
		}
		for i, f := range accepted {
			if e.Flags != f {
				continue
			}
			if i == 0 {
				return e.Value, true
			}
			if !found {
				best, found = e.Value, true
			}
		}
	}
	return best, found
}
