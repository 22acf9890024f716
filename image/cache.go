package image

import (
	"sync"
	"sync/atomic"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Cache holds what was learned about blobs by digest: fetched layer bytes
// and layer indexes. Content addressing makes it safe to share one Cache
// between Sources (verify shares one per run so identical blobs are
// fetched once). Safe for concurrent use.
type Cache struct {
	mu    sync.Mutex
	blobs map[blobKey]*blobState
	scans map[scanKey]*layerScan
	order []scanKey // scans by first use
	kept  *captureBudget
}

// blobKey is a blob as a descriptor names it: a blob's reader checks the
// descriptor's size, so another size is another reader's state.
type blobKey struct {
	digest v1.Hash
	size   int64
}

// scanKey is what a layer's scan checks beyond its blob: the diff_id of
// the config that names it and the limits it is read under. A second
// image whose config gives the same layer another diff_id must have that
// diff_id checked (the runtime does), not be answered by the first
// image's verified scan.
type scanKey struct {
	blob   blobKey
	diffID v1.Hash
	limits Limits
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{blobs: map[blobKey]*blobState{}, scans: map[scanKey]*layerScan{}}
}

// layer returns the shared scan of a layer, creating it on first use. The
// scan stores its index in idx once it has read the whole layer, and with
// reuse answers from idx when idx holds the layer.
func (c *Cache) layer(d v1.Descriptor, diffID v1.Hash, f blobFetcher, lim Limits, idx *LayerIndex, reuse bool) *layerScan {
	c.mu.Lock()
	defer c.mu.Unlock()
	bk := blobKey{d.Digest, d.Size}
	k := scanKey{bk, diffID, lim}
	if s, ok := c.scans[k]; ok {
		return s
	}
	st := c.blobs[bk]
	if st == nil {
		st = &blobState{digest: d.Digest, size: d.Size, maxKeep: lim.MaxCachedBlobBytes}
		c.blobs[bk] = st
	}
	if c.kept == nil {
		c.kept = &captureBudget{max: lim.MaxCacheCaptureBytes}
	}
	s := newLayerScan(st, f, diffID, lim)
	s.index, s.reuse, s.kept = idx, reuse, c.kept
	c.scans[k] = s
	c.order = append(c.order, k)
	return s
}

// Layers says how each layer the cache has seen was read, in the order
// they were first asked for.
func (c *Cache) Layers() []LayerRead {
	c.mu.Lock()
	scans := make([]*layerScan, 0, len(c.order))
	for _, d := range c.order {
		scans = append(scans, c.scans[d])
	}
	c.mu.Unlock()
	out := make([]LayerRead, 0, len(scans))
	for _, s := range scans {
		out = append(out, s.read())
	}
	return out
}

// captureBudget bounds the content kept by all the layer scans of a Cache.
type captureBudget struct {
	max  int64
	used atomic.Int64
}

// take reserves n bytes, or reports that they would pass the bound.
func (b *captureBudget) take(n int64) bool {
	if b.used.Add(n) > b.max {
		b.used.Add(-n)
		return false
	}
	return true
}

// Close ends open layer streams. A registry without Range support keeps a
// response body open between reads of a layer; this releases it. The
// cache stays usable: a later read starts a new stream.
func (c *Cache) Close() error {
	c.mu.Lock()
	scans := make([]*layerScan, 0, len(c.scans))
	for _, s := range c.scans {
		scans = append(scans, s)
	}
	c.mu.Unlock()
	for _, s := range scans {
		s.mu.Lock()
		s.closeLocked()
		s.mu.Unlock()
	}
	return nil
}
