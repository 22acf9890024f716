package image

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Compression of a layer blob, as found in its first bytes.
type Compression string

// Compressions.
const (
	CompressionGzip Compression = "gzip"
	CompressionZstd Compression = "zstd"
	CompressionNone Compression = "uncompressed"
)

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// decompress sniffs the stream's first bytes (media types lie: a "gzip"
// layer may be plain tar) and returns the uncompressed tar stream, bounded
// by the ratio and size limits against decompression bombs.
func decompress(r io.Reader, compressedPos func() int64, lim Limits) (io.ReadCloser, Compression, error) {
	br := bufio.NewReaderSize(r, 512)
	head, err := br.Peek(4)
	if err != nil && len(head) == 0 {
		if err == io.EOF {
			return io.NopCloser(bytes.NewReader(nil)), CompressionNone, nil
		}
		return nil, "", err
	}
	guard := func(rc io.ReadCloser) io.ReadCloser {
		return &ratioGuard{rc: rc, compressedPos: compressedPos, lim: lim}
	}
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, "", fmt.Errorf("%w: gzip header: %w", ErrMalformed, err)
		}
		return guard(zr), CompressionGzip, nil
	case bytes.HasPrefix(head, zstdMagic):
		// One goroutine, low memory: a synchronous decoder reads no further
		// ahead than the block it decodes, which keeps ranged reads small.
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxMemory(1<<30), zstd.WithDecoderMaxWindow(128<<20))
		if err != nil {
			return nil, "", fmt.Errorf("%w: zstd header: %w", ErrMalformed, err)
		}
		return guard(zr.IOReadCloser()), CompressionZstd, nil
	}
	return guard(io.NopCloser(br)), CompressionNone, nil
}

// ratioGuard fails a decompressed stream that grows beyond the limits.
type ratioGuard struct {
	rc            io.ReadCloser
	compressedPos func() int64
	lim           Limits
	n             int64
	budget        *readBudget // the image's, when a scan serves one (see liveStream.use)
}

func (g *ratioGuard) Read(p []byte) (int, error) {
	n, err := g.rc.Read(p)
	g.n += int64(n)
	if g.budget != nil {
		if berr := g.budget.inflate(int64(n)); berr != nil {
			return n, berr
		}
	}
	if g.n > g.lim.MaxLayerBytes {
		return n, fmt.Errorf("%w: layer decompresses to more than %d bytes", ErrLimit, g.lim.MaxLayerBytes)
	}
	if c := g.compressedPos(); g.n > 1<<20 && g.n > g.lim.MaxRatio*max(c, 1)+1<<20 {
		return n, fmt.Errorf("%w: decompression ratio above %d:1 (%d bytes from %d)", ErrLimit, g.lim.MaxRatio, g.n, c)
	}
	if err != nil && err != io.EOF && !isClassified(err) {
		err = fmt.Errorf("%w: decompressing layer: %w", ErrMalformed, err)
	}
	return n, err
}

func (g *ratioGuard) Close() error { return g.rc.Close() }
