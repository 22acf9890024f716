package binfmt

import (
	"encoding/binary"
	"os"
	"reflect"
	"testing"
)

// maxFuzzDynamic caps fuzz inputs: the parser's cost grows with them, and
// minimising a large input takes the fuzzer minutes. The synthetic seeds
// hold every structure the parser reads in under 2 KiB.
const maxFuzzDynamic = 16 << 10

func FuzzDynamic(f *testing.F) {
	for _, c := range []struct {
		class int
		msb   bool
	}{{64, false}, {64, true}, {32, false}, {32, true}} {
		f.Add(sampleObject(c.class, c.msb).build())
	}
	for _, tc := range dynCases() {
		if len(tc.in) <= maxFuzzDynamic { // the copy-budget case needs 64 KiB: a table test covers it
			f.Add(tc.in)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzDynamic {
			return
		}
		whole := ParseDynamic(data, int64(len(data)))
		if whole.Need != 0 {
			t.Fatalf("whole file: Need %d", whole.Need)
		}
		checkDynamicBounds(t, whole)

		// Without the size, the same bytes either need more or give the same answer.
		open := ParseDynamic(data, -1)
		if open.Need != 0 && open.Need <= int64(len(data)) {
			t.Fatalf("size unknown: Need %d with %d bytes at hand", open.Need, len(data))
		}
		if open.Need == 0 && !sameOutcome(open, whole) {
			t.Fatalf("finished differently when the size is unknown:\n%+v\n%+v", open, whole)
		}

		// A prefix of a file of known size needs at most the file, and a
		// finished answer on it is the whole file's answer.
		half := ParseDynamic(data[:len(data)/2], int64(len(data)))
		if half.Need != 0 && (half.Need <= int64(len(data)/2) || half.Need > int64(len(data))) {
			t.Fatalf("half of a %d-byte file: Need %d", len(data), half.Need)
		}
		if half.Need == 0 && !sameOutcome(half, whole) {
			t.Fatalf("half of the file finished differently:\n%+v\n%+v", half, whole)
		}
	})
}

// sameOutcome compares two parses of the same bytes. Where data runs past
// the end of the file, the wording of a problem depends on whether the
// size was known; whether there are problems does not.
func sameOutcome(a, b Dynamic) bool {
	if (len(a.Problems) == 0) != (len(b.Problems) == 0) {
		return false
	}
	a.Problems, b.Problems = nil, nil
	return reflect.DeepEqual(a, b)
}

// checkDynamicBounds checks the limits ParseDynamic promises.
func checkDynamicBounds(t *testing.T, d Dynamic) {
	t.Helper()
	total := len(d.SONAME) + len(d.RPath) + len(d.RunPath)
	for _, list := range [][]string{d.Needed, d.Auxiliary, d.Filters} {
		for _, s := range list {
			total += len(s)
		}
	}
	records := len(d.VersionDefs)
	for _, n := range d.VersionNeeds {
		records += 1 + len(n.Versions)
		total += len(n.File)
		for _, v := range n.Versions {
			total += len(v.Name)
		}
	}
	for _, v := range d.VersionDefs {
		total += len(v.Name)
	}
	if total > maxDynamicStringBytes {
		t.Fatalf("%d string bytes copied, limit %d", total, maxDynamicStringBytes)
	}
	if records > maxVersionRecords {
		t.Fatalf("%d version records, limit %d", records, maxVersionRecords)
	}
	if n := len(d.Needed) + len(d.Auxiliary) + len(d.Filters); n > maxDynEntries {
		t.Fatalf("%d names from at most %d dynamic entries", n, maxDynEntries)
	}
}

func FuzzLDCache(f *testing.F) {
	le := binary.LittleEndian
	f.Add(newFormatCache(le, 2, []testCacheEntry{{flags: 0x303, key: "libz.so.1", value: "/lib/x86_64-linux-gnu/libz.so.1"}}))
	f.Add(newFormatCache(binary.BigEndian, 3, []testCacheEntry{{flags: 0x403, key: "a", value: "/a"}, {flags: 3, key: "b", value: "/b", hwcap: 1}}))
	f.Add(append([]byte(ldCacheMagicOld+"\x00"), 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 'a', 0, '/', 'a', 0))
	if data, err := os.ReadFile("/etc/ld.so.cache"); err == nil {
		f.Add(data[:min(len(data), 4<<10)])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzDynamic {
			return
		}
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			c, err := ParseLDCache(data, order)
			if err != nil {
				if c != nil {
					t.Fatalf("both a cache and an error: %v", err)
				}
				continue
			}
			if len(c.Entries) > maxLDCacheEntries {
				t.Fatalf("%d entries, limit %d", len(c.Entries), maxLDCacheEntries)
			}
			for _, e := range c.Entries {
				if len(e.Key) > maxLDCachePath || len(e.Value) > maxLDCachePath {
					t.Fatalf("entry longer than %d bytes", maxLDCachePath)
				}
				if _, ok := c.Lookup(e.Key, []int32{e.Flags}); !ok && e.HWCap == 0 {
					t.Fatalf("Lookup(%q, %#x) found nothing for a listed entry", e.Key, e.Flags)
				}
			}
		}
		dirs, _ := ParseMuslPath(data)
		if len(dirs) > maxMuslPathEntries {
			t.Fatalf("%d musl path entries, limit %d", len(dirs), maxMuslPathEntries)
		}
	})
}
