package image

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/imgcheck/imgcheck/registry"
)

// manifestAccept lists every manifest type we can tell apart; schema 1 is
// accepted only so it can be recognised and rejected with a clear error.
var manifestAccept = strings.Join([]string{
	string(types.OCIImageIndex), string(types.DockerManifestList),
	string(types.OCIManifestSchema1), string(types.DockerManifestSchema2),
	string(types.DockerManifestSchema1Signed), string(types.DockerManifestSchema1),
}, ", ")

// remoteStore reads from a registry over the registry package's transport.
type remoteStore struct {
	ref  name.Reference
	opts registry.Options
	lim  Limits

	mu     sync.Mutex
	client *http.Client
}

func (s *remoteStore) httpClient(ctx context.Context) (*http.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		return s.client, nil
	}
	rt, err := s.opts.RepositoryTransport(ctx, s.ref.Context())
	if err != nil {
		return nil, classify(ctx, err)
	}
	s.client = &http.Client{Transport: rt}
	return s.client, nil
}

func (s *remoteStore) url(kind, id string) string {
	repo := s.ref.Context()
	return fmt.Sprintf("%s://%s/v2/%s/%s/%s", repo.Scheme(), repo.RegistryStr(), repo.RepositoryStr(), kind, id)
}

func (s *remoteStore) get(ctx context.Context, url string, header http.Header) (*http.Response, error) {
	client, err := s.httpClient(ctx)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, classify(ctx, err)
	}
	return resp, nil
}

func (s *remoteStore) root(ctx context.Context) (*document, error) {
	var want *v1.Hash
	if d, ok := s.ref.(name.Digest); ok {
		h, err := v1.NewHash(d.DigestStr())
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrMalformed, s.ref, err)
		}
		want = &h
	}
	return s.fetchManifest(ctx, s.ref.Identifier(), "", want, -1)
}

func (s *remoteStore) manifest(ctx context.Context, d v1.Descriptor) (*document, error) {
	if d.Size > s.lim.MaxManifestBytes {
		return nil, fmt.Errorf("%w: manifest %s is %d bytes, limit %d", ErrLimit, d.Digest, d.Size, s.lim.MaxManifestBytes)
	}
	return s.fetchManifest(ctx, d.Digest.String(), d.MediaType, &d.Digest, d.Size)
}

