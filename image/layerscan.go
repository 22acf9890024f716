package image

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// layerScan indexes one layer's tar entries lazily: it reads only as far as
// the questions asked so far need, and keeps the stream open at the last
// entry so that the entry's content can be read without starting over.
// Shared through a Cache, it is safe for concurrent use.
type layerScan struct {
	mu     sync.Mutex
	blob   *blobState
	fetch  blobFetcher
	diffID v1.Hash // expected diff_id from the config (zero when unknown)
	lim    Limits

	entries      map[string]*entry // by cleaned path; a later duplicate replaces an earlier one
	byOrdinal    map[int]*entry
	whiteouts    map[string]int // path removed from lower layers -> ordinal
	opaque       map[string]int // directory whose lower contents are hidden -> ordinal
	dirs         *dirSet        // directories implied by deeper names
	indexed      int64          // memory of the index so far (indexCost)
	seen         int            // entries indexed (ordinals < seen are known)
	complete     bool           // the whole tar stream was read
	verified     bool           // digest and diff_id checked at the end
	err          error          // sticky: malformed, limit or digest errors
	uncompressed int64
	compression  Compression

	live *liveStream

	// What passes kept of files' content, by ordinal (see capture.go).
	captures    map[int]*capture
	passed      int            // entries the passes have left (ordinals < passed were considered)
	captured    int64          // bytes in captures
	captureFull bool           // MaxCaptureBytes reached: nothing more is kept
	kept        *captureBudget // the Cache's bound on what all its scans keep (nil: none)

	passes int // streams opened over the layer
	// The persistent layer index (nil: none), whether it was consulted,
	// whether this layer's index came from it, and whether it holds it.
	index     *LayerIndex
	reuse     bool // answer from the index (not in strict mode, which reads the layer)
	consulted bool
	cached    bool
	stored    bool
}

// liveStream is an open pass over the layer.
type liveStream struct {
	blob   *blobReader
	dec    io.ReadCloser
	guard  *ratioGuard // dec, when the layer is not empty
	diff   *pipedHash
	walker *tarWalker
	cur    *entry // the entry whose content is next in the stream
	curBuf []byte // content of cur read so far
}

func newLayerScan(blob *blobState, f blobFetcher, diffID v1.Hash, lim Limits) *layerScan {
	s := &layerScan{blob: blob, fetch: f, diffID: diffID, lim: lim}
	s.resetIndexLocked()
	return s
}

// resetIndexLocked empties the index.
func (s *layerScan) resetIndexLocked() {
	s.entries, s.byOrdinal, s.whiteouts = map[string]*entry{}, map[int]*entry{}, map[string]int{}
	s.opaque, s.dirs, s.captures = map[string]int{}, newDirSet(), map[int]*capture{}
	s.seen, s.passed, s.captured, s.captureFull, s.indexed = 0, 0, 0, false, 0
}

// consultLocked answers the layer from the persistent index, on first
// use, when it holds the layer. A snapshot that does not restore cleanly
// is dropped: the layer is read, as without the index. One over the
// image's budgets fails the layer as reading it would (the snapshot was
// made under the same limits), so the verdict does not depend on what
// the index holds.
func (s *layerScan) consultLocked(budget *readBudget) {
	if s.consulted || s.index == nil || !s.reuse {
		return
	}
	s.consulted = true
	if s.seen > 0 || s.live != nil {
		return
	}
	snap := s.index.load(s.blob.digest, s.blob.size, s.diffID, s.lim)
	if snap == nil {
		return
	}
	if err := s.restoreLocked(snap, budget); err != nil {
		s.resetIndexLocked()
		s.complete, s.verified, s.cached, s.stored = false, false, false, false
		if errors.Is(err, ErrLimit) {
			s.err = fmt.Errorf("layer %s: %w", s.blob.digest, err)
			return
		}
		s.index.log.Warn("layer cache: not using an entry; reading the layer", "layer", s.blob.digest, "err", err)
	}
}

// teeHash feeds what the decompressor produced into the diff_id hash.
type teeHash struct {
	r io.Reader
	h io.Writer
}

func (t teeHash) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.h.Write(p[:n])
	return n, err
}

