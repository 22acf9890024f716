package image

import (
	"fmt"
	"sync/atomic"
)

// readBudget counts what reading the layers of one Source costs, and
// bounds it across all its layers: compressed bytes fetched (for Stats),
// bytes decompressed (re-reads included: that is the work done) and the
// memory of the layers' path indexes. A layer scan shared through a Cache
// charges the Source whose question drives it.
type readBudget struct {
	fetched  atomic.Int64
	inflated atomic.Int64
	indexed  atomic.Int64

	maxInflated int64
	maxIndexed  int64
}

func (b *readBudget) setLimits(lim Limits) {
	b.maxInflated, b.maxIndexed = lim.MaxImageBytes, lim.MaxImageIndexBytes
}

// inflate charges n decompressed bytes.
func (b *readBudget) inflate(n int64) error {
	if total := b.inflated.Add(n); b.maxInflated > 0 && total > b.maxInflated {
		return fmt.Errorf("%w: the layers of the image decompress to more than %d bytes in all", ErrLimit, b.maxInflated)
	}
	return nil
}

// index charges n bytes of path index.
func (b *readBudget) index(n int64) error {
	if total := b.indexed.Add(n); b.maxIndexed > 0 && total > b.maxIndexed {
		return fmt.Errorf("%w: the path indexes of the image's layers exceed %d bytes in all", ErrLimit, b.maxIndexed)
	}
	return nil
}

// Index memory per record, beyond the bytes of its names: an entry (its
// struct and its slots in the by-path and by-ordinal maps) and an implied
// directory (its slot in the dirSet). Measured by BenchmarkIndexMemory.
const (
	indexEntryCost = 256
	indexDirCost   = 64
)

// indexCost is what indexing e costs, newDirs being the directories its
// name added to the layer's dirSet.
func indexCost(e *entry, newDirs int) int64 {
	return indexEntryCost + int64(len(e.Name)+len(e.Link)) + indexDirCost*int64(newDirs)
}
