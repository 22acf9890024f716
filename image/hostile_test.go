package image

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/hostilereg"
	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/registry"
)

var linuxAMD64 = v1.Platform{OS: "linux", Architecture: "amd64"}

// lookupApp opens ref, selects linux/amd64 and looks up /app: the path a
// verify run takes to the entrypoint.
func lookupApp(ctx context.Context, ref string, opts Options) error {
	src, err := Open(ctx, ref, opts)
	if err != nil {
		return err
	}
	defer src.Close()
	img, err := src.Select(ctx, linuxAMD64)
	if err != nil {
		return err
	}
	f, err := img.Lookup(ctx, "/app")
	if err != nil {
		return err
	}
	if !f.Found {
		return errors.New("/app not found")
	}
	_, _, err = img.Identify(ctx, f)
	return err
}

func startHostile(t *testing.T) *hostilereg.Server {
	t.Helper()
	s := hostilereg.Start()
	t.Cleanup(s.Close)
	return s
}

func TestHostileSizesAndMediaTypes(t *testing.T) {
	s := startHostile(t)
	app := []byte("#!/bin/sh\necho hi\n")
	tests := []struct {
		name  string
		build func([]byte) (string, error)
		class error
		want  string
	}{
		{"config size", s.ConfigSizeLie, ErrMalformed, "size mismatch"},
		{"layer size", s.LayerSizeLie, ErrMalformed, "size mismatch"},
		{"index entry size", s.IndexEntrySizeLie, ErrMalformed, "size mismatch"},
		{"unknown media type", s.UnknownMediaType, ErrUnsupported, "application/vnd.example.layer.v1.tar+weird"},
		{"encrypted media type", s.EncryptedMediaType, ErrUnsupported, "+gzip+encrypted"},
	}
	good, err := s.Good(app)
	if err != nil {
		t.Fatal(err)
	}
	if err := lookupApp(t.Context(), good, Options{}); err != nil {
		t.Fatalf("control image: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref, err := tt.build(app)
			if err != nil {
				t.Fatal(err)
			}
			for _, strict := range []bool{false, true} {
				err = lookupApp(t.Context(), ref, Options{Strict: strict})
				if !errors.Is(err, tt.class) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("strict=%v: err = %v, want %v naming %q", strict, err, tt.class, tt.want)
				}
			}
			if tt.class == ErrMalformed {
				var sm *SizeMismatchError
				if !errors.As(err, &sm) {
					t.Errorf("err = %v, want a *SizeMismatchError", err)
				}
			}
			// The same content in an OCI layout is held to the same rules.
			dir := t.TempDir()
			repo := strings.TrimSuffix(strings.TrimPrefix(ref, s.Host+"/"), ":1")
			if err := s.WriteLayout(dir, repo, "1"); err != nil {
				t.Fatal(err)
			}
			if err := lookupApp(t.Context(), "oci:"+dir+":1", Options{}); !errors.Is(err, tt.class) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("layout: err = %v, want %v naming %q", err, tt.class, tt.want)
			}
		})
	}
}

// TestHostileChunkedLayerSizes: a layer served whole without a length is
// held to its declared size once it is read to the end (strict mode); a
// prefix read cannot tell, which its ReadPrefix mode says.
func TestHostileChunkedLayerSizes(t *testing.T) {
	s := startHostile(t)
	for _, delta := range []int64{-10, 10} {
		ref, err := s.ChunkedLayerSizeLie([]byte("#!/bin/sh\n"), delta)
		if err != nil {
			t.Fatal(err)
		}
		var sm *SizeMismatchError
		if err := lookupApp(t.Context(), ref, Options{Strict: true}); !errors.As(err, &sm) || sm.More != (delta < 0) {
			t.Errorf("delta %d, strict: err = %v, want a size mismatch", delta, err)
		}
	}
}

