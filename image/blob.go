package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/registry"
)

// Range sizes: the first ranged GET of a layer asks for firstRange bytes;
// 64 KiB of gzip holds the tar header and well over the first 4 KiB of the
// first file. A reader that needs more streams the rest of the blob in one
// open-ended ranged GET and stops reading when it is done.
const (
	firstRange = 64 << 10
	// rangeAttempts bounds re-fetches of a range whose body was cut short.
	rangeAttempts = 3
)

// blobFetcher gets bytes of one compressed blob. fetch asks for n bytes at
// off; a backend that cannot serve ranges returns the whole blob from
// offset 0 with ranged=false.
type blobFetcher interface {
	fetch(ctx context.Context, off, n int64) (body io.ReadCloser, ranged bool, err error)
}

// blobState is what is known of one blob across reads: the bytes fetched so
// far from its start (kept up to a cap so a second pass costs nothing) and
// whether the backend serves ranges. Shared through a Cache.
type blobState struct {
	mu      sync.Mutex
	digest  v1.Hash
	size    int64
	prefix  []byte
	capped  bool // prefix no longer grows: the cap was reached
	noRange bool // backend answered a Range request with the whole blob
	maxKeep int64
	fetched atomic.Int64 // bytes fetched of the blob, by every reader
}

// blobReader reads one blob sequentially from offset 0, fetching only what
// its reader consumes, and checks the digest when it reaches the end.
type blobReader struct {
	ctx      context.Context
	st       *blobState
	f        blobFetcher
	fetched  *atomic.Int64 // layer bytes fetched, for Stats
	off      int64
	ranges   int    // ranged GETs made; after the first, the rest is streamed
	restarts int    // ranged streams resumed after a cut
	local    []byte // bytes at off beyond the cached prefix
	body     io.ReadCloser
	bodyOff  int64 // offset of body's next byte
	hash     *pipedHash
	verified bool
}

func newBlobReader(ctx context.Context, st *blobState, f blobFetcher, fetched *atomic.Int64) *blobReader {
	return &blobReader{ctx: ctx, st: st, f: f, fetched: fetched, hash: newPipedHash()}
}

// count adds fetched bytes to the Source's and the blob's counts.
func (r *blobReader) count(n int64) {
	r.fetched.Add(n)
	r.st.fetched.Add(n)
}

// Offset is how many bytes the consumer has read.
func (r *blobReader) Offset() int64 { return r.off }

func (r *blobReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if r.off >= r.st.size {
		return 0, r.atEnd()
	}
	if int64(len(p)) > r.st.size-r.off {
		p = p[:r.st.size-r.off]
	}
	n, err := r.read(p)
	if n > 0 {
		r.hash.Write(p[:n])
		r.off += int64(n)
	}
	if err == io.EOF {
		if r.off < r.st.size {
			return n, fmt.Errorf("%w: blob %s truncated at %d of %d bytes", ErrNetwork, r.st.digest, r.off, r.st.size)
		}
		err = nil
	}
	return n, err
}

