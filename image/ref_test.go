package image

import (
	"cmp"
	"errors"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

func TestParseRef(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	d := v1.Hash{Algorithm: "sha256", Hex: hex}
	tests := []struct {
		in   string
		want Ref
		str  string // String(), when not the input (another spelling)
	}{
		{"ghcr.io/acme/app:v1", Ref{Kind: RefRegistry, Name: "ghcr.io/acme/app:v1"}, ""},
		{"app", Ref{Kind: RefRegistry, Name: "app"}, ""},
		{"localhost:5000/app@sha256:" + hex, Ref{Kind: RefRegistry, Name: "localhost:5000/app@sha256:" + hex}, ""},
		{"reg.example/app:v1@sha256:" + hex, Ref{Kind: RefRegistry, Name: "reg.example/app:v1@sha256:" + hex}, ""},
		// skopeo's docker transport: the same registry reference.
		{"docker://ghcr.io/acme/app:v1", Ref{Kind: RefRegistry, Name: "ghcr.io/acme/app:v1"}, "ghcr.io/acme/app:v1"},
		{"registry://app:v1", Ref{Kind: RefRegistry, Name: "app:v1"}, "app:v1"},
		// A Docker Hub repository named like a scheme keeps docker://.
		{"docker://oci:v1", Ref{Kind: RefRegistry, Name: "oci:v1"}, ""},
		{"docker://tarball:5000/app", Ref{Kind: RefRegistry, Name: "tarball:5000/app"}, ""},
		{"docker://build:x@sha256:" + hex, Ref{Kind: RefRegistry, Name: "build:x@sha256:" + hex}, ""},
		{"oci:out", Ref{Kind: RefLayout, Name: "out"}, ""},
		{"oci:./out:latest", Ref{Kind: RefLayout, Name: "./out", Tag: "latest"}, ""},
		// skopeo: the directory ends at the first colon; the rest is the
		// ref.name annotation, "name:tag" as skopeo and imgcheck build write it.
		{"oci:out:sample-server:latest", Ref{Kind: RefLayout, Name: "out", Tag: "sample-server:latest"}, ""},
		{"oci:out:acme/app:v1", Ref{Kind: RefLayout, Name: "out", Tag: "acme/app:v1"}, ""},
		{"oci:/tmp/a:b/out", Ref{Kind: RefLayout, Name: "/tmp/a", Tag: "b/out"}, ""},
		{"oci:out@sha256:" + hex, Ref{Kind: RefLayout, Name: "out", Digest: d}, ""},
		{"oci:dir:tag@sha256:" + hex, Ref{Kind: RefLayout, Name: "dir", Tag: "tag", Digest: d}, ""},
		{`oci:C:\layouts\out`, Ref{Kind: RefLayout, Name: `C:\layouts\out`}, ""},
		{`oci:C:\layouts\out:v1`, Ref{Kind: RefLayout, Name: `C:\layouts\out`, Tag: "v1"}, ""},
		{"oci:C:", Ref{Kind: RefLayout, Name: "C:"}, ""},
		{"oci:out:v1@x", Ref{Kind: RefLayout, Name: "out", Tag: "v1@x"}, ""},
		{"oci:out:_v1", Ref{Kind: RefLayout, Name: "out", Tag: "_v1"}, ""},
		// regctl's layout spelling.
		{"ocidir://out", Ref{Kind: RefLayout, Name: "out"}, "oci:out"},
		{"ocidir://./out:v1", Ref{Kind: RefLayout, Name: "./out", Tag: "v1"}, "oci:./out:v1"},
		{"ocidir://out:v1@sha256:" + hex, Ref{Kind: RefLayout, Name: "out", Tag: "v1", Digest: d}, "oci:out:v1@sha256:" + hex},
		{"oci-archive:app.tar", Ref{Kind: RefOCIArchive, Name: "app.tar"}, ""},
		{"oci-archive:./app.tar:sample-server:latest", Ref{Kind: RefOCIArchive, Name: "./app.tar", Tag: "sample-server:latest"}, ""},
		{"oci-archive:app.tar@sha256:" + hex, Ref{Kind: RefOCIArchive, Name: "app.tar", Digest: d}, ""},
		{"tarball:app.tar", Ref{Kind: RefArchive, Name: "app.tar"}, ""},
		{"tarball:app.tar@sha256:" + hex, Ref{Kind: RefArchive, Name: "app.tar", Digest: d}, ""},
		// Not a valid digest: part of the file name, as before the parser.
		{"tarball:app.tar@sha256:abc", Ref{Kind: RefArchive, Name: "app.tar@sha256:abc"}, ""},
		{"tarball:@sha256:" + hex, Ref{Kind: RefArchive, Name: "@sha256:" + hex}, ""},
		{"tarball:dir:x/app.tar", Ref{Kind: RefArchive, Name: "dir:x/app.tar"}, ""},
		{"build:server@sha256:" + hex, Ref{Kind: RefBuilt, Name: "server", Digest: d}, ""},
		// Not the build: form: a registry reference, as before the scheme.
		{"build:5000/app@sha256:" + hex, Ref{Kind: RefRegistry, Name: "build:5000/app@sha256:" + hex}, ""},
		{"build:v1", Ref{Kind: RefRegistry, Name: "build:v1"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRef(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("ParseRef(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			want := cmp.Or(tt.str, tt.in)
			if s := got.String(); s != want {
				t.Errorf("String() = %q, want %q", s, want)
			}
			if again, err := ParseRef(got.String()); err != nil || again != got {
				t.Errorf("String() %q parses to %+v, %v", got.String(), again, err)
			}
			if got.Deployable() != (tt.want.Kind == RefRegistry) {
				t.Errorf("Deployable() = %v for %v", got.Deployable(), got.Kind)
			}
		})
	}
}

func TestParseRefMalformed(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	for _, in := range []string{
		"",
		"UPPER/Case:v1",
		"app:bad tag",
		"app@sha256:123",
		"oci:",
		"oci:@sha256:" + hex,
		"oci:out@sha256:short",
		"oci:out@sha256:" + strings.ToUpper(hex),
		"oci:out@sha256:" + hex + "/x",
		"oci:out:",
		"oci::v1",
		"oci:out:bad tag",
		"oci:out:a//b",
		"oci:out:-v1",
		"oci-archive:",
		"oci-archive::v1",
		"oci-archive:app.tar:",
		"ocidir://",
		"ocidir://out:",
		"ocidir://out:app:v1", // regctl tags have no colon
		"ocidir://out:a/b",
		"ocidir://:v1",
		"docker://",
		"docker://UPPER/Case",
		"docker://app@sha256:123",
		"registry://",
		"docker-daemon:alpine:latest",
		"docker-archive:app.tar",
		"containers-storage:alpine",
		"dir:out",
		"tarball:",
		"build:server@sha256:short",
		"build:@sha256:" + hex,
	} {
		t.Run(in, func(t *testing.T) {
			r, err := ParseRef(in)
			if err == nil {
				t.Fatalf("ParseRef(%q) = %+v, want an error", in, r)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
		})
	}
}

// A transport imgcheck cannot read says what to use instead.
func TestParseRefUnsupportedTransport(t *testing.T) {
	_, err := ParseRef("docker-daemon:alpine:3")
	if err == nil || !strings.Contains(err.Error(), "tarball:") {
		t.Errorf("err = %v, want a hint naming tarball:", err)
	}
}

// An archive whose whole name ends in a digest is opened by that name;
// only a missing file makes the suffix a digest.
func TestOpenArchivePrefersWholeName(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	dir := t.TempDir()
	whole := dir + "/app.tar@sha256:" + hex
	if fileExists(whole) {
		t.Fatal("fixture exists")
	}
	_, err := openArchive(Ref{Kind: RefArchive, Name: dir + "/app.tar", Digest: v1.Hash{Algorithm: "sha256", Hex: hex}}, Limits{}.withDefaults())
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), dir+"/app.tar") || strings.Contains(err.Error(), "@sha256") {
		t.Fatalf("err = %v, want not found naming %s/app.tar", err, dir)
	}
}

func TestOpenBuiltRef(t *testing.T) {
	idx := imagetest.Index(t, false, imagetest.Child{Image: filesystemImage(t)})
	digest := imagetest.Digest(t, idx)
	r := Ref{Kind: RefBuilt, Name: "server", Digest: digest}
	src, err := Open(t.Context(), r.String(), Options{Built: map[Ref]v1.ImageIndex{r: idx}})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := src.Digest(t.Context()); got != digest || src.Name() != r.String() {
		t.Errorf("opened %s with digest %s, want %s at %s", src.Name(), got, r, digest)
	}
	src.Close()
	if _, err := openRef(t.Context(), r, Options{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v, want not found without Options.Built", err)
	}
	other := Ref{Kind: RefBuilt, Name: "server", Digest: v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}}
	if _, err := openRef(t.Context(), other, Options{Built: map[Ref]v1.ImageIndex{other: idx}}); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("err = %v, want a digest mismatch for an index that is not the one named", err)
	}
}

// FuzzParseRef: ParseRef never panics, every error is ErrMalformed, and an
// accepted reference prints back to a string that parses to the same Ref.
func FuzzParseRef(f *testing.F) {
	hex := strings.Repeat("0f", 32)
	for _, s := range []string{
		"ghcr.io/acme/app:v1", "app@sha256:" + hex, "oci:out", "oci:out:v1", "oci:out@sha256:" + hex,
		`oci:C:\x`, "tarball:a.tar", "tarball:a.tar@sha256:" + hex, "build:server@sha256:" + hex,
		"build:v1", "oci:", "oci:a::", "tarball:@sha256:" + hex,
		"oci:out:app:v1", "oci:out:app:v1@sha256:" + hex, `oci:C:\x:v1`, "oci:C:", "ocidir://out:v1",
		"ocidir://out@sha256:" + hex, "oci-archive:a.tar:app:v1", "docker://oci:v1", "registry://app",
		"docker://build:x@sha256:" + hex, "docker-daemon:x", "oci:out:a@b:c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseRef(%q): %v does not wrap ErrMalformed", s, err)
			}
			return
		}
		again, err := ParseRef(r.String())
		if err != nil {
			t.Fatalf("ParseRef(%q) = %+v, whose String %q does not parse: %v", s, r, r.String(), err)
		}
		if again != r {
			t.Fatalf("ParseRef(%q) = %+v; String %q parses to %+v", s, r, r.String(), again)
		}
	})
}

func TestValidTag(t *testing.T) {
	for _, tt := range []struct {
		tag  string
		want bool
	}{
		{"v1.2.3", true}, {"_x", true}, {"latest", true}, {"A-b_c.9", true},
		{strings.Repeat("a", 128), true}, {strings.Repeat("a", 129), false},
		{"", false}, {".x", false}, {"-x", false}, {"a/b", false}, {"a:b", false}, {"é", false}, {"a b", false},
	} {
		if got := ValidTag(tt.tag); got != tt.want {
			t.Errorf("ValidTag(%q) = %v, want %v", tt.tag, got, tt.want)
		}
	}
}
