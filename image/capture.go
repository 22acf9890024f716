package image

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/imgcheck/imgcheck/image/binfmt"
)

// One pass per layer: when a layer pass leaves a file, it keeps the bytes
// of it that a check may ask for later, so that the question does not
// start the layer over. What it keeps:
//
//   - an ELF file (executable or shared object): its ELF header and the
//     bytes binfmt.ELFExtents names (program headers, PT_INTERP, the
//     dynamic section, the strings and version records it points to). The
//     loader emulation and Identify parse objects only through binfmt, so
//     these few kilobytes answer for the whole file (a "sparse" capture);
//   - /etc/passwd, /etc/group, /etc/ld.so.cache, /etc/ld.so.preload and
//     /etc/ld-musl-*.path: whole;
//   - a "#!" script, a PE file, any file with an execute bit: the first
//     4 KiB (what Identify reads first);
//   - any file of at most 1 KiB: whole.
//
// Bounds: a pass buffers at most Limits.MaxCaptureFileBytes of one file
// to find its extents (an object whose dynamic section lies further keeps
// only its first 4 KiB), and a layer keeps at most Limits.MaxCaptureBytes
// in all (later files are not kept), and all the layers of a Cache at most
// Limits.MaxCacheCaptureBytes (the first layer's). A question about bytes
// that were not kept starts the layer over: more bytes, never another
// answer.
const (
	captureHeadBytes  = 4 << 10 // Identify's first read
	captureSmallBytes = 1 << 10 // files this short are kept whole
	elfHeaderBytes    = 64      // the largest ELF header (ELF64)
)

// capture is what a pass kept of one file: spans of its content, sorted
// and disjoint.
type capture struct {
	size   int64
	spans  []span
	sparse bool // the spans hold the ELF header and every byte binfmt's parsers read
}

// span is data at offset off of a file.
type span struct {
	off  int64
	data []byte
}

func (c *capture) bytes() int64 {
	var n int64
	for _, s := range c.spans {
		n += int64(len(s.data))
	}
	return n
}

// prefix returns the first n bytes when they were kept.
func (c *capture) prefix(n int64) ([]byte, bool) {
	if n == 0 {
		return []byte{}, true
	}
	if len(c.spans) == 0 || c.spans[0].off != 0 || int64(len(c.spans[0].data)) < n {
		return nil, false
	}
	return c.spans[0].data[:n:n], true
}

// object returns n bytes as binfmt's parsers see the file: the kept spans
// at their offsets, zeros between them. Only for a sparse capture.
func (c *capture) object(n int64) []byte {
	out := make([]byte, n)
	for _, s := range c.spans {
		if s.off < n {
			copy(out[s.off:], s.data[:min(int64(len(s.data)), n-s.off)])
		}
	}
	return out
}

// capturedNames are configuration files that checks read whole.
func capturedName(name string) bool {
	switch name {
	case "/etc/passwd", "/etc/group", "/etc/ld.so.cache", "/etc/ld.so.preload":
		return true
	}
	base := path.Base(name)
	return path.Dir(name) == "/etc" && strings.HasPrefix(base, "ld-musl-") && strings.HasSuffix(base, ".path")
}

// captureLocked decides, as the pass leaves the current entry, what to
// keep of its content, reading more of it from the stream if needed. It
// runs once per entry of the layer.
func (s *layerScan) captureLocked() error {
	live := s.live
	e := live.cur
	if e == nil || e.Ordinal < s.passed {
		return nil
	}
	s.passed = e.Ordinal + 1
	if e.Type != TypeRegular || e.Size == 0 || s.captureFull {
		return nil
	}
	whole := e.Size <= captureSmallBytes || capturedName(e.Name) && e.Size <= s.lim.MaxCaptureFileBytes
	// The first bytes say what the file is.
	if err := s.fillLocked(min(e.Size, captureHeadBytes)); err != nil {
		return err
	}
	head := live.curBuf
	var c *capture
	switch {
	case whole:
		if err := s.fillLocked(e.Size); err != nil {
			return err
		}
		if int64(len(live.curBuf)) < e.Size {
			return nil // cut short: the stream fails at the next header
		}
		c = &capture{size: e.Size, spans: []span{{0, bytes.Clone(live.curBuf[:e.Size])}}}
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		var err error
		if c, err = s.captureELFLocked(e); err != nil {
			return err
		}
	case e.Mode&0o111 != 0 || bytes.HasPrefix(head, []byte("#!")) || bytes.HasPrefix(head, []byte("MZ")):
		c = &capture{size: e.Size, spans: []span{{0, bytes.Clone(head)}}}
	}
	if c == nil {
		return nil
	}
	s.keepLocked(e.Ordinal, c)
	return nil
}

// keepLocked keeps c within the layer's and the Cache's bounds; past
// them nothing more of the layer is kept.
func (s *layerScan) keepLocked(ordinal int, c *capture) {
	n := c.bytes()
	if s.captureFull || s.captured+n > s.lim.MaxCaptureBytes || s.kept != nil && !s.kept.take(n) {
		s.captureFull = true
		return
	}
	s.captured += n
	s.captures[ordinal] = c
}

// captureELFLocked keeps an ELF file's header and extents, buffering the
// file as far as its extents need (at most MaxCaptureFileBytes beyond what
// was read already); past that it keeps the first bytes only.
func (s *layerScan) captureELFLocked(e *entry) (*capture, error) {
	live := s.live
	limit := max(s.lim.MaxCaptureFileBytes, int64(len(live.curBuf)))
	for {
		ext, need := binfmt.ELFExtents(live.curBuf, e.Size)
		if need == 0 {
			return elfCapture(e.Size, live.curBuf, ext), nil
		}
		if need > limit || need > e.Size {
			head := live.curBuf[:min(int64(len(live.curBuf)), captureHeadBytes)]
			return &capture{size: e.Size, spans: []span{{0, bytes.Clone(head)}}}, nil
		}
		if err := s.fillLocked(need); err != nil {
			return nil, err
		}
		if int64(len(live.curBuf)) < need {
			return nil, nil // cut short: the stream fails at the next header
		}
	}
}

// elfCapture copies the header and the extents out of data.
func elfCapture(size int64, data []byte, ext []binfmt.Extent) *capture {
	c := &capture{size: size, sparse: true}
	hdr := min(int64(len(data)), elfHeaderBytes)
	c.spans = append(c.spans, span{0, bytes.Clone(data[:hdr])})
	for _, x := range ext {
		off, end := max(x.Off, hdr), x.End()
		if off >= end {
			continue
		}
		last := &c.spans[len(c.spans)-1]
		if off == last.off+int64(len(last.data)) {
			last.data = append(last.data, data[off:end]...)
			continue
		}
		c.spans = append(c.spans, span{off, bytes.Clone(data[off:end])})
	}
	return c
}

// fillLocked reads the current entry's content from the stream until
// curBuf holds n bytes (or the entry ends).
func (s *layerScan) fillLocked(n int64) error {
	live := s.live
	need := n - int64(len(live.curBuf))
	if need <= 0 {
		return nil
	}
	have := len(live.curBuf)
	live.curBuf = slices.Grow(live.curBuf, int(need))
	got, err := io.ReadFull(readerFunc(live.walker.read), live.curBuf[have:have+int(need)])
	live.curBuf = live.curBuf[:have+got]
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return fmt.Errorf("reading %s in layer %s: %w", live.cur.Name, s.blob.digest, err)
	}
	return nil
}
