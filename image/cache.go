package image

import (
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Cache holds what was learned about blobs by digest: fetched layer bytes
// and layer indexes. Content addressing makes it safe to share one Cache
// between Sources (verify shares one per run so identical blobs are
// fetched once). Safe for concurrent use.
type Cache struct {
	mu    sync.Mutex
	blobs map[v1.Hash]*blobState
	scans map[v1.Hash]*layerScan
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{blobs: map[v1.Hash]*blobState{}, scans: map[v1.Hash]*layerScan{}}
}

// layer returns the shared scan of a layer, creating it on first use.
func (c *Cache) layer(d v1.Descriptor, diffID v1.Hash, f blobFetcher, lim Limits) *layerScan {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.scans[d.Digest]; ok {
		return s
	}
	st := &blobState{digest: d.Digest, size: d.Size, maxKeep: lim.MaxCachedBlobBytes}
	c.blobs[d.Digest] = st
	s := newLayerScan(st, f, diffID, lim)
	c.scans[d.Digest] = s
	return s
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
