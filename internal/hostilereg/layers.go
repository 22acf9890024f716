package hostilereg

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// File is a regular file of a layer.
type File struct {
	Name string
	Mode int64
	Data []byte
}

// TarGz returns a gzip-compressed tar of the files and its diff_id.
func TarGz(files ...File) (blob []byte, diffID string, err error) {
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.Name, Mode: f.Mode, Size: int64(len(f.Data)), Typeflag: tar.TypeReg}); err != nil {
			return nil, "", err
		}
		if _, err := tw.Write(f.Data); err != nil {
			return nil, "", err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	blob, err = gzipBytes(tb.Bytes())
	return blob, Digest(tb.Bytes()), err
}

// DeepPaths is a layer of n empty files, each depth components deep and
// each under its own top directory, so that every entry implies depth new
// directories (the layer that took minutes and a gigabyte to index).
func DeepPaths(n, depth int) (blob []byte, diffID string, err error) {
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	middle := strings.Repeat("a/", max(depth-2, 0))
	for i := range n {
		name := fmt.Sprintf("d%d/%sf", i, middle)
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			return nil, "", err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	blob, err = gzipBytes(tb.Bytes())
	return blob, Digest(tb.Bytes()), err
}

// BombChunkBytes is how many zeros ZeroChunk compresses.
const BombChunkBytes = 64 << 20

// ZeroChunk is one gzip member of BombChunkBytes zeros, at the best ratio
// deflate has (about 1030:1, within the per-layer ratio bound).
func ZeroChunk() ([]byte, error) {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	zeros := make([]byte, 1<<20)
	for range BombChunkBytes / len(zeros) {
		if _, err := zw.Write(zeros); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Bomb is a gzip layer holding one file of chunks*BombChunkBytes zeros,
// built from gzip members (a reader concatenates them): a tar header, the
// zero chunks, and the end-of-archive blocks. Its diff_id is true, so a
// reader that gets to the end of one bomb goes on to the next.
func Bomb(chunk []byte, chunks int) (blob []byte, diffID string, err error) {
	var hdr bytes.Buffer
	tw := tar.NewWriter(&hdr)
	if err := tw.WriteHeader(&tar.Header{Name: "zeros", Mode: 0o644, Size: int64(chunks) * BombChunkBytes, Typeflag: tar.TypeReg}); err != nil {
		return nil, "", err
	}
	head, err := gzipBytes(hdr.Bytes()) // the header block only: the writer is not closed
	if err != nil {
		return nil, "", err
	}
	end, err := gzipBytes(make([]byte, 1024))
	if err != nil {
		return nil, "", err
	}
	out := append([]byte{}, head...)
	for range chunks {
		out = append(out, chunk...)
	}
	h := sha256.New()
	h.Write(hdr.Bytes())
	zeros := make([]byte, 1<<20)
	for range chunks * BombChunkBytes / len(zeros) {
		h.Write(zeros)
	}
	h.Write(zeros[:1024]) // the end-of-archive blocks
	return append(out, end...), "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

func gzipBytes(b []byte) ([]byte, error) {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
