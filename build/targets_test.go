package build

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// wantELF maps a platform to the machine its binary must have.
var wantELF = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}

// checkBuiltIndex validates an index from any target and checks the
// binary of every platform with debug/elf.
func checkBuiltIndex(t *testing.T, where string, idx v1.ImageIndex, binName string) {
	t.Helper()
	if err := validate.Index(idx); err != nil {
		t.Fatalf("%s: validate.Index: %v", where, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range im.Manifests {
		got = append(got, d.Platform.String())
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		h, data := fileFromImage(t, img, AppDir+"/"+binName)
		if h.Mode != 0o755 || h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s %s: binary header mode %o uid %d gid %d", where, d.Platform, h.Mode, h.Uid, h.Gid)
		}
		f, err := elf.NewFile(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s %s: %v", where, d.Platform, err)
		}
		if f.Machine != wantELF[d.Platform.Architecture] {
			t.Errorf("%s %s: ELF machine %s, want %s", where, d.Platform, f.Machine, wantELF[d.Platform.Architecture])
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("%s %s: binary is dynamic", where, d.Platform)
			}
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{AppDir + "/" + binName}; !slices.Equal(cfg.Config.Entrypoint, want) {
			t.Errorf("%s: entrypoint %v, want %v", where, cfg.Config.Entrypoint, want)
		}
		if !slices.Contains(cfg.Config.Env, "KO_DATA_PATH="+KoDataPath) || !strings.Contains(strings.Join(cfg.Config.Env, " "), ":"+AppDir) {
			t.Errorf("%s: env %v lacks KO_DATA_PATH or /ko-app on PATH", where, cfg.Config.Env)
		}
		if cfg.Config.User != "65532" {
			t.Errorf("%s: user %q, want 65532 from the static base", where, cfg.Config.User)
		}
	}
	if want := []string{"linux/amd64", "linux/arm64"}; !slices.Equal(got, want) {
		t.Errorf("%s: index platforms %v, want %v", where, got, want)
	}
}

func newTestBuilder(dir string, compiler Compiler) *Builder {
	return &Builder{
		WorkDir:   dir,
		Environ:   append(os.Environ(), "SOURCE_DATE_EPOCH=1700000000"),
		Platforms: []string{"linux/amd64,linux/arm64"},
		Jobs:      2,
		SBOM:      true,
		Compiler:  compiler,
	}
}

func TestBuildToRegistryLayoutAndTarball(t *testing.T) {
	ctx := testContext(t)
	packages := []struct{ workDir, arg, name string }{{helloModule(t), ".", "hello"}}
	if _, err := os.Stat("../sample-server/main.go"); err == nil {
		abs, _ := filepath.Abs("..")
		packages = append(packages, struct{ workDir, arg, name string }{abs, "./sample-server", "sample-server"})
	}
	for _, pkg := range packages {
		t.Run(pkg.name, func(t *testing.T) {
			host, _ := startRegistry(t)
			out := t.TempDir()
			layoutDir, tarFile := filepath.Join(out, "layout"), filepath.Join(out, "image.tar")
			b := newTestBuilder(pkg.workDir, fixtures.compiler)
			pubs := []Publisher{
				&RegistryPublisher{Repository: func(p Package) (name.Repository, error) {
					return RepositoryFor(host+"/team", p, false, name.Insecure)
				}},
				&LayoutPublisher{Dir: layoutDir},
				&TarballPublisher{File: tarFile},
			}
			results, err := b.BuildAndPublish(ctx, []string{pkg.arg}, []string{"v1", "latest"}, pubs)
			if err != nil {
				t.Fatal(err)
			}
			if len(results) != 1 || len(results[0].Refs) != 3 {
				t.Fatalf("results = %+v", results)
			}
			digest := results[0].Digest
			wantRefs := []string{host + "/team/" + pkg.name + "@" + digest, "oci:" + layoutDir + "@" + digest, "tarball:" + tarFile + "@" + digest}
			if !slices.Equal(results[0].Refs, wantRefs) {
				t.Errorf("refs = %v, want %v", results[0].Refs, wantRefs)
			}

			ref, _ := name.ParseReference(host+"/team/"+pkg.name+":v1", name.Insecure)
			ridx, err := remote.Index(ref)
			if err != nil {
				t.Fatal(err)
			}
			checkBuiltIndex(t, "registry", ridx, pkg.name)

			h, _ := v1.NewHash(digest)
			lidx, err := LayoutIndex(layoutDir, h)
			if err != nil {
				t.Fatal(err)
			}
			checkBuiltIndex(t, "layout", lidx, pkg.name)

			untarred := untar(t, tarFile)
			tp, err := layout.FromPath(untarred)
			if err != nil {
				t.Fatal(err)
			}
			top, err := tp.ImageIndex()
			if err != nil {
				t.Fatal(err)
			}
			tm, _ := top.IndexManifest()
			if len(tm.Manifests) != 1 || tm.Manifests[0].Annotations[AnnotationRefName] != pkg.name+":v1" {
				t.Fatalf("tarball index.json = %+v, want one entry named %s:v1", tm.Manifests, pkg.name)
			}
			tidx, err := top.ImageIndex(h)
			if err != nil {
				t.Fatal(err)
			}
			checkBuiltIndex(t, "tarball", tidx, pkg.name)
		})
	}
}

func untar(t *testing.T, file string) string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dir := t.TempDir()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return dir
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