// openLocked starts a new pass from the beginning of the layer.
func (s *layerScan) openLocked(ctx context.Context, budget *readBudget) error {
	s.closeLocked()
	s.passes++
	br := newBlobReader(ctx, s.blob, s.fetch, &budget.fetched)
	dec, comp, err := decompress(br, br.Offset, s.lim)
	if err != nil {
		br.Close()
		return fmt.Errorf("layer %s: %w", s.blob.digest, err)
	}
	s.compression = comp
	diff := newPipedHash()
	s.live = &liveStream{blob: br, dec: dec, diff: diff, walker: newTarWalker(teeHash{r: dec, h: diff}, s.lim)}
	s.live.guard, _ = dec.(*ratioGuard)
	s.live.use(ctx, budget)
	return nil
}

// use makes the live pass serve a question: its requests carry ctx, and
// what it decompresses is charged to budget.
func (l *liveStream) use(ctx context.Context, budget *readBudget) {
	l.blob.ctx = ctx
	if l.guard != nil {
		l.guard.budget = budget
	}
}

func (s *layerScan) closeLocked() {
	if s.live != nil {
		s.live.dec.Close()
		s.live.blob.Close()
		s.live.diff.Close()
		s.live = nil
	}
}

// advanceLocked reads the next entry of the live pass and indexes it.
// It returns io.EOF when the layer is complete.
func (s *layerScan) advanceLocked(ctx context.Context, fetched *readBudget) (*entry, error) {
	if s.err != nil {
		return nil, s.err
	}
	if s.live == nil {
		if err := s.openLocked(ctx, fetched); err != nil {
			return nil, s.fail(ctx, err)
		}
	}
	s.live.use(ctx, fetched)
	if err := s.captureLocked(); err != nil {
		return nil, s.fail(ctx, err)
	}
	e, err := s.live.walker.next()
	if err == io.EOF {
		if err := s.finishLocked(); err != nil {
			return nil, s.fail(ctx, err)
		}
		return nil, io.EOF
	}
	if err != nil {
		return nil, s.fail(ctx, fmt.Errorf("layer %s: %w", s.blob.digest, err))
	}
	s.live.cur, s.live.curBuf = e, reusable(s.live.curBuf)
	if e.Ordinal >= s.seen {
		if err := s.indexLocked(e, fetched); err != nil {
			return nil, s.fail(ctx, fmt.Errorf("layer %s: %w", s.blob.digest, err))
		}
	}
	return e, nil
}

// fail records an error that makes the layer unreadable; network errors
// and cancellations are not sticky, so a later call may try again.
func (s *layerScan) fail(ctx context.Context, err error) error {
	s.closeLocked()
	err = classify(ctx, err)
	if !errors.Is(err, ErrNetwork) && !errors.Is(err, ErrCanceled) {
		s.err = err
	}
	return err
}

// indexLocked adds e to the index, within the layer's and the image's
// index budgets.
func (s *layerScan) indexLocked(e *entry, budget *readBudget) error {
	s.seen = e.Ordinal + 1
	newDirs := 0
	switch e.Type {
	case typeWhiteout:
		s.whiteouts[e.Name] = e.Ordinal
	case typeOpaque:
		s.opaque[e.Name] = e.Ordinal
		newDirs = s.dirs.add(e.Name)
	default:
		if e.Type == TypeHardlink {
			s.linkLocked(e)
		}
		s.entries[e.Name] = e
		s.byOrdinal[e.Ordinal] = e
		newDirs = s.dirs.add(path.Dir(e.Name))
	}
	cost := indexCost(e, newDirs)
	if s.indexed += cost; s.indexed > s.lim.MaxLayerIndexBytes {
		return fmt.Errorf("%w: the path index of the layer exceeds %d bytes (%d entries so far)", ErrLimit, s.lim.MaxLayerIndexBytes, s.seen)
	}
	return budget.index(cost)
}

// finishLocked drains the rest of the layer so that the gzip checksum,
// the blob digest and the diff_id can all be checked.
func (s *layerScan) finishLocked() error {
	live := s.live
	if _, err := io.Copy(live.diff, live.dec); err != nil {
		return fmt.Errorf("layer %s: %w", s.blob.digest, err)
	}
	if g, ok := live.dec.(*ratioGuard); ok {
		s.uncompressed = g.n
	}
	if _, err := io.Copy(io.Discard, live.blob); err != nil {
		return fmt.Errorf("layer %s: %w", s.blob.digest, err)
	}
	got := v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", live.diff.Sum(nil))}
	if s.diffID.Hex != "" && got != s.diffID {
		return &DigestMismatchError{What: fmt.Sprintf("layer %s diff_id", s.blob.digest), Want: s.diffID, Got: got}
	}
	s.closeLocked()
	s.complete, s.verified = true, true
	if s.index != nil && !s.stored && s.diffID.Hex != "" {
		s.stored = true
		s.index.store(s.snapshotLocked(), s.blob.digest)
	}
	return nil
}