func TestHostileFanOut(t *testing.T) {
	s := startHostile(t)
	ref, err := s.FanOut(300, 300)
	if err != nil {
		t.Fatal(err)
	}
	src, err := Open(t.Context(), ref, Options{Limits: Limits{MaxDescriptors: 599}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Manifests(t.Context()); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "more than 599 descriptors") {
		t.Errorf("err = %v, want ErrLimit on descriptors", err)
	}
	// Within the bound, a repeated child is listed each time and its
	// children once.
	src, err = Open(t.Context(), ref, Options{Limits: Limits{MaxDescriptors: 600}})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := src.Manifests(t.Context())
	if err != nil || len(ms) != 600 {
		t.Fatalf("got %d manifests, %v; want 600", len(ms), err)
	}
	if _, err := src.Manifests(t.Context()); err != nil {
		t.Errorf("second listing: %v", err)
	}
}

func TestHostileDeepPaths(t *testing.T) {
	s := startHostile(t)
	app := []byte("#!/bin/sh\n")
	ref, err := s.DeepPaths(app, 10_000, 2_000)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = lookupApp(t.Context(), ref, Options{})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "deeper than 256") {
		t.Errorf("err = %v, want ErrLimit on path depth", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestHostileDeepPathsWithinDepthAreLinear(t *testing.T) {
	s := startHostile(t)
	ref, err := s.DeepPaths([]byte("#!/bin/sh\n"), 4_000, 250)
	if err != nil {
		t.Fatal(err)
	}
	// 4,000 entries of 250 new directories each: a million directories,
	// indexed in one pass over the names; within the default budgets.
	start := time.Now()
	if err := lookupApp(t.Context(), ref, Options{}); err != nil {
		t.Fatalf("lookup: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	// A layer budget below that ends the scan with ErrLimit.
	for _, lim := range []Limits{{MaxLayerIndexBytes: 16 << 20}, {MaxImageIndexBytes: 16 << 20}} {
		if err := lookupApp(t.Context(), ref, Options{Limits: lim}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "path index") {
			t.Errorf("%+v: err = %v, want ErrLimit on the path index", lim, err)
		}
	}
}

func TestHostileBombsShareABudget(t *testing.T) {
	s := startHostile(t)
	ref, err := s.Bombs([]byte("#!/bin/sh\n"), 3, 2) // three layers of 128 MiB
	if err != nil {
		t.Fatal(err)
	}
	lim := Limits{MaxLayerBytes: 200 << 20, MaxImageBytes: 300 << 20}
	if err := lookupApp(t.Context(), ref, Options{Limits: lim}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "decompress to more than") {
		t.Errorf("err = %v, want ErrLimit on the image's decompression budget", err)
	}
	lim.MaxImageBytes = 1 << 30
	if err := lookupApp(t.Context(), ref, Options{Limits: lim}); err != nil {
		t.Errorf("within the budget: %v", err)
	}
}

// A layer index that holds the bombs must not let the image pass: a run
// stores the layers it read in full before the budget ran out, so without
// charging restored layers the second or third run would pass. Each run
// fails as the first did, and charges less work, not less size.
func TestHostileBombsShareABudgetWarm(t *testing.T) {
	s := startHostile(t)
	ref, err := s.Bombs([]byte("#!/bin/sh\n"), 3, 2) // three layers of 128 MiB
	if err != nil {
		t.Fatal(err)
	}
	li, err := OpenLayerIndex(t.TempDir(), LayerIndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lim := Limits{MaxLayerBytes: 200 << 20, MaxImageBytes: 300 << 20}
	for run := range 3 {
		err := lookupApp(t.Context(), ref, Options{Limits: lim, LayerIndex: li})
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "decompress to more than") {
			t.Fatalf("run %d: err = %v, want ErrLimit on the image's decompression budget", run+1, err)
		}
	}
	if n := len(entryFiles(t, filepath.Dir(li.Dir()))); n == 0 {
		t.Fatal("no layer was stored: the warm runs were not warm")
	}
}

func TestHostileStallIsNotRetried(t *testing.T) {
	s := startHostile(t)
	s.DripInterval = 50 * time.Millisecond
	app := []byte("#!/bin/sh\n")
	stall := registry.StallLimits{Idle: 300 * time.Millisecond, MinRate: 1 << 10, Window: 500 * time.Millisecond}
	for _, build := range []func([]byte) (string, error){s.StallManifest, s.StallLayer, s.DripManifest, s.DripLayer} {
		ref, err := build(app)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		err = lookupApp(t.Context(), ref, Options{Registry: registry.Options{Stall: stall}})
		if !errors.Is(err, ErrNetwork) || !errors.Is(err, registry.ErrStalled) {
			t.Errorf("%s: err = %v, want a stalled transfer", ref, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v: a stalled body was fetched again", ref, d)
		}
	}
}

// TestLinkPathAllocatesPerSymlinkNotPerComponent: resolving a hard link
// target 250 directories deep built a string per directory (20,000 such
// links took 23 s); it now looks up prefixes of the one path.
func TestLinkPathAllocatesPerSymlinkNotPerComponent(t *testing.T) {
	s := newLayerScan(&blobState{}, nil, v1.Hash{}, Limits{}.withDefaults())
	deep := "/" + strings.TrimSuffix(strings.Repeat("component/", 250), "/")
	allocs := testing.AllocsPerRun(20, func() {
		if got, why := s.linkPathLocked(deep); got != deep || why != "" {
			t.Fatalf("got %q, %q", got, why)
		}
	})
	if allocs > 0 {
		t.Errorf("%v allocations per resolution, want none", allocs)
	}
	s.entries["/l"] = &entry{Name: "/l", Type: TypeSymlink, Link: "component"}
	if got, why := s.linkPathLocked("/l/x/y"); got != "/component/x/y" || why != "" {
		t.Errorf("through a symlink: got %q, %q", got, why)
	}
}

// A layer named by a digest of another algorithm than SHA-256 is never
// "verified": its digest was not checked.
func TestLayerOfUnsupportedDigestIsNotVerified(t *testing.T) {
	img := fuzzImage(imagetest.Tar(t, imagetest.File("etc/hostname", 0o644, []byte("a\n"))), Limits{})
	st := img.scans[0].blob
	st.digest = v1.Hash{Algorithm: "sha512", Hex: strings.Repeat("ab", 64)}
	if err := img.VerifyLayer(t.Context(), 0); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "sha512") {
		t.Errorf("VerifyLayer = %v, want ErrMalformed naming the algorithm", err)
	}
}
