package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// store is where an image's manifests and blobs come from: a registry, an
// OCI layout, an archive or memory. Everything it returns is verified
// against its digest, except layer streams (checked when read to the end).
type store interface {
	// root returns the document the reference names.
	root(ctx context.Context) (*document, error)
	// manifest returns the child manifest or index a descriptor names.
	manifest(ctx context.Context, d v1.Descriptor) (*document, error)
	// blob returns a small blob (a config) whole.
	blob(ctx context.Context, d v1.Descriptor, max int64) ([]byte, error)
	// fetcher returns how to read a layer blob.
	fetcher(d v1.Descriptor) blobFetcher
}

// localStore serves blobs by digest from an opener: an OCI layout
// directory, an OCI archive or in-memory images.
type localStore struct {
	name    string
	rootDoc *document
	open    func(h v1.Hash) (io.ReadCloser, error)
	lim     Limits
}

func (s *localStore) root(context.Context) (*document, error) { return s.rootDoc, nil }

func (s *localStore) manifest(_ context.Context, d v1.Descriptor) (*document, error) {
	raw, err := s.read(d, s.lim.MaxManifestBytes, "manifest")
	if err != nil {
		return nil, err
	}
	doc, err := parseDocument(raw, d.MediaType)
	if err != nil {
		return nil, fmt.Errorf("manifest %s in %s: %w", d.Digest, s.name, err)
	}
	return doc, nil
}

func (s *localStore) blob(_ context.Context, d v1.Descriptor, max int64) ([]byte, error) {
	return s.read(d, max, "blob")
}

func (s *localStore) read(d v1.Descriptor, max int64, what string) ([]byte, error) {
	if d.Size > max {
		return nil, fmt.Errorf("%w: %s %s is %d bytes, limit %d", ErrLimit, what, d.Digest, d.Size, max)
	}
	rc, err := s.open(d.Digest)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s %s in %s", ErrNotFound, what, d.Digest, s.name)
		}
		return nil, fmt.Errorf("%w: opening %s %s in %s: %w", ErrMalformed, what, d.Digest, s.name, err)
	}
	defer rc.Close()
	raw, err := readSized(rc, what+" "+d.Digest.String(), d.Size, max)
	if err != nil {
		return nil, fmt.Errorf("reading %s %s in %s: %w", what, d.Digest, s.name, err)
	}
	if err := verifyDigest(what+" "+d.Digest.String(), raw, d.Digest); err != nil {
		return nil, err
	}
	return raw, nil
}

func (s *localStore) fetcher(d v1.Descriptor) blobFetcher {
	return readerFetcher{open: func() (io.ReadCloser, error) {
		rc, err := s.open(d.Digest)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: layer %s in %s", ErrNotFound, d.Digest, s.name)
		}
		if err != nil {
			return nil, err
		}
		what := "layer " + d.Digest.String()
		// A file's size is known before reading: a prefix read is held
		// to the declared size as well as a whole read.
		if n, ok := localSize(rc); ok && n != d.Size {
			rc.Close()
			return nil, &SizeMismatchError{What: what, Want: d.Size, Got: n}
		}
		return newSizedBody(rc, what, d.Size), nil
	}}
}

// localSize is the size of a local blob reader, when it knows it.
func localSize(r io.Reader) (int64, bool) {
	switch r := r.(type) {
	case interface{ Size() int64 }: // an archive member, bytes in memory
		return r.Size(), true
	case *os.File:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size(), true
		}
	}
	return 0, false
}

// readSized reads all of r, which the descriptor says is size bytes (-1
// when no descriptor declares it): a SizeMismatchError when it is not, an
// ErrLimit beyond max bytes. A body longer than declared is read one byte
// past its size only.
func readSized(r io.Reader, what string, size, max int64) ([]byte, error) {
	if size < 0 || size > max {
		return readBounded(r, max)
	}
	b, err := io.ReadAll(io.LimitReader(r, size+1))
	if err != nil {
		return nil, err
	}
	return b, checkSize(what, b, size)
}

// checkSize fails when b is not the size a descriptor declares (-1: none).
func checkSize(what string, b []byte, size int64) error {
	switch n := int64(len(b)); {
	case size < 0 || n == size:
		return nil
	case n > size:
		return &SizeMismatchError{What: what, Want: size, Got: n, More: true}
	default:
		return &SizeMismatchError{What: what, Want: size, Got: n}
	}
}

// readBounded reads all of r, failing with ErrLimit beyond max bytes.
func readBounded(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrLimit, max)
	}
	return b, nil
}
