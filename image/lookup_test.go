package image

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// openers serve one image from every kind of source, so each lookup is
// checked against the registry, an OCI layout, a docker tarball and memory.
func sources(t *testing.T) map[string]func(t *testing.T) *Image {
	img := filesystemImage(t)
	reg := imagetest.Registry(t)
	ref := reg.PushImage(t, "fs:latest", img)
	layoutDir := imagetest.WriteLayoutImage(t, filepath.Join(t.TempDir(), "layout"), "v1", img)
	tarFile := imagetest.WriteDockerTarball(t, t.TempDir(), img)
	open := func(t *testing.T, r string) *Image {
		_, p := openPlatform(t, r, Options{}, "linux/arm64")
		return p
	}
	return map[string]func(t *testing.T) *Image{
		"registry": func(t *testing.T) *Image { return open(t, ref) },
		"layout":   func(t *testing.T) *Image { return open(t, "oci:"+layoutDir+":v1") },
		"tarball":  func(t *testing.T) *Image { return open(t, "tarball:"+tarFile) },
		"memory": func(t *testing.T) *Image {
			src, err := FromImage("mem", img, Options{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := src.Select(t.Context(), mustPlatform(t, "linux/arm64"))
			if err != nil {
				t.Fatal(err)
			}
			return p
		},
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		path         string
		wantFound    bool
		wantResolved string
		wantLayer    int
		wantType     EntryType
		wantReason   NotFoundReason
		wantChain    int
		wantWhiteout int
	}{
		{path: "/usr/bin/tool", wantFound: true, wantResolved: "/usr/bin/tool", wantLayer: 0, wantType: TypeRegular},
		{path: "/app/new", wantFound: true, wantResolved: "/app/new", wantLayer: 1, wantType: TypeRegular},
		{path: "/app/old", wantReason: ReasonWhiteout, wantWhiteout: 1},
		{path: "/opt/data/a", wantReason: ReasonOpaque},
		{path: "/opt/data/b", wantFound: true, wantResolved: "/opt/data/b", wantLayer: 1, wantType: TypeRegular},
		{path: "/opt/data", wantFound: true, wantResolved: "/opt/data", wantLayer: 1, wantType: TypeDir},
		{path: "/loop1", wantReason: ReasonSymlinkLoop, wantChain: MaxSymlinks + 1},
		{path: "/dangling", wantReason: ReasonDangling, wantChain: 1},
		{path: "/abs", wantFound: true, wantResolved: "/usr/bin/tool", wantType: TypeRegular, wantChain: 1},
		{path: "/chain1", wantFound: true, wantResolved: "/usr/bin/tool", wantType: TypeRegular, wantChain: 2},
		{path: "/usr/local/bin/relink", wantFound: true, wantResolved: "/bin/sh", wantType: TypeRegular, wantChain: 1},
		{path: "/escape", wantFound: true, wantResolved: "/usr/bin/tool", wantType: TypeRegular, wantChain: 1},
		{path: "../../usr/bin/tool", wantFound: true, wantResolved: "/usr/bin/tool", wantType: TypeRegular},
		{path: "/notdir/x", wantReason: ReasonNotDir},
		{path: "/bin/hard", wantFound: true, wantResolved: "/bin/hard", wantType: TypeRegular}, // a hard link reads as its target
		{path: "/missing", wantReason: ReasonNoSuchFile},
		{path: "/", wantFound: true, wantResolved: "/", wantType: TypeDir},
	}
	for name, open := range sources(t) {
		t.Run(name, func(t *testing.T) {
			p := open(t)
			for _, tt := range tests {
				f, err := p.Lookup(t.Context(), tt.path)
				if err != nil {
					t.Fatalf("Lookup(%s): %v", tt.path, err)
				}
				if f.Found != tt.wantFound || f.Reason != tt.wantReason {
					t.Errorf("Lookup(%s): found=%v reason=%q (%s), want found=%v reason=%q", tt.path, f.Found, f.Reason, f.Detail, tt.wantFound, tt.wantReason)
					continue
				}
				if len(f.Chain) != tt.wantChain {
					t.Errorf("Lookup(%s): chain %v, want %d links", tt.path, f.Chain, tt.wantChain)
				}
				if tt.wantReason == ReasonWhiteout && f.WhiteoutLayer != tt.wantWhiteout {
					t.Errorf("Lookup(%s): whiteout layer %d, want %d", tt.path, f.WhiteoutLayer, tt.wantWhiteout)
				}
				if !f.Found {
					if len(f.LayersSearched) == 0 || f.Detail == "" {
						t.Errorf("Lookup(%s): not found without layers searched or detail: %+v", tt.path, f)
					}
					continue
				}
				if f.Resolved != tt.wantResolved || f.Type != tt.wantType {
					t.Errorf("Lookup(%s): resolved %s type %s, want %s %s", tt.path, f.Resolved, f.Type, tt.wantResolved, tt.wantType)
				}
				if tt.wantType == TypeRegular && tt.wantResolved != "/" && f.Layer != tt.wantLayer && tt.wantChain == 0 {
					t.Errorf("Lookup(%s): layer %d, want %d", tt.path, f.Layer, tt.wantLayer)
				}
			}
			// A hard link reads as its target.
			hard, _ := p.Lookup(t.Context(), "/bin/hard")
			info, _, err := p.Identify(t.Context(), hard)
			if err != nil || info.ScriptInterpreter != "/bin/busybox" {
				t.Errorf("Identify(hard link): %+v, %v", info, err)
			}
			data, _, err := p.ReadFile(t.Context(), "/etc/passwd", 4096)
			if err != nil || len(data) == 0 || data[0] != 'r' {
				t.Errorf("ReadFile(/etc/passwd) = %q, %v", data, err)
			}
			if _, _, err := p.ReadFile(t.Context(), "/etc/passwd", 10); err == nil {
				t.Errorf("ReadFile over the limit should fail")
			}
		})
	}
}

func TestResolveCommand(t *testing.T) {
	p := sources(t)["layout"](t)
	tests := []struct {
		argv0, workDir, pathEnv string
		wantResolved            string
		wantReason              NotFoundReason
		wantExec                bool
	}{
		{argv0: "tool", wantResolved: "/usr/bin/tool", wantExec: true},
		{argv0: "sh", pathEnv: "/usr/local/bin:/bin", wantResolved: "/bin/sh", wantExec: true},
		{argv0: "relink", pathEnv: "/usr/local/bin", wantResolved: "/bin/sh", wantExec: true},
		{argv0: "./tool", workDir: "/usr/bin", wantResolved: "/usr/bin/tool", wantExec: true},
		{argv0: "bin/sh", workDir: "/", wantResolved: "/bin/sh", wantExec: true},
		{argv0: "noexec", pathEnv: "/data", wantResolved: "/data/noexec", wantExec: false},
		{argv0: "nope", wantReason: ReasonNotInPath},
		{argv0: "old", pathEnv: "/app", wantReason: ReasonNotInPath},
		{argv0: "/app/old", wantReason: ReasonWhiteout},
		{argv0: "", wantReason: ReasonNoSuchFile},
	}
	for _, tt := range tests {
		f, err := p.ResolveCommand(context.Background(), tt.argv0, tt.workDir, tt.pathEnv)
		if err != nil {
			t.Fatalf("ResolveCommand(%q): %v", tt.argv0, err)
		}
		if tt.wantReason != "" {
			if f.Found || f.Reason != tt.wantReason {
				t.Errorf("ResolveCommand(%q): found=%v reason=%q, want %q", tt.argv0, f.Found, f.Reason, tt.wantReason)
			}
			continue
		}
		if !f.Found || f.Resolved != tt.wantResolved || f.Executable() != tt.wantExec {
			t.Errorf("ResolveCommand(%q): %+v, want %s exec=%v", tt.argv0, f, tt.wantResolved, tt.wantExec)
		}
	}
	nf, _ := p.ResolveCommand(t.Context(), "nope", "", "")
	if !slices.Contains(nf.LayersSearched, 0) || !slices.Contains(nf.LayersSearched, 1) {
		t.Errorf("PATH search should say which layers it searched: %v", nf.LayersSearched)
	}
}

func TestIdentifyNonRegular(t *testing.T) {
	p := sources(t)["memory"](t)
	dir, err := p.Lookup(t.Context(), "/usr/bin")
	if err != nil || !dir.Found {
		t.Fatal(dir, err)
	}
	info, _, err := p.Identify(t.Context(), dir)
	if err != nil || info.Kind != "unknown" {
		t.Errorf("directory: %+v, %v", info, err)
	}
	missing, _ := p.Lookup(t.Context(), "/missing")
	if _, _, err := p.Identify(t.Context(), missing); err == nil {
		t.Errorf("identifying a file that was not found should fail")
	}
}

// verify checks containers and platforms concurrently over one Cache.
func TestConcurrentLookupsShareOneCache(t *testing.T) {
	img := filesystemImage(t)
	reg := imagetest.Registry(t)
	ref := reg.PushImage(t, "conc:1", img)
	cache := NewCache()
	defer cache.Close()
	paths := []string{"/usr/bin/tool", "/app/new", "/bin/hard", "/chain1", "/app/old", "/etc/passwd", "/loop1"}
	errs := make(chan error, 16)
	for g := range 8 {
		go func() {
			src, err := Open(t.Context(), ref, Options{Cache: cache})
			if err != nil {
				errs <- err
				return
			}
			p, err := src.Select(t.Context(), mustPlatform(t, "linux/arm64"))
			if err != nil {
				errs <- err
				return
			}
			for i := range paths {
				f, err := p.Lookup(t.Context(), paths[(i+g)%len(paths)])
				if err != nil {
					errs <- err
					return
				}
				if f.Found && f.Type != TypeDir {
					if _, _, err := p.Identify(t.Context(), f); err != nil {
						errs <- err
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
