package binfmt

import (
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"sort"
	"testing"
)

// holey returns a copy of data with every byte outside the extents
// replaced by garbage, as a keeper of only the extents would serve it.
func holey(data []byte, extents []Extent, seed uint64) []byte {
	out := make([]byte, len(data))
	r := rand.New(rand.NewPCG(seed, 7))
	for i := range out {
		out[i] = byte(r.UintN(256))
	}
	for _, e := range extents {
		copy(out[e.Off:e.End()], data[e.Off:e.End()])
	}
	return out
}

// progressiveExtents grows a prefix as a layer pass does (4 KiB, then to
// what ELFExtents needs) and returns the final extents.
func progressiveExtents(t *testing.T, data []byte) []Extent {
	t.Helper()
	n := min(len(data), 4<<10)
	for round := 0; ; round++ {
		ext, need := ELFExtents(data[:n], int64(len(data)))
		if need == 0 {
			return ext
		}
		if round > 16 || need <= int64(n) {
			t.Fatalf("need %d with %d bytes at round %d", need, n, round)
		}
		n = int(min(need, int64(len(data))))
	}
}

// prefixLengths are the prefix lengths the parsers are compared at: the
// loaders' first reads, every extent boundary, and random ones.
func prefixLengths(size int, extents []Extent, seed uint64) []int {
	ns := []int{0, 1, 4, 16, 52, 64, 512, 4 << 10, 8 << 10, 64 << 10, size / 2, size - 1, size}
	for _, e := range extents {
		ns = append(ns, int(e.Off), int(e.End()), int(e.End())-1, int(e.End())+1)
	}
	r := rand.New(rand.NewPCG(seed, 11))
	for range 32 {
		ns = append(ns, r.IntN(size+1))
	}
	var out []int
	for _, n := range ns {
		if n >= 0 && n <= size {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return slices.Compact(out)
}

func TestELFExtentsServeTheSameAnswers(t *testing.T) {
	bins := binaryPaths(t)
	files := hostObjects(t)
	for _, name := range []string{"linux-amd64", "linux-arm64", "linux-386", "linux-amd64-cgo", "c-static-pie", "c-shared-object"} {
		files = append(files, bins[name])
	}
	for i, name := range files {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			size := int64(len(data))
			whole, need := ELFExtents(data, size)
			if need != 0 || len(whole) == 0 {
				t.Fatalf("whole file: need %d, %d extents", need, len(whole))
			}
			ext := progressiveExtents(t, data)
			if !reflect.DeepEqual(ext, whole) {
				t.Errorf("extents from the shortest complete prefix %v differ from the whole file's %v", ext, whole)
			}
			var kept int64
			for _, e := range ext {
				kept += e.Len
			}
			t.Logf("%d extents, %d of %d bytes", len(ext), kept, size)
			h := holey(data, ext, uint64(i))
			for _, n := range prefixLengths(len(data), ext, uint64(i)) {
				if got, want := IdentifyPrefix(h[:n], size), IdentifyPrefix(data[:n], size); !reflect.DeepEqual(got, want) {
					t.Fatalf("IdentifyPrefix of %d bytes: extents give %+v, the file %+v", n, got, want)
				}
				if got, want := ParseDynamic(h[:n], size), ParseDynamic(data[:n], size); !reflect.DeepEqual(got, want) {
					t.Fatalf("ParseDynamic of %d bytes: extents give %+v, the file %+v", n, got, want)
				}
			}
		})
	}
}

func TestELFExtentsOfOtherFiles(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("#!/bin/sh\n"), []byte("MZ\x90\x00"), []byte("hello")} {
		if ext, need := ELFExtents(data, int64(len(data))); ext != nil || need != 0 {
			t.Errorf("%q: extents %v need %d, want none", data, ext, need)
		}
	}
	if _, need := ELFExtents([]byte("\x7fELF"), 1<<20); need == 0 {
		t.Error("a 4-byte prefix of an ELF file needs more")
	}
}