// atEnd checks the size and the digest once the whole blob went through.
func (r *blobReader) atEnd() error {
	if !r.verified && r.body != nil && r.bodyOff == r.st.size {
		// A streamed body must end where the descriptor says it does.
		var one [1]byte
		n, err := r.body.Read(one[:])
		if n > 0 {
			err = &SizeMismatchError{What: "blob " + r.st.digest.String(), Want: r.st.size, Got: r.st.size + 1, More: true}
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
	}
	if !r.verified {
		if r.st.digest.Algorithm != "sha256" {
			// Only SHA-256 is hashed: another algorithm is not a check
			// that passed (documents are refused the same way).
			return fmt.Errorf("%w: blob %s: unsupported digest algorithm %q", ErrMalformed, r.st.digest, r.st.digest.Algorithm)
		}
		got := v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", r.hash.Sum(nil))}
		if got != r.st.digest {
			return &DigestMismatchError{What: "blob", Want: r.st.digest, Got: got}
		}
		r.verified = true
	}
	return io.EOF
}

func (r *blobReader) read(p []byte) (int, error) {
	if len(r.local) > 0 {
		n := copy(p, r.local)
		r.local = r.local[n:]
		return n, nil
	}
	st := r.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if r.off < int64(len(st.prefix)) {
		return copy(p, st.prefix[r.off:]), nil
	}
	if st.noRange || r.body != nil {
		return r.readStream(p)
	}
	if r.ranges > 0 {
		// Past the first range the layer is being scanned, not peeked at:
		// stream the rest in one request (stopped early when the reader is
		// done), rather than paying a round trip per growing range.
		body, ranged, err := r.f.fetch(r.ctx, r.off, st.size-r.off)
		if err != nil {
			return 0, err
		}
		r.body, r.bodyOff = body, r.off
		if !ranged {
			st.noRange = true
			r.bodyOff = 0
		}
		return r.readStream(p)
	}
	r.ranges++
	n := min(int64(firstRange), st.size-r.off)
	data := make([]byte, n)
	// A body cut short is fetched again: the transport retries failed
	// requests, but not a connection that breaks while the body streams.
	for attempt := 1; ; attempt++ {
		body, ranged, err := r.f.fetch(r.ctx, r.off, n)
		if err != nil {
			return 0, err
		}
		if !ranged {
			st.noRange = true
			r.body, r.bodyOff = body, 0
			return r.readStream(p)
		}
		got, err := io.ReadFull(body, data)
		body.Close()
		r.count(int64(got))
		if err == nil {
			break
		}
		if attempt >= rangeAttempts || r.ctx.Err() != nil || !retryable(err) {
			return 0, fmt.Errorf("reading bytes %d-%d of blob %s: %w", r.off, r.off+n-1, st.digest, transferError(r.ctx, err))
		}
	}
	if r.off == int64(len(st.prefix)) && !st.capped && int64(len(st.prefix))+n <= st.maxKeep {
		st.prefix = append(st.prefix, data...)
		return copy(p, st.prefix[r.off:]), nil
	}
	st.capped = true
	c := copy(p, data)
	r.local = data[c:]
	return c, nil
}

// readStream serves p from a whole-blob body, skipping to off first. It is
// called with st.mu held.
func (r *blobReader) readStream(p []byte) (int, error) {
	st := r.st
	if r.body == nil || r.bodyOff > r.off {
		if r.body != nil {
			r.body.Close()
		}
		body, _, err := r.f.fetch(r.ctx, 0, st.size)
		if err != nil {
			return 0, err
		}
		r.body, r.bodyOff = body, 0
	}
	if skip := r.off - r.bodyOff; skip > 0 {
		k, err := io.CopyN(io.Discard, r.body, skip)
		r.count(k)
		r.bodyOff += k
		if err != nil {
			return 0, fmt.Errorf("skipping to %d of blob %s: %w", r.off, st.digest, transferError(r.ctx, err))
		}
	}
	n, err := r.body.Read(p)
	r.count(int64(n))
	r.bodyOff += int64(n)
	if err != nil && !errors.Is(err, io.EOF) && retryable(err) && !st.noRange && n == 0 && r.restarts < rangeAttempts && r.ctx.Err() == nil {
		// A ranged stream cut short is resumed where it stopped.
		r.restarts++
		r.body.Close()
		body, ranged, ferr := r.f.fetch(r.ctx, r.off, st.size-r.off)
		if ferr != nil {
			r.body = nil
			return 0, ferr
		}
		r.body, r.bodyOff = body, r.off
		if !ranged {
			st.noRange = true
			r.bodyOff = 0
		}
		return r.readStream(p)
	}
	if n > 0 && r.off == int64(len(st.prefix)) && !st.capped {
		if int64(len(st.prefix)+n) <= st.maxKeep {
			st.prefix = append(st.prefix, p[:n]...)
		} else {
			st.capped = true
		}
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return n, fmt.Errorf("reading blob %s: %w", st.digest, transferError(r.ctx, err))
	}
	return n, err
}

// retryable reports whether a body that broke is worth fetching again: not
// when the content is wrong, nor when the registry stalled (waiting for it
// again would multiply a wait that is already long).
func retryable(err error) bool {
	return !isClassified(err) && !errors.Is(err, registry.ErrStalled)
}

// transferError classes an error of a body being read (ErrNetwork, or
// ErrCanceled when ctx ended), keeping a class it already has (a size
// mismatch found while streaming).
func transferError(ctx context.Context, err error) error {
	if isClassified(err) {
		return err
	}
	return fmt.Errorf("%w: %w", transferClass(ctx), err)
}

// Close releases a streaming body, if any.
func (r *blobReader) Close() error {
	r.hash.Close()
	if r.body != nil {
		r.body.Close()
		r.body = nil
	}
	return nil
}

// readerFetcher serves a blob from a local opener (OCI layout, archive or
// an in-memory layer): no ranges, but nothing crosses a network either.
type readerFetcher struct {
	open func() (io.ReadCloser, error)
}

func (f readerFetcher) fetch(context.Context, int64, int64) (io.ReadCloser, bool, error) {
	rc, err := f.open()
	return rc, false, err
}

// sizedBody holds a whole-blob body to the size its descriptor declares:
// a body that ends early without a transfer error, or goes on past that
// size, is a SizeMismatchError. (A transfer cut short is an error of its
// own: net/http reports io.ErrUnexpectedEOF, not io.EOF.)
type sizedBody struct {
	rc   io.ReadCloser
	what string
	size int64
	n    int64
}

func newSizedBody(rc io.ReadCloser, what string, size int64) io.ReadCloser {
	return &sizedBody{rc: rc, what: what, size: size}
}

func (b *sizedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n += int64(n)
	if b.n > b.size {
		return max(0, n-int(b.n-b.size)), &SizeMismatchError{What: b.what, Want: b.size, Got: b.n, More: true}
	}
	if errors.Is(err, io.EOF) && b.n < b.size {
		return n, &SizeMismatchError{What: b.what, Want: b.size, Got: b.n}
	}
	return n, err
}

func (b *sizedBody) Close() error { return b.rc.Close() }
