package build

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func randomArtifact(t *testing.T, name string) *Artifact {
	t.Helper()
	idx, err := random.Index(256, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return &Artifact{Package: Package{Name: name}, Index: idx, Digest: d}
}

// TestLayoutConcurrentBuilds: several builds publish into one layout while
// a reader parses index.json in a loop. The reader never sees a torn file,
// and every completed build's tag is in the final index with its blobs.
func TestLayoutConcurrentBuilds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	const writers, perWriter = 6, 8
	arts := make([][]*Artifact, writers)
	for w := range arts {
		for i := range perWriter {
			arts[w] = append(arts[w], randomArtifact(t, fmt.Sprintf("app%d", w*perWriter+i)))
		}
	}
	stop := make(chan struct{})
	var reads, torn atomic.Int64
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			reads.Add(1)
			var idx v1.IndexManifest
			if err != nil || json.Unmarshal(raw, &idx) != nil || idx.SchemaVersion != 2 {
				torn.Add(1)
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, art := range arts[w] {
				if _, err := (&LayoutPublisher{Dir: dir}).Publish(testContext(t), art, []string{"v1"}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("publish: %v", err)
	}
	if torn.Load() != 0 || reads.Load() == 0 {
		t.Fatalf("%d torn reads of index.json in %d", torn.Load(), reads.Load())
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	ii, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := ii.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]v1.Hash{}
	for _, d := range im.Manifests {
		names[d.Annotations[AnnotationRefName]] = d.Digest
	}
	for _, list := range arts {
		for _, art := range list {
			got, ok := names[art.Package.Name+":v1"]
			if !ok || got != art.Digest {
				t.Errorf("%s:v1 missing or wrong in index.json (got %v)", art.Package.Name, got)
				continue
			}
			child, err := ii.ImageIndex(art.Digest)
			if err != nil {
				t.Errorf("%s: %v", art.Package.Name, err)
				continue
			}
			if err := validateIndexBlobs(child); err != nil {
				t.Errorf("%s: %v", art.Package.Name, err)
			}
		}
	}
	t.Logf("%d reads of index.json during %d publishes, none torn", reads.Load(), writers*perWriter)
}

func validateIndexBlobs(ii v1.ImageIndex) error {
	im, err := ii.IndexManifest()
	if err != nil {
		return err
	}
	for _, d := range im.Manifests {
		img, err := ii.Image(d.Digest)
		if err != nil {
			return err
		}
		layers, err := img.Layers()
		if err != nil {
			return err
		}
		for _, l := range layers {
			rc, err := l.Compressed()
			if err != nil {
				return err
			}
			rc.Close()
		}
	}
	return nil
}

// failingLayer fails when its content is read, as a build can fail half
// way through writing blobs (a cancelled compile, a full disk).
type failingLayer struct{ v1.Layer }

func (failingLayer) Compressed() (io.ReadCloser, error) {
	return nil, errors.New("injected read failure")
}

// TestLayoutFailedPublishKeepsIndex: a publish that fails while writing
// blobs leaves index.json exactly as it was, and names what failed.
func TestLayoutFailedPublishKeepsIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := (&LayoutPublisher{Dir: dir}).Publish(testContext(t), randomArtifact(t, "first"), []string{"v1"}); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	good, err := random.Layer(64, types.OCILayer)
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, failingLayer{good})
	if err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&LayoutPublisher{Dir: dir}).Publish(testContext(t), &Artifact{Package: Package{Name: "second"}, Index: idx, Digest: d}, []string{"v1"})
	if err == nil || !strings.Contains(err.Error(), "injected read failure") || !strings.Contains(err.Error(), "second") {
		t.Fatalf("publish with a failing layer: %v, want the failure named", err)
	}
	after, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Errorf("index.json changed by a failed publish:\n%s\nwas\n%s", after, before)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "blobs", "sha256", ".*tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}
