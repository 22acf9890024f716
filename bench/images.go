package main

import (
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// binaryName is the entrypoint of every test image, where ko puts it.
const binaryName = "sample-server"

// binaryPath is the entrypoint inside the images.
const binaryPath = "/ko-app/" + binaryName

// probeImage is one image of benchmark 1.
type probeImage struct {
	Key         string // a, b, c
	Description string
	Repo        string // repository path without host, with tag
	BinaryBytes int64  // size of the arm64 binary
}

// layerSizes are the sizes of the incompressible layers of images (b) and
// (c); the harness's own tests make them small.
type layerSizes struct{ big, upper int }

var defaultLayerSizes = layerSizes{big: 60 << 20, upper: 20 << 20}

// fixtures are the images the benchmarks read, pushed to the registry.
type fixtures struct {
	Probes     []probeImage
	BaseRepo   string   // the static base index, for the build benchmark
	FleetRepos []string // five multi-arch images sharing the base layer
	BinarySize map[string]int64
}

// compileSampleServer cross-compiles the repository's sample server, a real
// Go service binary, for linux/arch (static, like ko builds it; without
// symbols, which puts it in the 6-10 MB range of a typical service).
func compileSampleServer(ctx context.Context, h *harness, arch string) ([]byte, error) {
	out := filepath.Join(h.work, "bin", "sample-server-"+arch)
	env := append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0")
	res, err := h.exec(ctx, execSpec{
		Dir: h.repo, Env: env,
		Argv: []string{"go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./sample-server"},
	})
	if err != nil {
		return nil, fmt.Errorf("compiling sample-server for %s: %w", arch, err)
	}
	if res.Exit != 0 {
		return nil, fmt.Errorf("compiling sample-server for %s: exit %d: %s", arch, res.Exit, res.Stderr)
	}
	return os.ReadFile(out)
}

// buildFixtures makes and pushes the images the benchmarks read: the base,
// the three probe images and, withFleet, the five fleet images.
func buildFixtures(ctx context.Context, h *harness, withFleet bool) (*fixtures, error) {
	bins := map[string][]byte{}
	for _, arch := range []string{"amd64", "arm64"} {
		b, err := compileSampleServer(ctx, h, arch)
		if err != nil {
			return nil, err
		}
		bins[arch] = b
	}
	base, err := staticBaseLayer()
	if err != nil {
		return nil, fmt.Errorf("static base layer: %w", err)
	}
	big, err := gzipLayer(gzip.BestSpeed, dirEntry("opt"), fileEntry("opt/base-assets.bin", 0o644, randomBytes(h.sizes.big, 1)))
	if err != nil {
		return nil, err
	}
	upper, err := gzipLayer(gzip.BestSpeed, dirEntry("srv"), fileEntry("srv/assets.bin", 0o644, randomBytes(h.sizes.upper, 2)))
	if err != nil {
		return nil, err
	}
	fx := &fixtures{BaseRepo: "bench/static:base", BinarySize: map[string]int64{}}
	for arch, b := range bins {
		fx.BinarySize[arch] = int64(len(b))
	}
	baseImages := map[string]v1.Image{}
	for arch := range bins {
		if baseImages[arch], err = platformImage(arch, nil, base); err != nil {
			return nil, err
		}
	}
	if err := h.pushIndex(ctx, fx.BaseRepo, multiArch(baseImages)); err != nil {
		return nil, err
	}
	layouts := []struct {
		key, desc string
		stack     func(app v1.Layer) []v1.Layer
	}{
		{"a", "ko-style: static base, binary in the top layer", func(app v1.Layer) []v1.Layer { return []v1.Layer{base, app} }},
		{"b", "as (a) over a 60 MB incompressible base layer", func(app v1.Layer) []v1.Layer { return []v1.Layer{base, big, app} }},
		{"c", "binary in a lower layer under a 20 MB incompressible upper layer", func(app v1.Layer) []v1.Layer { return []v1.Layer{base, app, upper} }},
	}
	apps := map[string]v1.Layer{}
	for arch, b := range bins {
		if apps[arch], err = appLayer(binaryName, b, ""); err != nil {
			return nil, err
		}
	}
	for _, l := range layouts {
		images := map[string]v1.Image{}
		for arch := range bins {
			if images[arch], err = platformImage(arch, []string{binaryPath}, l.stack(apps[arch])...); err != nil {
				return nil, err
			}
		}
		p := probeImage{Key: l.key, Description: l.desc, Repo: "bench/probe-" + l.key + ":v1", BinaryBytes: int64(len(bins["arm64"]))}
		if err := h.pushIndex(ctx, p.Repo, multiArch(images)); err != nil {
			return nil, err
		}
		fx.Probes = append(fx.Probes, p)
	}
	if !withFleet {
		return fx, nil
	}
	for i := range fleetImages {
		images := map[string]v1.Image{}
		for arch, b := range bins {
			app, err := appLayer(binaryName, b, fmt.Sprintf("fleet-app-%d", i))
			if err != nil {
				return nil, err
			}
			if images[arch], err = platformImage(arch, []string{binaryPath}, base, app); err != nil {
				return nil, err
			}
		}
		repo := fmt.Sprintf("bench/fleet-%d:v1", i)
		if err := h.pushIndex(ctx, repo, multiArch(images)); err != nil {
			return nil, err
		}
		fx.FleetRepos = append(fx.FleetRepos, repo)
	}
	return fx, nil
}

// pushIndex writes idx straight to the registry (not through the counting
// proxy: setup traffic is not measured).
func (h *harness) pushIndex(ctx context.Context, repoTag string, idx v1.ImageIndex) error {
	ref, err := name.ParseReference(h.reg.Host+"/"+repoTag, name.Insecure)
	if err != nil {
		return err
	}
	if err := remote.WriteIndex(ref, idx, remote.WithContext(ctx)); err != nil {
		return fmt.Errorf("pushing %s: %w", ref, err)
	}
	return nil
}