// fetchManifest GETs a manifest by tag or digest. Its digest is computed
// from the bytes: it must equal the digest asked for, and the registry's
// Docker-Content-Digest when it sends one. size is what the descriptor
// naming it declares (-1 for a root fetched by tag or digest).
func (s *remoteStore) fetchManifest(ctx context.Context, id string, mt types.MediaType, want *v1.Hash, size int64) (*document, error) {
	sep := ":"
	if strings.Contains(id, ":") {
		sep = "@" // a digest
	}
	what := fmt.Sprintf("manifest %s%s%s", s.ref.Context(), sep, id)
	raw, header, err := s.fetchBody(ctx, what, s.url("manifests", id), http.Header{"Accept": {manifestAccept}}, size, s.lim.MaxManifestBytes)
	if err != nil {
		return nil, err
	}
	got := digestOf(raw)
	if want != nil && *want != got {
		return nil, &DigestMismatchError{What: what, Want: *want, Got: got}
	}
	if hdr := header.Get("Docker-Content-Digest"); strings.HasPrefix(hdr, "sha256:") && hdr != got.String() {
		h, _ := v1.NewHash(hdr)
		return nil, &DigestMismatchError{What: what + " (Docker-Content-Digest)", Want: h, Got: got}
	}
	if mt == "" {
		mt = types.MediaType(strings.TrimSpace(strings.Split(header.Get("Content-Type"), ";")[0]))
	}
	doc, err := parseDocument(raw, mt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return doc, nil
}

// fetchBody GETs a small document whole, holding it to the size its
// descriptor declares (-1: none). A body cut short is fetched again (the
// transport retries failed requests, not bodies that break while they
// stream); anything else is returned as it is.
func (s *remoteStore) fetchBody(ctx context.Context, what, url string, header http.Header, size, max int64) ([]byte, http.Header, error) {
	for attempt := 1; ; attempt++ {
		resp, err := s.get(ctx, url, header)
		if err != nil {
			return nil, nil, fmt.Errorf("fetching %s: %w", what, err)
		}
		if resp.StatusCode != http.StatusOK {
			defer resp.Body.Close()
			return nil, nil, statusError(ctx, resp, "fetching "+what)
		}
		if n := resp.ContentLength; n >= 0 && size >= 0 && n != size {
			resp.Body.Close()
			return nil, nil, &SizeMismatchError{What: what, Want: size, Got: n}
		}
		raw, err := readSized(resp.Body, what, size, max)
		resp.Body.Close()
		if err == nil {
			return raw, resp.Header, nil
		}
		retry := retryable(err)
		err = classify(ctx, err)
		if !retry || attempt >= rangeAttempts || ctx.Err() != nil {
			return nil, nil, fmt.Errorf("reading %s: %w", what, err)
		}
	}
}

func (s *remoteStore) blob(ctx context.Context, d v1.Descriptor, max int64) ([]byte, error) {
	what := fmt.Sprintf("blob %s@%s", s.ref.Context(), d.Digest)
	if d.Size > max {
		return nil, fmt.Errorf("%w: %s is %d bytes, limit %d", ErrLimit, what, d.Size, max)
	}
	raw, _, err := s.fetchBody(ctx, what, s.url("blobs", d.Digest.String()), nil, d.Size, max)
	if err != nil {
		return nil, err
	}
	if err := verifyDigest(what, raw, d.Digest); err != nil {
		return nil, err
	}
	return raw, nil
}

func (s *remoteStore) fetcher(d v1.Descriptor) blobFetcher {
	return &remoteFetcher{s: s, d: d}
}

// remoteFetcher GETs a layer blob with a Range header; a registry that
// ignores Range answers 200 with the whole blob, which the blob reader then
// streams and abandons as soon as it has enough.
type remoteFetcher struct {
	s *remoteStore
	d v1.Descriptor
}

func (f *remoteFetcher) fetch(ctx context.Context, off, n int64) (io.ReadCloser, bool, error) {
	what := fmt.Sprintf("layer %s@%s", f.s.ref.Context(), f.d.Digest)
	end := min(off+n, f.d.Size) - 1 // registries reject ranges past the end
	hdr := http.Header{}
	if off > 0 || end < f.d.Size-1 {
		hdr.Set("Range", fmt.Sprintf("bytes=%d-%d", off, end))
	}
	resp, err := f.s.get(ctx, f.s.url("blobs", f.d.Digest.String()), hdr)
	if err != nil {
		return nil, false, fmt.Errorf("fetching %s: %w", what, err)
	}
	switch resp.StatusCode {
	case http.StatusPartialContent:
		cr, err := parseContentRange(resp.Header.Get("Content-Range"))
		if err != nil || cr.start != off || cr.end > end {
			resp.Body.Close()
			return nil, false, fmt.Errorf("%w: %s: bad Content-Range %q for bytes=%d-%d", ErrNetwork, what, resp.Header.Get("Content-Range"), off, end)
		}
		if cr.total >= 0 && cr.total != f.d.Size {
			resp.Body.Close()
			return nil, false, &SizeMismatchError{What: what, Want: f.d.Size, Got: cr.total}
		}
		return resp.Body, true, nil
	case http.StatusOK:
		if n := resp.ContentLength; n >= 0 && n != f.d.Size {
			resp.Body.Close()
			return nil, false, &SizeMismatchError{What: what, Want: f.d.Size, Got: n}
		}
		return newSizedBody(resp.Body, what, f.d.Size), false, nil
	}
	defer resp.Body.Close()
	return nil, false, statusError(ctx, resp, "fetching "+what)
}
