package image

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// cacheFixture is the glibc image in a registry and a layer index dir.
type cacheFixture struct {
	reg    *imagetest.TestRegistry
	ref    string
	layers []v1.Hash
	dir    string
}

func newCacheFixture(t *testing.T) *cacheFixture {
	t.Helper()
	reg := imagetest.Registry(t)
	img := glibcImage(t)
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	fx := &cacheFixture{reg: reg, ref: reg.PushImage(t, "glibc:1", img), dir: t.TempDir()}
	for _, l := range ls {
		fx.layers = append(fx.layers, imagetest.Digest(t, l))
	}
	return fx
}

// index opens the fixture's directory as a run would, logging to log.
func (fx *cacheFixture) index(t *testing.T, log *bytes.Buffer) *LayerIndex {
	t.Helper()
	opts := LayerIndexOptions{}
	if log != nil {
		opts.Logger = slog.New(slog.NewTextHandler(log, nil))
	}
	li, err := OpenLayerIndex(fx.dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return li
}

// run asks the image everything, with li, and returns the answers, how
// each layer was read and the layer bytes the registry served.
func (fx *cacheFixture) run(t *testing.T, li *LayerIndex) (answers, []LayerRead, int64) {
	t.Helper()
	fx.reg.ResetLog()
	src, p := openPlatform(t, fx.ref, Options{LayerIndex: li}, "linux/amd64")
	a := askGlibcImage(t, p)
	var served int64
	for _, d := range fx.layers {
		_, b := fx.reg.BlobBytes(d)
		served += b
	}
	return a, src.Stats().Layers, served
}

func reads(ls []LayerRead) string {
	var parts []string
	for _, l := range ls {
		parts = append(parts, fmt.Sprintf("%s/%d", l.Read, l.Passes))
	}
	return strings.Join(parts, " ")
}

func entryFiles(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(filepath.Join(dir, "layers"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, filepath.Join(dir, "layers", de.Name()))
	}
	return out
}

// Cold, then warm: the same answers, and the warm run reads no layer.
func TestLayerIndexColdThenWarm(t *testing.T) {
	fx := newCacheFixture(t)
	cold, coldReads, coldBytes := fx.run(t, fx.index(t, nil))
	if got := reads(coldReads); got != "streamed/1 streamed/1" || coldBytes == 0 {
		t.Fatalf("cold: %s, %d bytes", got, coldBytes)
	}
	if n := len(entryFiles(t, fx.dir)); n != 2 {
		t.Fatalf("%d entries stored, want one per layer", n)
	}
	warm, warmReads, warmBytes := fx.run(t, fx.index(t, nil))
	if got := reads(warmReads); got != "cache/0 cache/0" || warmBytes != 0 {
		t.Errorf("warm: %s, %d layer bytes from the registry; want both from the cache, none", got, warmBytes)
	}
	if !reflect.DeepEqual(warm, cold) {
		t.Errorf("warm answers differ:\n warm %+v\n cold %+v", warm, cold)
	}
	// Content the pass did not keep is read from the layer again.
	src, p := openPlatform(t, fx.ref, Options{LayerIndex: fx.index(t, nil)}, "linux/amd64")
	data, _, err := p.ReadFile(t.Context(), "/usr/filler", 4<<20)
	if err != nil || len(data) != 3<<20 {
		t.Fatalf("filler: %d bytes, %v", len(data), err)
	}
	if got := reads(src.Stats().Layers); got != "cache/1 cache/0" {
		t.Errorf("reading content not kept: %s, want cache/1", got)
	}
}

// A layer read only part way (ko-style: the entrypoint's first bytes) is
// not stored; strict mode reads layers even when the index has them.
func TestLayerIndexStoresOnlyVerifiedLayers(t *testing.T) {
	fx := newCacheFixture(t)
	src, p := openPlatform(t, fx.ref, Options{LayerIndex: fx.index(t, nil)}, "linux/amd64")
	f, err := p.Lookup(t.Context(), "/app/server")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Identify(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	if got := reads(src.Stats().Layers); got != "skipped/0 partial/1" {
		t.Errorf("reads %s", got)
	}
	if files := entryFiles(t, fx.dir); len(files) != 0 {
		t.Errorf("stored %v for a layer read part way", files)
	}
	fx.run(t, fx.index(t, nil))
	src, p = openPlatform(t, fx.ref, Options{LayerIndex: fx.index(t, nil), Strict: true}, "linux/amd64")
	if err := p.VerifyLayer(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	if got := reads(src.Stats().Layers); got != "streamed/1 skipped/0" {
		t.Errorf("strict: %s, want the layer streamed", got)
	}
}

// Truncated, corrupted or foreign entries are ignored, the layer is read,
// and the entry is written again.
func TestLayerIndexDamagedEntries(t *testing.T) {
	damage := map[string]func([]byte) []byte{
		"truncated": func(b []byte) []byte { return b[:len(b)/2] },
		"empty":     func([]byte) []byte { return nil },
		"a bit flipped": func(b []byte) []byte {
			b = bytes.Clone(b)
			b[len(b)/3] ^= 0x10
			return b
		},
		"another format": func(b []byte) []byte { return append([]byte("imgcheck layer index 0\n"), b[len(indexFormat):]...) },
	}
	for name, f := range damage {
		t.Run(name, func(t *testing.T) {
			fx := newCacheFixture(t)
			cold, _, _ := fx.run(t, fx.index(t, nil))
			for _, p := range entryFiles(t, fx.dir) {
				raw, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, f(raw), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var log bytes.Buffer
			got, rd, served := fx.run(t, fx.index(t, &log))
			if r := reads(rd); r != "streamed/1 streamed/1" || served == 0 {
				t.Errorf("damaged entries: %s, %d bytes served; want both layers read", r, served)
			}
			if !reflect.DeepEqual(got, cold) {
				t.Errorf("answers differ after damage")
			}
			if !strings.Contains(log.String(), "damaged entry") {
				t.Errorf("not logged: %q", log.String())
			}
			if _, rd, served := fx.run(t, fx.index(t, nil)); reads(rd) != "cache/0 cache/0" || served != 0 {
				t.Errorf("after the rewrite: %s, %d bytes", reads(rd), served)
			}
		})
	}
}

// An entry is used only for the descriptor size, diff_id and limits it
// was read under.
func TestLayerIndexKeyedBySizeDiffIDAndLimits(t *testing.T) {
	fx := newCacheFixture(t)
	li := fx.index(t, nil)
	_, p0 := openPlatform(t, fx.ref, Options{LayerIndex: li}, "linux/amd64")
	if _, err := p0.Lookup(t.Context(), "/nowhere"); err != nil {
		t.Fatal(err)
	}
	base := p0.Layers[0]
	lim := Limits{}.withDefaults()
	other := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)}
	for _, tc := range []struct {
		name   string
		size   int64
		diffID v1.Hash
		want   bool
	}{
		{"as stored", base.Size, base.DiffID, true},
		{"another diff_id", base.Size, other, false},
		{"another size", base.Size + 1, base.DiffID, false},
	} {
		if got := li.load(base.Digest, tc.size, tc.diffID, lim) != nil; got != tc.want {
			t.Errorf("%s: served %v, want %v", tc.name, got, tc.want)
		}
	}
	src, p := openPlatform(t, fx.ref, Options{LayerIndex: li, Limits: Limits{MaxTarEntries: 100}}, "linux/amd64")
	if _, err := p.Lookup(t.Context(), "/nowhere"); err != nil {
		t.Fatal(err)
	}
	if got := reads(src.Stats().Layers); got != "streamed/1 streamed/1" {
		t.Errorf("other limits: %s, want the layers read", got)
	}
}

// Runs on one directory at the same time (a CI fleet, xargs -P) see a
// whole entry or none, and give the same answers.
func TestLayerIndexConcurrentRuns(t *testing.T) {
	fx := newCacheFixture(t)
	want, _, _ := fx.run(t, nil)
	const runs = 6
	var wg sync.WaitGroup
	results := make([]answers, runs)
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			li, err := OpenLayerIndex(fx.dir, LayerIndexOptions{}) // as separate processes: no shared state
			if err != nil {
				t.Error(err)
				return
			}
			_, p := openPlatform(t, fx.ref, Options{LayerIndex: li}, "linux/amd64")
			results[i] = askGlibcImage(t, p)
		}()
	}
	wg.Wait()
	for i, got := range results {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("run %d: answers differ", i)
		}
	}
	files := entryFiles(t, fx.dir)
	if len(files) != 2 {
		t.Fatalf("entries %v: want two, no temporary files left", files)
	}
	if _, rd, served := fx.run(t, fx.index(t, nil)); reads(rd) != "cache/0 cache/0" || served != 0 {
		t.Errorf("after concurrent runs: %s, %d bytes", reads(rd), served)
	}
}

