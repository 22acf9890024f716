package image

import (
	"bytes"
	"context"
	"fmt"

	"github.com/imgcheck/imgcheck/image/binfmt"
)

// Identification read sizes: start with 4 KiB (ELF and PE headers, a #!
// line), grow to what binfmt asks for, never beyond 1 MiB.
const (
	identifyFirstRead = 4 << 10
	identifyMaxRead   = 1 << 20
)

// ReadMode says how much of a file's layer was checked.
type ReadMode string

// Read modes.
const (
	// ReadPrefix: only the first bytes were read; the layer digest could
	// not be checked.
	ReadPrefix ReadMode = "prefix-read"
	// ReadVerified: the whole layer was read and its digest and diff_id
	// checked.
	ReadVerified ReadMode = "verified"
)

// ReadInfo says what was read to identify a file.
type ReadInfo struct {
	Mode      ReadMode            `json:"mode"`
	BytesRead int64               `json:"bytesRead"` // of the file's content
	FileSize  int64               `json:"fileSize"`
	GoBuild   *binfmt.GoBuildInfo `json:"goBuildInfo,omitempty"` // strict mode, Go binaries
}

// Identify reads the first bytes of a found regular file and says what it
// is. In strict mode it reads the whole file (for Go build info) and the
// whole layer (to check its digest).
func (img *Image) Identify(ctx context.Context, f File) (binfmt.Info, ReadInfo, error) {
	ri := ReadInfo{Mode: ReadPrefix, FileSize: f.Size}
	if !f.Found {
		return binfmt.Info{}, ri, fmt.Errorf("%w: %s in %s: %s", ErrNotFound, f.Path, img.src.name, f.Detail)
	}
	if f.data == nil || f.data.Type != TypeRegular {
		// A directory or device has no content to identify; the caller
		// judges it by File.Type.
		return binfmt.Info{Kind: binfmt.KindUnknown}, ri, nil
	}
	scan := img.scans[f.dataLayer]
	want := int64(identifyFirstRead)
	if img.src.opts.Strict {
		want = f.data.Size
	}
	var info binfmt.Info
	for {
		// binfmt alone parses the bytes, unless strict mode reads Go build info.
		data, err := scan.readContent(ctx, f.data, want, !img.src.opts.Strict, &img.src.fetched)
		if err != nil {
			return info, ri, fmt.Errorf("reading %s in layer %d of %s: %w", f.Resolved, f.dataLayer, img.src.name, err)
		}
		ri.BytesRead = int64(len(data))
		info = binfmt.IdentifyPrefix(data, f.data.Size)
		if info.Need <= int64(len(data)) || int64(len(data)) >= f.data.Size || want >= identifyMaxRead {
			if img.src.opts.Strict {
				return img.identifyStrict(ctx, f, data, info, ri)
			}
			return info, ri, nil
		}
		want = min(max(info.Need, 2*want), identifyMaxRead)
	}
}

func (img *Image) identifyStrict(ctx context.Context, f File, data []byte, info binfmt.Info, ri ReadInfo) (binfmt.Info, ReadInfo, error) {
	if int64(len(data)) == f.data.Size && info.Kind == "elf" {
		gb, err := binfmt.ReadGoBuildInfo(bytes.NewReader(data), int64(len(data)))
		if err == nil {
			ri.GoBuild = gb
		}
	}
	if err := img.VerifyLayer(ctx, f.dataLayer); err != nil {
		return info, ri, err
	}
	ri.Mode = ReadVerified
	return info, ri, nil
}

// VerifyLayer reads layer i to the end and checks its digest and diff_id.
func (img *Image) VerifyLayer(ctx context.Context, i int) error {
	if i < 0 || i >= len(img.scans) {
		return fmt.Errorf("layer %d out of range", i)
	}
	if err := img.scans[i].readAll(ctx, &img.src.fetched); err != nil {
		return fmt.Errorf("verifying layer %d of %s: %w", i, img.src.name, err)
	}
	img.refreshLayerSizes()
	return nil
}

// ReadFile returns the content of a small file such as /etc/passwd,
// failing with ErrLimit when it is larger than max.
func (img *Image) ReadFile(ctx context.Context, name string, max int64) ([]byte, File, error) {
	f, err := img.Lookup(ctx, name)
	if err != nil {
		return nil, f, err
	}
	if !f.Found {
		return nil, f, fmt.Errorf("%w: %s in %s: %s", ErrNotFound, name, img.src.name, f.Detail)
	}
	if f.data == nil || f.data.Type != TypeRegular {
		return nil, f, fmt.Errorf("%w: %s in %s is a %s, not a regular file", ErrNotFound, name, img.src.name, f.Type)
	}
	if f.Size > max {
		return nil, f, fmt.Errorf("%w: %s is %d bytes, limit %d", ErrLimit, name, f.Size, max)
	}
	data, err := img.readWhole(ctx, f)
	return data, f, err
}

// readWhole returns all of a found regular file's content. Fewer bytes
// than the file has (MaxFileBytes reached) are an ErrLimit, never a
// shorter file that parses as something else.
func (img *Image) readWhole(ctx context.Context, f File) ([]byte, error) {
	data, err := img.scans[f.dataLayer].readContent(ctx, f.data, f.Size, false, &img.src.fetched)
	if err != nil {
		return nil, fmt.Errorf("reading %s in %s: %w", f.Path, img.src.name, err)
	}
	if int64(len(data)) != f.Size {
		return nil, fmt.Errorf("%w: read %d of the %d bytes of %s in %s (the per-file read limit)", ErrLimit, len(data), f.Size, f.Path, img.src.name)
	}
	return data, nil
}
