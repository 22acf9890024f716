package image

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// FromIndex wraps an in-memory index (for example one just assembled by
// imgcheck build, before it is pushed). name is used in messages.
func FromIndex(name string, idx v1.ImageIndex, opts Options) (*Source, error) {
	m := newMemBlobs()
	root, err := m.addIndex(idx, 0)
	if err != nil {
		return nil, fmt.Errorf("reading index %s: %w", name, err)
	}
	return fromMem(name, m, root, opts)
}

// FromImage wraps an in-memory image.
func FromImage(name string, img v1.Image, opts Options) (*Source, error) {
	m := newMemBlobs()
	root, err := m.addImage(img)
	if err != nil {
		return nil, fmt.Errorf("reading image %s: %w", name, err)
	}
	return fromMem(name, m, root, opts)
}

// fromBuilt opens an in-memory index under its build: reference, checking
// that the index is the one the reference's digest names.
func fromBuilt(ctx context.Context, r Ref, idx v1.ImageIndex, opts Options) (*Source, error) {
	s, err := FromIndex(r.String(), idx, opts)
	if err != nil {
		return nil, err
	}
	got, err := s.Digest(ctx)
	if err != nil {
		return nil, err
	}
	if got != r.Digest {
		return nil, fmt.Errorf("%s: %w", r, &DigestMismatchError{What: "index", Want: r.Digest, Got: got})
	}
	return s, nil
}

func fromMem(name string, m *memBlobs, root []byte, opts Options) (*Source, error) {
	lim := opts.Limits.withDefaults()
	doc, err := parseDocument(root, "")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return newSource(name, &localStore{name: name, rootDoc: doc, open: m.open, lim: lim}, opts), nil
}

// memBlobs serves manifests, configs and layers of in-memory images.
type memBlobs struct {
	raw    map[v1.Hash][]byte
	layers map[v1.Hash]v1.Layer
}

func newMemBlobs() *memBlobs {
	return &memBlobs{raw: map[v1.Hash][]byte{}, layers: map[v1.Hash]v1.Layer{}}
}

func (m *memBlobs) open(h v1.Hash) (io.ReadCloser, error) {
	if b, ok := m.raw[h]; ok {
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	if l, ok := m.layers[h]; ok {
		return l.Compressed()
	}
	return nil, fmt.Errorf("blob %s: %w", h, os.ErrNotExist)
}

func (m *memBlobs) addIndex(idx v1.ImageIndex, depth int) ([]byte, error) {
	if depth > DefaultMaxIndexDepth {
		return nil, fmt.Errorf("%w: indexes nested deeper than %d", ErrLimit, DefaultMaxIndexDepth)
	}
	raw, err := idx.RawManifest()
	if err != nil {
		return nil, err
	}
	m.raw[digestOf(raw)] = raw
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	for _, d := range im.Manifests {
		switch {
		case d.MediaType.IsIndex():
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return nil, fmt.Errorf("child index %s: %w", d.Digest, err)
			}
			if _, err := m.addIndex(child, depth+1); err != nil {
				return nil, err
			}
		default:
			img, err := idx.Image(d.Digest)
			if err != nil {
				return nil, fmt.Errorf("child manifest %s: %w", d.Digest, err)
			}
			if _, err := m.addImage(img); err != nil {
				return nil, fmt.Errorf("child manifest %s: %w", d.Digest, err)
			}
		}
	}
	return raw, nil
}

func (m *memBlobs) addImage(img v1.Image) ([]byte, error) {
	raw, err := img.RawManifest()
	if err != nil {
		return nil, err
	}
	m.raw[digestOf(raw)] = raw
	cfg, err := img.RawConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	m.raw[digestOf(cfg)] = cfg
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("layers: %w", err)
	}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, fmt.Errorf("layer digest: %w", err)
		}
		m.layers[d] = l
	}
	return raw, nil
}

// dockerArchive reads a docker save archive through go-containerregistry.
func dockerArchive(file string, lim Limits) (store, error) {
	img, err := tarball.Image(func() (io.ReadCloser, error) { return os.Open(file) }, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: docker archive %s: %w", ErrMalformed, file, err)
	}
	m := newMemBlobs()
	root, err := m.addImage(img)
	if err != nil {
		return nil, fmt.Errorf("%w: docker archive %s: %w", ErrMalformed, file, err)
	}
	doc, err := parseDocument(root, "")
	if err != nil {
		return nil, fmt.Errorf("docker archive %s: %w", file, err)
	}
	return &localStore{name: file, rootDoc: doc, open: m.open, lim: lim}, nil
}