// failingFS fails writes as a full disk or a read-only directory does.
type failingFS struct {
	osIndexFS
	create error // createTemp fails with it
	write  error // writes fail with it after half the data
}

type failingFile struct {
	*os.File
	err  error
	left int
}

func (f *failingFile) Write(p []byte) (int, error) {
	if len(p) > f.left {
		n, _ := f.File.Write(p[:f.left])
		f.left = 0
		return n, f.err
	}
	f.left -= len(p)
	return f.File.Write(p)
}

func (fs failingFS) createTemp(dir, pattern string) (tempFile, error) {
	if fs.create != nil {
		return nil, &os.PathError{Op: "open", Path: filepath.Join(dir, pattern), Err: fs.create}
	}
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return &failingFile{File: f, err: fs.write, left: 1000}, nil
}

// A full disk or a directory that cannot be written: logged once, the run
// goes on without the cache and answers as without it; no partial entry.
func TestLayerIndexWriteFailures(t *testing.T) {
	for name, fs := range map[string]failingFS{
		"full disk":    {write: syscall.ENOSPC},
		"not writable": {create: syscall.EACCES},
	} {
		t.Run(name, func(t *testing.T) {
			fx := newCacheFixture(t)
			want, _, _ := fx.run(t, nil)
			var log bytes.Buffer
			li := fx.index(t, &log)
			li.fs = fs
			got, rd, _ := fx.run(t, li)
			if !reflect.DeepEqual(got, want) || reads(rd) != "streamed/1 streamed/1" {
				t.Errorf("answers differ, or reads %s", reads(rd))
			}
			if n := strings.Count(log.String(), "cannot write"); n != 1 {
				t.Errorf("logged %d times: %q", n, log.String())
			}
			if files := entryFiles(t, fx.dir); len(files) != 0 {
				t.Errorf("left %v", files)
			}
		})
	}
	t.Run("no directory", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := OpenLayerIndex(filepath.Join(file, "cache"), LayerIndexOptions{}); !errors.Is(err, syscall.ENOTDIR) {
			t.Errorf("OpenLayerIndex under a file: %v", err)
		}
	})
}

// The directory stays under its bound, least recently used entries
// first; temporary files a crash left are removed once stale.
func TestLayerIndexEviction(t *testing.T) {
	dir := t.TempDir()
	lim := Limits{}.withDefaults()
	digest := func(i int) v1.Hash {
		return v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%064x", i)}
	}
	snap := func(i int) *layerSnapshot {
		return &layerSnapshot{Digest: digest(i).String(), DiffID: digest(100 + i).String(), Limits: limitsKey(lim), Seen: 1,
			Entries:  []snapEntry{{Name: "/f", Type: TypeRegular, Target: -1}},
			Captures: []snapCapture{{Ordinal: 0, Size: 600, Offsets: []int64{0}, Data: [][]byte{make([]byte, 600)}}}}
	}
	// Room for three entries and a half.
	raw, err := encodeSnapshot(snap(0))
	if err != nil {
		t.Fatal(err)
	}
	bound := int64(len(raw)) * 7 / 2
	li, err := OpenLayerIndex(dir, LayerIndexOptions{MaxBytes: bound})
	if err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(li.Dir(), "sha256-x"+indexExt+indexTempMark+"1")
	if err := os.WriteFile(stale, []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * indexStaleTemp)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		li.store(snap(i), digest(i))
		p, _ := li.path(digest(i))
		at := time.Now().Add(time.Duration(i-10) * time.Minute)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	if li.load(digest(0), 0, digest(100), lim) == nil { // used: now the most recent
		t.Fatal("entry 0 missing")
	}
	li.store(snap(3), digest(3))
	for i, want := range []bool{true, false, true, true} {
		if got := li.load(digest(i), 0, digest(100+i), lim) != nil; got != want {
			t.Errorf("entry %d kept: %v, want %v", i, got, want)
		}
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary file: %v", err)
	}
	var total int64
	for _, f := range entryFiles(t, dir) {
		fi, _ := os.Stat(f)
		total += fi.Size()
	}
	if total > bound {
		t.Errorf("%d bytes kept, bound %d", total, bound)
	}
}

var _ io.Writer = (*failingFile)(nil)

// Images sharing a Cache share a layer's scan only when their configs
// agree on its diff_id: a second config with a wrong diff_id is checked,
// not answered by the first image's verified read.
func TestCacheChecksEachConfigsDiffID(t *testing.T) {
	layer := imagetest.Layer(t, imagetest.File("etc/hostname", 0o644, []byte("a\n")))
	good := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Layers: []v1.Layer{layer}})
	cf, err := good.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.RootFS.DiffIDs[0] = v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)}
	bad, err := mutate.ConfigFile(good, cf)
	if err != nil {
		t.Fatal(err)
	}
	cache := NewCache()
	for _, tc := range []struct {
		name string
		img  v1.Image
		want bool // the layer verifies
	}{{"good", good, true}, {"bad", bad, false}} {
		src, err := FromImage(tc.name, tc.img, Options{Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		p, err := src.Select(t.Context(), v1.Platform{OS: "linux", Architecture: "amd64"})
		if err != nil {
			t.Fatal(err)
		}
		err = p.VerifyLayer(t.Context(), 0)
		var mismatch *DigestMismatchError
		if got := err == nil; got != tc.want || !tc.want && !errors.As(err, &mismatch) {
			t.Errorf("%s: VerifyLayer = %v, want verified %v", tc.name, err, tc.want)
		}
	}
}
