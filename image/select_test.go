package image

import (
	"errors"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/platform"
)

func mustPlatform(t *testing.T, s string) v1.Platform {
	t.Helper()
	p, err := platform.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// openPlatform opens ref and selects its image for platform ("linux/arm64"),
// failing the test on an error.
func openPlatform(t *testing.T, ref string, opts Options, platform string) (*Source, *Image) {
	t.Helper()
	src, err := Open(t.Context(), ref, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", ref, err)
	}
	p, err := src.Select(t.Context(), mustPlatform(t, platform))
	if err != nil {
		t.Fatalf("%s: selecting %s: %v", ref, platform, err)
	}
	return src, p
}

func binImage(t *testing.T, goos, arch, variant, osVersion string, bin []byte) v1.Image {
	t.Helper()
	return imagetest.Image(t, imagetest.ImageSpec{
		OS: goos, Architecture: arch, Variant: variant, OSVersion: osVersion,
		Entrypoint: []string{"/app/server"},
		Layers:     []v1.Layer{imagetest.Layer(t, imagetest.File("app/server", 0o755, bin))},
	})
}

func TestManifestsAndSelect(t *testing.T) {
	amd := binImage(t, "linux", "amd64", "", "", imagetest.GoBinary(t, "linux", "amd64", false))
	arm := binImage(t, "linux", "arm64", "v8", "", imagetest.GoBinary(t, "linux", "arm64", false))
	win := binImage(t, "windows", "amd64", "", "10.0.20348.2340", imagetest.PEHeader(0x8664))
	liar := binImage(t, "linux", "amd64", "", "", imagetest.GoBinary(t, "linux", "amd64", false))
	nested := imagetest.Index(t, false, imagetest.Child{Image: win})
	idx := imagetest.Index(t, true,
		imagetest.Child{Image: amd},
		imagetest.Child{Image: arm},
		imagetest.AttestationChild(t, imagetest.Digest(t, amd)),
		imagetest.Child{Image: liar, Platform: &v1.Platform{OS: "linux", Architecture: "riscv64"}},
		imagetest.Child{Index: nested},
	)
	reg := imagetest.Registry(t)
	ref := reg.PushIndex(t, "multi:1", idx)
	src, err := Open(t.Context(), ref, Options{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := src.Manifests(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[Kind]int{}
	for _, m := range all {
		kinds[m.Kind]++
	}
	if kinds[KindRunnable] != 4 || kinds[KindAttestation] != 1 || kinds[KindIndex] != 1 || len(all) != 6 {
		t.Fatalf("kinds = %v (%d manifests)", kinds, len(all))
	}
	if got := all[5].Path; len(got) != 2 {
		t.Errorf("nested child path = %v, want root and nested index", got)
	}
	tests := []struct {
		want       string
		wantDigest v1.Hash
		wantErr    error
	}{
		{want: "linux/arm64", wantDigest: imagetest.Digest(t, arm)},
		{want: "linux/arm64/v8", wantDigest: imagetest.Digest(t, arm)},
		{want: "linux/amd64", wantDigest: imagetest.Digest(t, amd)},
		{want: "linux/amd64/v3", wantErr: ErrNoMatchingPlatform},
		{want: "linux/riscv64", wantDigest: imagetest.Digest(t, liar)},
		{want: "windows/amd64:10.0.20348.1", wantDigest: imagetest.Digest(t, win)},
		{want: "windows/amd64:10.0.17763.1", wantErr: ErrNoMatchingPlatform},
		{want: "linux/s390x", wantErr: ErrNoMatchingPlatform},
		{want: "unknown/unknown", wantErr: ErrNoMatchingPlatform},
	}
	for _, tt := range tests {
		p, err := src.Select(t.Context(), mustPlatform(t, tt.want))
		if tt.wantErr != nil {
			var nm *NoMatchingPlatformError
			if !errors.Is(err, tt.wantErr) || !errors.As(err, &nm) || len(nm.Available) != 6 {
				t.Errorf("Select(%s): err = %v, want %v with the list", tt.want, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Select(%s): %v", tt.want, err)
			continue
		}
		if p.Digest != tt.wantDigest {
			t.Errorf("Select(%s) = %s, want %s", tt.want, p.Digest, tt.wantDigest)
		}
	}
	// The descriptor that claims riscv64 over an amd64 config: both kept.
	p, err := src.Select(t.Context(), mustPlatform(t, "linux/riscv64"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Descriptor == nil || p.Descriptor.Architecture != "riscv64" || p.ConfigPlatform.Architecture != "amd64" {
		t.Errorf("descriptor %v vs config %v", p.Descriptor, p.ConfigPlatform)
	}
	// A single manifest: its platform comes from the config.
	single := reg.PushImage(t, "single:1", arm)
	s1, err := Open(t.Context(), single, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := s1.Manifests(t.Context())
	if err != nil || len(ms) != 1 || platform.String(ms[0].Platform) != "linux/arm64/v8" {
		t.Fatalf("single manifest platforms = %+v, %v", ms, err)
	}
}

func TestSelectNeverAttestation(t *testing.T) {
	att := imagetest.AttestationChild(t, v1.Hash{Algorithm: "sha256", Hex: "00"})
	idx := imagetest.Index(t, false, att)
	src, err := FromIndex("att", idx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Select(t.Context(), v1.Platform{OS: "unknown", Architecture: "unknown"})
	if !errors.Is(err, ErrNoMatchingPlatform) {
		t.Errorf("attestation selected: %v", err)
	}
}

func TestTagAndDigestReference(t *testing.T) {
	img := binImage(t, "linux", "arm64", "", "", []byte("#!/bin/sh\n"))
	reg := imagetest.Registry(t)
	ref := reg.PushImage(t, "both:1", img)
	reg.ResetLog()
	src, err := Open(t.Context(), ref+"@"+imagetest.Digest(t, img).String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := src.Select(t.Context(), mustPlatform(t, "linux/arm64")); err != nil {
			t.Fatal(err)
		}
	}
	configGets := 0
	for _, r := range reg.Requests() {
		if r.Method == "GET" && r.Path == "/v2/both/blobs/"+must(t, img.ConfigName).String() {
			configGets++
		}
	}
	if configGets != 1 {
		t.Errorf("config fetched %d times, want once per Source", configGets)
	}
}