// layerAnswer is what one layer says about a path.
type layerAnswer struct {
	entry    *entry // the path is in this layer
	dir      bool   // the path is a directory implied by deeper names
	whiteout bool   // this layer removes the path (or an ancestor) from lower layers
	opaque   string // this layer hides lower contents of this ancestor directory
	known    bool   // the answer is final (found, or the layer was read to the end)
}

// find reads the layer until p appears or the layer ends, then answers.
func (s *layerScan) find(ctx context.Context, p string, fetched *readBudget) (layerAnswer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consultLocked(fetched)
	for s.entries[p] == nil && !s.dirs.has(p) && !s.complete {
		if _, err := s.advanceLocked(ctx, fetched); err != nil && err != io.EOF {
			return layerAnswer{}, err
		}
	}
	a := layerAnswer{entry: s.entries[p], dir: s.dirs.has(p), known: true}
	if a.entry != nil || a.dir {
		return a, nil
	}
	for q := p; ; q = path.Dir(q) {
		if _, ok := s.whiteouts[q]; ok {
			a.whiteout = true
			return a, nil
		}
		if q != p {
			if _, ok := s.opaque[q]; ok {
				a.opaque = q
				return a, nil
			}
		}
		if q == "/" {
			return a, nil
		}
	}
}

// readContent returns the first n bytes of e's content (fewer when the
// file is shorter or MaxFileBytes is reached), from what the passes kept
// or else from the layer, reading it only as far as needed. sparse says the
// bytes go only to binfmt's parsers (see ldso.ObjectFS): then what a pass
// kept of an ELF file answers too.
func (s *layerScan) readContent(ctx context.Context, e *entry, n int64, sparse bool, fetched *readBudget) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consultLocked(fetched)
	n = max(0, min(n, e.Size, s.lim.MaxFileBytes))
	if c := s.captures[e.Ordinal]; c != nil {
		if b, ok := c.prefix(n); ok {
			return b, nil
		}
		if sparse && c.sparse {
			return c.object(n), nil
		}
	}
	if n == 0 {
		return []byte{}, nil
	}
	// Not kept: the pass standing at e reads on; a pass that left it (or a
	// layer known from the persistent index) starts over.
	if err := s.seekLocked(ctx, e.Ordinal, fetched); err != nil {
		return nil, err
	}
	s.live.use(ctx, fetched)
	if err := s.fillLocked(n); err != nil {
		return nil, s.fail(ctx, err)
	}
	// A copy: the pass reuses its buffer for the next entry.
	b := s.live.curBuf
	return bytes.Clone(b[:min(n, int64(len(b)))]), nil
}

// maxReusedBuf bounds the content buffer a pass keeps from one entry for
// the next: the head of every file goes through it, so that reading a
// layer does not allocate per entry, but one large file read whole must
// not stay in memory for the rest of the pass.
const maxReusedBuf = 64 << 10

// reusable empties an entry's content buffer for the next entry.
func reusable(b []byte) []byte {
	if cap(b) > maxReusedBuf {
		return nil
	}
	return b[:0]
}

// seekLocked positions the live pass at the entry with the given ordinal,
// starting a new pass when the current one is already beyond it.
func (s *layerScan) seekLocked(ctx context.Context, ordinal int, fetched *readBudget) error {
	if s.live != nil && s.live.cur != nil && s.live.cur.Ordinal == ordinal {
		return nil
	}
	if s.live == nil || s.live.cur == nil || s.live.cur.Ordinal > ordinal {
		if err := s.openLocked(ctx, fetched); err != nil {
			return s.fail(ctx, err)
		}
	}
	for {
		e, err := s.advanceLocked(ctx, fetched)
		if err == io.EOF {
			return fmt.Errorf("%w: layer %s: entry %d vanished on re-read", ErrMalformed, s.blob.digest, ordinal)
		}
		if err != nil {
			return err
		}
		if e.Ordinal == ordinal {
			return nil
		}
	}
}

// readAll reads the whole layer, checking its digest and diff_id.
func (s *layerScan) readAll(ctx context.Context, fetched *readBudget) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consultLocked(fetched)
	for !s.verified {
		if _, err := s.advanceLocked(ctx, fetched); err != nil && err != io.EOF {
			return err
		}
	}
	return nil
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }
