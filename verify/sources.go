package verify

import (
	"context"
	"sync"

	"github.com/imgcheck/imgcheck/image"
)

// sourceSet opens each image reference once per run, so containers and
// task definitions that name the same image share its manifests and config
// (the blob cache already shares layers).
type sourceSet struct {
	opts image.Options

	mu   sync.Mutex
	refs map[string]*openedSource
}

type openedSource struct {
	once sync.Once
	src  *image.Source
	err  error
}

func newSourceSet(opts Options) *sourceSet {
	return &sourceSet{opts: opts.Image, refs: map[string]*openedSource{}}
}

// get opens ref, or returns the Source (or error) of an earlier open.
func (s *sourceSet) get(ctx context.Context, ref string) (*image.Source, error) {
	s.mu.Lock()
	o, ok := s.refs[ref]
	if !ok {
		o = &openedSource{}
		s.refs[ref] = o
	}
	s.mu.Unlock()
	o.once.Do(func() { o.src, o.err = image.Open(ctx, ref, s.opts) })
	return o.src, o.err
}
