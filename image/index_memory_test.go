package image

import (
	"fmt"
	"runtime"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// heapAfter is the live heap after a collection.
func heapAfter() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// indexEntries indexes n entries named by name into a fresh scan and
// returns the scan and the bytes of names and directories it charged.
func indexEntries(tb testing.TB, n int, name func(int) string) (*layerScan, int64) {
	s := newLayerScan(&blobState{}, nil, v1.Hash{}, Limits{}.withDefaults())
	var budget readBudget
	for i := range n {
		e := &entry{Ordinal: i, Name: cleanPath(name(i)), Type: TypeRegular, Mode: 0o644}
		if err := s.indexLocked(e, &budget); err != nil {
			tb.Fatal(err)
		}
	}
	return s, s.indexed
}

// BenchmarkIndexMemory measures what the index of a layer takes, per entry
// (flat names) and per implied directory (deep names), to check the
// constants of indexCost: the charge must not be below the real cost.
func BenchmarkIndexMemory(b *testing.B) {
	const n = 200_000
	cases := []struct {
		name string
		path func(int) string
	}{
		{"flat", func(i int) string { return fmt.Sprintf("usr/lib/python3/dist-packages/module_%07d.py", i) }},
		{"dirs", func(i int) string { return fmt.Sprintf("d%07d/a/b/c/d/e/f/g/h/f", i) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				before := heapAfter()
				s, charged := indexEntries(b, n, c.path)
				used := heapAfter() - before
				b.ReportMetric(float64(used)/n, "B/entry")
				b.ReportMetric(float64(charged)/float64(used), "charged/used")
				runtime.KeepAlive(s)
			}
		})
	}
}
