package image

import v1 "github.com/google/go-containerregistry/pkg/v1"

// How a layer was read (LayerRead.Read).
const (
	// LayerFromCache: the persistent layer index held the layer; Passes
	// counts the streams still needed for content it did not keep.
	LayerFromCache = "cache"
	// LayerStreamed: read to the end, its digest and diff_id checked.
	LayerStreamed = "streamed"
	// LayerPartial: read only as far as the questions asked needed.
	LayerPartial = "partial"
	// LayerSkipped: nothing was asked of it; not fetched.
	LayerSkipped = "skipped"
)

// LayerRead says how one layer was read.
type LayerRead struct {
	Digest v1.Hash `json:"digest"`
	Size   int64   `json:"size"` // compressed
	Read   string  `json:"read"` // LayerFromCache, LayerStreamed, LayerPartial or LayerSkipped
	// Passes counts the streams opened over the layer: one pass per layer
	// is the goal; more means content a pass did not keep was asked for.
	Passes int `json:"passes"`
	// Bytes is what was fetched of the layer (all Sources sharing it).
	Bytes int64 `json:"bytes"`
}

// read says how the layer was read so far.
func (s *layerScan) read() LayerRead {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := LayerRead{Digest: s.blob.digest, Size: s.blob.size, Passes: s.passes, Bytes: s.blob.fetched.Load()}
	switch {
	case s.cached:
		r.Read = LayerFromCache
	case s.complete:
		r.Read = LayerStreamed
	case s.passes > 0:
		r.Read = LayerPartial
	default:
		r.Read = LayerSkipped
	}
	return r
}
