package image

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/registry"
)

// Options configure how a Source reads an image.
type Options struct {
	// Registry configures registry access (credentials, insecure hosts,
	// retries). Its Counter, when nil, is created per Source.
	Registry registry.Options
	// Cache is shared between Sources; nil means a private one.
	Cache *Cache
	// Strict reads whole layers holding the files identified, checks their
	// digests and diff_ids, and reads whole binaries for Go build info.
	Strict bool
	// Limits bound what a hostile image can make us do.
	Limits Limits
	// Logger receives progress at debug level; nil discards.
	Logger *slog.Logger
	// Built holds the indexes that build: references name: images
	// imgcheck build assembled in memory and has not published yet.
	Built map[Ref]v1.ImageIndex
	// LayerIndex keeps layer indexes between runs (nil: none). A layer it
	// holds is answered without reading it, except in strict mode, which
	// reads layers; every layer read to the end is stored in it.
	LayerIndex *LayerIndex
}

// Stats counts what reading an image cost.
type Stats struct {
	Requests        int64 `json:"requests"`         // HTTP requests sent (retries and auth included)
	BytesDownloaded int64 `json:"bytes_downloaded"` // response body bytes as received
	LayerBytes      int64 `json:"layer_bytes"`      // compressed layer bytes fetched (registry or local)
	// Layers says how each layer of the images opened was read.
	Layers []LayerRead `json:"layers,omitempty"`
}

// Source is an opened image reference: an index or a single manifest.
type Source struct {
	name    string
	opts    Options
	store   store
	cache   *Cache
	private bool // the cache is this Source's own
	counter *registry.Counter
	fetched readBudget // layer bytes fetched, and what reading layers may cost in all
	log     *slog.Logger

	rootOnce sync.Once
	rootDoc  *document
	rootErr  error

	// Verified manifests and configs by digest: each is fetched once, also
	// when several goroutines ask at the same time.
	mu      sync.Mutex
	docs    map[v1.Hash]*fetchResult[*document]
	configs map[v1.Hash]*fetchResult[[]byte]
	layers  []*layerScan // of the images opened, by first use
}

// Name is the reference the Source was opened with.
func (s *Source) Name() string { return s.name }

// Stats returns the requests and bytes used so far.
func (s *Source) Stats() Stats {
	st := Stats{Requests: s.counter.Requests(), BytesDownloaded: s.counter.Bytes(), LayerBytes: s.fetched.fetched.Load()}
	s.mu.Lock()
	scans := slices.Clone(s.layers)
	s.mu.Unlock()
	for _, sc := range scans {
		st.Layers = append(st.Layers, sc.read())
	}
	return st
}

// useLayer records that an image of this Source has the layer.
func (s *Source) useLayer(sc *layerScan) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.layers, sc) {
		s.layers = append(s.layers, sc)
	}
}

func newSource(name string, st store, opts Options) *Source {
	opts.Limits = opts.Limits.withDefaults()
	private := opts.Cache == nil
	if private {
		opts.Cache = NewCache()
	}
	if opts.Registry.Counter == nil {
		opts.Registry.Counter = &registry.Counter{}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Source{name: name, opts: opts, store: st, cache: opts.Cache, private: private, counter: opts.Registry.Counter, log: log,
		docs: map[v1.Hash]*fetchResult[*document]{}, configs: map[v1.Hash]*fetchResult[[]byte]{}}
	s.fetched.setLimits(opts.Limits)
	return s
}

// Open opens an image by reference (see ParseRef for the forms). It reads
// the root manifest (checking its digest) so that a missing tag or bad
// credentials are reported here.
func Open(ctx context.Context, ref string, opts Options) (*Source, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	return openRef(ctx, r, opts)
}

// openRef opens a parsed reference; see Open.
func openRef(ctx context.Context, r Ref, opts Options) (*Source, error) {
	opts.Limits = opts.Limits.withDefaults()
	if opts.Registry.Counter == nil {
		opts.Registry.Counter = &registry.Counter{}
	}
	ref := r.String()
	var st store
	var err error
	switch r.Kind {
	case RefLayout:
		st, err = openLayout(r, opts.Limits)
	case RefArchive, RefOCIArchive:
		st, err = openArchive(r, opts.Limits)
	case RefBuilt:
		idx, ok := opts.Built[r]
		if !ok {
			return nil, fmt.Errorf("%w: %s: no such image was built in this run", ErrNotFound, ref)
		}
		return fromBuilt(ctx, r, idx, opts)
	case RefRegistry:
		name, perr := opts.Registry.ParseReference(r.Name)
		if perr != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, perr)
		}
		st = &remoteStore{ref: name, opts: opts.Registry, lim: opts.Limits}
	default:
		return nil, fmt.Errorf("%w: image reference of unknown kind %v", ErrMalformed, r.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", ref, err)
	}
	s := newSource(ref, st, opts)
	if _, err := s.root(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// root returns the root document, fetched once.
func (s *Source) root(ctx context.Context) (*document, error) {
	s.rootOnce.Do(func() {
		s.rootDoc, s.rootErr = s.store.root(ctx)
		if s.rootErr != nil {
			s.rootErr = fmt.Errorf("reading %s: %w", s.name, classify(ctx, s.rootErr))
		}
	})
	return s.rootDoc, s.rootErr
}

// Digest is the digest of the root manifest or index: what a deployment
// pinned by digest would pull.
func (s *Source) Digest(ctx context.Context) (v1.Hash, error) {
	d, err := s.root(ctx)
	if err != nil {
		return v1.Hash{}, err
	}
	return d.Digest, nil
}

// IsIndex reports whether the reference names an index (manifest list).
func (s *Source) IsIndex(ctx context.Context) (bool, error) {
	d, err := s.root(ctx)
	if err != nil {
		return false, err
	}
	return d.Index != nil, nil
}

// manifest returns a child manifest or index, fetched once per Source.
func (s *Source) manifest(ctx context.Context, d v1.Descriptor) (*document, error) {
	return fetchOnce(s, s.docs, d.Digest, func() (*document, error) { return s.store.manifest(ctx, d) })
}

// configBlob returns a config blob, fetched once per Source.
func (s *Source) configBlob(ctx context.Context, d v1.Descriptor) ([]byte, error) {
	return fetchOnce(s, s.configs, d.Digest, func() ([]byte, error) {
		return s.store.blob(ctx, d, s.opts.Limits.MaxConfigBytes)
	})
}

// fetchResult is the outcome of one fetch that concurrent callers share.
type fetchResult[T any] struct {
	once sync.Once
	v    T
	err  error
}

func fetchOnce[T any](s *Source, m map[v1.Hash]*fetchResult[T], d v1.Hash, fetch func() (T, error)) (T, error) {
	s.mu.Lock()
	f, ok := m[d]
	if !ok {
		f = &fetchResult[T]{}
		m[d] = f
	}
	s.mu.Unlock()
	f.once.Do(func() { f.v, f.err = fetch() })
	return f.v, f.err
}

// Close releases open layer streams of a Source with its own cache.
// Sources that share a Cache leave that to the Cache's owner (Cache.Close).
func (s *Source) Close() error {
	if s.private {
		return s.cache.Close()
	}
	return nil
}
