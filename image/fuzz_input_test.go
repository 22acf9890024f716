package image

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// FuzzParseContentRange: what parses is one consistent range, and it
// prints back to the header it came from.
func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{"bytes 0-65535/1048576", "bytes 10-19/*", "bytes 0-0/1", "bytes 5-4/10", "bytes 0-9/5", "bytes -1-2/3", "bytes 00-1/2", "bytes 0-9223372036854775807/*", "items 0-1/2", "bytes 1-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cr, err := parseContentRange(s)
		if err != nil {
			return
		}
		if cr.start < 0 || cr.end < cr.start || cr.total < -1 || (cr.total >= 0 && cr.end >= cr.total) {
			t.Fatalf("%q parsed to an inconsistent range %+v", s, cr)
		}
		total := "*"
		if cr.total >= 0 {
			total = strconv.FormatInt(cr.total, 10)
		}
		again, err := parseContentRange("bytes " + strconv.FormatInt(cr.start, 10) + "-" + strconv.FormatInt(cr.end, 10) + "/" + total)
		if err != nil || again != cr {
			t.Fatalf("%q: %+v does not print back (%+v, %v)", s, cr, again, err)
		}
	})
}

// FuzzOpenArchive opens arbitrary bytes as "tarball:FILE" (an OCI archive
// or a docker save archive) and reads what it offers: every failure is a
// classified error, never a panic or a hang.
func FuzzOpenArchive(f *testing.F) {
	img := imagetest.Image(f, imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Entrypoint: []string{"/bin/sh"},
		Layers: []v1.Layer{imagetest.Layer(f, imagetest.File("bin/sh", 0o755, []byte("#!/bin/sh\n")), imagetest.Symlink("sh2", "bin/sh"))}})
	dir := f.TempDir()
	for _, file := range []string{
		imagetest.WriteOCIArchive(f, filepath.Join(dir, "oci.tar"), imagetest.Index(f, false, imagetest.Child{Image: img})),
		imagetest.WriteDockerTarball(f, dir, img),
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	lim := Limits{MaxTarEntries: 200, MaxLayerBytes: 1 << 20, MaxManifestBytes: 64 << 10, MaxConfigBytes: 64 << 10}
	f.Fuzz(func(t *testing.T, archive []byte) {
		file := filepath.Join(t.TempDir(), "a.tar")
		if err := os.WriteFile(file, archive, 0o644); err != nil {
			t.Fatal(err)
		}
		src, err := Open(t.Context(), "tarball:"+file, Options{Limits: lim})
		if err != nil {
			mustBeClassified(t, err)
			return
		}
		defer src.Close()
		ms, err := src.Manifests(t.Context())
		if err != nil {
			mustBeClassified(t, err)
			return
		}
		for _, m := range ms {
			if m.Kind != KindRunnable {
				continue
			}
			im, err := src.OpenManifest(t.Context(), m)
			if err != nil {
				mustBeClassified(t, err)
				continue
			}
			fl, err := im.Lookup(t.Context(), "/bin/sh")
			if err != nil {
				mustBeClassified(t, err)
				continue
			}
			if fl.Found && fl.Type == TypeRegular {
				if _, _, err := im.Identify(t.Context(), fl); err != nil {
					mustBeClassified(t, err)
				}
			}
		}
	})
}

func mustBeClassified(t *testing.T, err error) {
	t.Helper()
	var hl *HardLinkError
	if !isClassified(err) && !errors.As(err, &hl) {
		t.Fatalf("unclassified error: %v", err)
	}
}
