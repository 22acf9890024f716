package main

import (
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/imgcheck/imgcheck/internal/realimages"
)

// The real image of benchmark 4: an application on a Debian bookworm
// minbase base layer (made by debootstrap, cached between runs), for
// linux/amd64 and linux/arm64.
const (
	realSuite     = "bookworm"
	realAppPath   = "/app/server"
	realUser      = "nobody"
	realAssetSize = 1 << 20 // incompressible data next to the program: a 1.1 MB application layer
	realPath      = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)

// realProgram is the entrypoint: a C program linked dynamically against
// glibc, so that verify emulates the loader over the base layer.
const realProgram = `#include <stdio.h>
int main(void) { puts("bench application started"); return 0; }
`

// realArch is what differs between the two platforms of the real image:
// the compiler of realProgram, Debian's multiarch directory and glibc's
// loader.
type realArch struct{ compiler, triplet, loader string }

func realArchOf(arch string) realArch {
	if arch == "arm64" {
		return realArch{"aarch64-linux-gnu-gcc", "aarch64-linux-gnu", "ld-linux-aarch64.so.1"}
	}
	return realArch{"x86_64-linux-gnu-gcc", "x86_64-linux-gnu", "ld-linux-x86-64.so.2"}
}

// layerInfo is one layer pushed for benchmark 4.
type layerInfo struct {
	Digest string
	Size   int64
}

// realFixtures are the images of benchmark 4, pushed to the registry.
type realFixtures struct {
	Repo       string   // the application image
	NewRepo    string   // a new application layer on the same base
	FleetRepos []string // five applications on the same base
	// Layers by architecture: the base, the application's, the new one's.
	Base, App, NewApp map[string]layerInfo
	// Sizes of every layer pushed, by digest.
	Sizes map[string]int64
	// Files are what the checks read of each platform, by their paths in
	// the layers (the peers fetch these).
	Files map[string][]string
}

// realFiles are the files verify needs of the image for arch: the
// entrypoint, the loader and libc, the loader's cache, the user database
// and the health check's shell (dash).
func realFiles(arch string) []string {
	a := realArchOf(arch)
	lib := "/usr/lib/" + a.triplet + "/"
	return []string{realAppPath, lib + a.loader, lib + "libc.so.6", "/etc/ld.so.cache", "/etc/passwd", "/etc/group", "/usr/bin/dash"}
}

// buildRealFixtures makes the Debian bases (cached under the user cache
// directory by internal/realimages), compiles the application and pushes
// the images.
func buildRealFixtures(ctx context.Context, h *harness) (*realFixtures, error) {
	fx := &realFixtures{Repo: "bench/real-app:v1", NewRepo: "bench/real-app:v2",
		Base: map[string]layerInfo{}, App: map[string]layerInfo{}, NewApp: map[string]layerInfo{},
		Sizes: map[string]int64{}, Files: map[string][]string{}}
	bases := map[string]v1.Layer{}
	programs := map[string][]byte{}
	for _, arch := range []string{"amd64", "arm64"} {
		h.logf("benchmark 4: the Debian %s %s base (debootstrap, cached)", realSuite, arch)
		fs, err := realimages.BuildDebian(realimages.DebianTree{Suite: realSuite, Arch: arch})
		if err != nil {
			return nil, fmt.Errorf("the Debian %s base: %w", arch, err)
		}
		bases[arch] = fs.Layer
		if fx.Base[arch], err = describeLayer(fs.Layer); err != nil {
			return nil, err
		}
		if programs[arch], err = compileRealProgram(ctx, h, arch); err != nil {
			return nil, err
		}
		fx.Files[arch] = realFiles(arch)
	}
	push := func(repo string, seed uint64) (map[string]layerInfo, error) {
		images := map[string]v1.Image{}
		apps := map[string]layerInfo{}
		for arch, prog := range programs {
			app, err := gzipLayer(gzip.DefaultCompression, dirEntry("app"), fileEntry("app/server", 0o755, prog),
				fileEntry("app/assets.bin", 0o644, randomBytes(realAssetSize, seed+archSeed(arch))))
			if err != nil {
				return nil, err
			}
			if apps[arch], err = describeLayer(app); err != nil {
				return nil, err
			}
			if images[arch], err = realImage(arch, bases[arch], app); err != nil {
				return nil, err
			}
		}
		for _, l := range apps {
			fx.Sizes[l.Digest] = l.Size
		}
		return apps, h.pushIndex(ctx, repo, multiArch(images))
	}
	var err error
	if fx.App, err = push(fx.Repo, 100); err != nil {
		return nil, err
	}
	if fx.NewApp, err = push(fx.NewRepo, 200); err != nil {
		return nil, err
	}
	for i := range fleetImages {
		repo := fmt.Sprintf("bench/real-fleet-%d:v1", i)
		if _, err := push(repo, uint64(300+10*i)); err != nil {
			return nil, err
		}
		fx.FleetRepos = append(fx.FleetRepos, repo)
	}
	for _, l := range fx.Base {
		fx.Sizes[l.Digest] = l.Size
	}
	return fx, nil
}

func archSeed(arch string) uint64 {
	if arch == "arm64" {
		return 1
	}
	return 0
}

func describeLayer(l v1.Layer) (layerInfo, error) {
	d, err := l.Digest()
	if err != nil {
		return layerInfo{}, err
	}
	size, err := l.Size()
	if err != nil {
		return layerInfo{}, err
	}
	return layerInfo{Digest: d.String(), Size: size}, nil
}

// realImage is the application image for arch: Debian's PATH, user
// nobody, the program as entrypoint.
func realImage(arch string, layers ...v1.Layer) (v1.Image, error) {
	img, err := platformImage(arch, []string{realAppPath}, layers...)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Config.Env = []string{realPath}
	cf.Config.User = realUser
	return mutate.ConfigFile(img, cf)
}

// compileRealProgram compiles realProgram for linux/arch.
func compileRealProgram(ctx context.Context, h *harness, arch string) ([]byte, error) {
	dir := filepath.Join(h.work, "real-program-"+arch)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	src, out := filepath.Join(dir, "server.c"), filepath.Join(dir, "server")
	if err := os.WriteFile(src, []byte(realProgram), 0o644); err != nil {
		return nil, err
	}
	cc := realArchOf(arch).compiler
	res, err := h.exec(ctx, execSpec{Dir: dir, Env: os.Environ(), Argv: []string{cc, "-O2", "-o", out, src}})
	if err != nil {
		return nil, err
	}
	if res.Exit != 0 {
		return nil, fmt.Errorf("compiling the application for %s with %s (run .ci/install-tools): exit %d: %s", arch, cc, res.Exit, res.Stderr)
	}
	return os.ReadFile(out)
}
