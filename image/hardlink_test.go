package image

import (
	"archive/tar"
	"errors"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// openLayers serves an image made of the layers (bottom first) from memory.
func openLayers(t *testing.T, layers ...v1.Layer) *Image {
	t.Helper()
	img := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Layers: layers})
	src, err := FromImage("hardlinks", img, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := src.Select(t.Context(), v1.Platform{OS: "linux", Architecture: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// bareLink is a hard link header as some writers make it: no mode, no
// owner (the inode's metadata is the target's).
func bareLink(name, target string) imagetest.Entry {
	return imagetest.Entry{Name: name, Typeflag: tar.TypeLink, Linkname: target}
}

func owned(e imagetest.Entry, uid, gid int) imagetest.Entry {
	e.UID, e.GID = uid, gid
	return e
}

// busyboxLayer is laid out as busybox-static images are: one binary, the
// applets hard links to it.
func busyboxLayer(t *testing.T) v1.Layer {
	return imagetest.Layer(t,
		imagetest.Dir("bin"),
		owned(imagetest.File("bin/busybox", 0o750, []byte("#!/bin/interp\nbusybox\n")), 0, 10),
		bareLink("bin/sh", "bin/busybox"),
		bareLink("bin/wget", "/bin/sh"), // a link to a link: the same inode
		imagetest.Dir("etc"),
		imagetest.File("etc/passwd.real", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\n")),
		bareLink("etc/passwd", "etc/passwd.real"),
	)
}

func TestHardLinkReadsAsItsTarget(t *testing.T) {
	p := openLayers(t, busyboxLayer(t))
	for _, name := range []string{"/bin/sh", "/bin/wget", "./bin/../bin/sh"} {
		f, err := p.Lookup(t.Context(), name)
		if err != nil {
			t.Fatalf("Lookup(%s): %v", name, err)
		}
		if !f.Found || f.Type != TypeRegular || f.Mode != 0o750 || f.UID != 0 || f.GID != 10 || f.Size != 22 || !f.Executable() {
			t.Errorf("Lookup(%s) = %+v, want the target's type, mode, owner and size", name, f)
		}
		if f.HardLink == "" || f.Layer != 0 {
			t.Errorf("Lookup(%s): hardlink %q layer %d, want the link named and layer 0", name, f.HardLink, f.Layer)
		}
		info, _, err := p.Identify(t.Context(), f)
		if err != nil || info.ScriptInterpreter != "/bin/interp" {
			t.Errorf("Identify(%s) = %+v, %v: want the target's content", name, info, err)
		}
	}
	sh, _ := p.Lookup(t.Context(), "/bin/sh")
	if sh.HardLink != "/bin/busybox" {
		t.Errorf("HardLink = %q, want /bin/busybox", sh.HardLink)
	}
	cmd, err := p.ResolveCommand(t.Context(), "wget", "/", "/usr/bin:/bin")
	if err != nil || !cmd.Found || cmd.Resolved != "/bin/wget" || !cmd.Executable() || cmd.Type != TypeRegular {
		t.Errorf("ResolveCommand(wget) = %+v, %v", cmd, err)
	}
	data, _, err := p.ReadFile(t.Context(), "/etc/passwd", 1024)
	if err != nil || !strings.HasPrefix(string(data), "root:") {
		t.Errorf("ReadFile(/etc/passwd) through a hard link = %q, %v", data, err)
	}
}

func TestHardLinkTable(t *testing.T) {
	type want struct {
		found    bool
		reason   NotFoundReason
		typ      EntryType
		resolved string
		content  string // first bytes, for found regular files
		linkErr  string // a *HardLinkError whose message contains this
	}
	file := func(name, content string) imagetest.Entry { return imagetest.File(name, 0o755, []byte(content)) }
	tests := []struct {
		name   string
		layers [][]imagetest.Entry
		path   string
		want   want
	}{
		{"chain of links", [][]imagetest.Entry{{file("a", "#!A"), bareLink("b", "a"), bareLink("c", "b"), bareLink("d", "c")}},
			"/d", want{found: true, typ: TypeRegular, resolved: "/d", content: "#!A"}},
		{"link to a symlink is that symlink", [][]imagetest.Entry{{imagetest.Dir("bin"), file("bin/real", "#!R"), imagetest.Symlink("bin/soft", "real"), bareLink("bin/hard", "bin/soft")}},
			"/bin/hard", want{found: true, typ: TypeRegular, resolved: "/bin/real", content: "#!R"}},
		{"link target through a symlinked parent in the layer", [][]imagetest.Entry{{file("usr/lib/x", "#!X"), imagetest.Symlink("lib", "usr/lib"), bareLink("h", "lib/x")}},
			"/h", want{found: true, typ: TypeRegular, resolved: "/h", content: "#!X"}},
		{"target replaced later in the layer keeps the old inode", [][]imagetest.Entry{{file("a", "#!OLD"), bareLink("l", "a"), file("a", "#!NEW")}},
			"/l", want{found: true, typ: TypeRegular, resolved: "/l", content: "#!OLD"}},
		{"target whited out by a higher layer: the link survives", [][]imagetest.Entry{{file("a", "#!A"), bareLink("l", "a")}, {imagetest.Whiteout("a")}},
			"/l", want{found: true, typ: TypeRegular, resolved: "/l", content: "#!A"}},
		{"target under an opaque directory above: the link survives", [][]imagetest.Entry{{file("d/a", "#!A"), bareLink("l", "d/a")}, {imagetest.Opaque("d")}},
			"/l", want{found: true, typ: TypeRegular, resolved: "/l", content: "#!A"}},
		{"the link itself whited out", [][]imagetest.Entry{{file("a", "#!A"), bareLink("l", "a")}, {imagetest.Whiteout("l")}},
			"/l", want{reason: ReasonWhiteout}},
		{"link to a device", [][]imagetest.Entry{{{Name: "null", Typeflag: tar.TypeChar, Mode: 0o666}, bareLink("n", "null")}},
			"/n", want{found: true, typ: TypeOther, resolved: "/n"}},
		{"link as a directory of a path", [][]imagetest.Entry{{file("a", "#!A"), bareLink("l", "a")}},
			"/l/x", want{reason: ReasonNotDir}},
		{"link to a directory", [][]imagetest.Entry{{imagetest.Dir("d"), bareLink("l", "d")}},
			"/l", want{linkErr: "is a directory"}},
		{"link to the root", [][]imagetest.Entry{{bareLink("l", "../..")}},
			"/l", want{linkErr: "is a directory"}},
		// "/missing" first reads the whole layer, so that the link (not the
		// file it replaces) is the layer's entry for /a.
		{"link to itself", [][]imagetest.Entry{{file("a", "#!A"), bareLink("a", "a")}},
			"/missing /a", want{linkErr: "replaces its own target"}},
		{"link to nothing", [][]imagetest.Entry{{bareLink("l", "nowhere")}},
			"/l", want{linkErr: "no such file"}},
		{"target later in the same layer", [][]imagetest.Entry{{bareLink("l", "a"), file("a", "#!A")}},
			"/l", want{linkErr: "no such file"}},
		{"target in a higher layer", [][]imagetest.Entry{{bareLink("l", "a")}, {file("a", "#!A")}},
			"/l", want{linkErr: "layer 1 above"}},
		{"target in a lower layer", [][]imagetest.Entry{{file("a", "#!A")}, {bareLink("l", "a")}},
			"/l", want{linkErr: "layer 0 below"}},
		{"target whited out earlier in the same layer", [][]imagetest.Entry{{file("a", "#!A")}, {file("b", "#!B"), imagetest.Whiteout("b"), bareLink("l", "b")}},
			"/l", want{linkErr: "whiteout"}},
		{"target under a regular file", [][]imagetest.Entry{{file("f", "#!F"), bareLink("l", "f/x")}},
			"/l", want{linkErr: "not a directory"}},
		{"link to a broken link", [][]imagetest.Entry{{bareLink("a", "nowhere"), bareLink("b", "a")}},
			"/b", want{linkErr: "no such file"}},
		{"symlink loop in the target's parents", [][]imagetest.Entry{{imagetest.Symlink("x", "y"), imagetest.Symlink("y", "x"), bareLink("l", "x/a")}},
			"/l", want{linkErr: "symlink"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var layers []v1.Layer
			for _, entries := range tt.layers {
				layers = append(layers, imagetest.Layer(t, entries...))
			}
			p := openLayers(t, layers...)
			if first, rest, ok := strings.Cut(tt.path, " "); ok {
				if _, err := p.Lookup(t.Context(), first); err != nil {
					t.Fatal(err)
				}
				tt.path = rest
			}
			f, err := p.Lookup(t.Context(), tt.path)
			if tt.want.linkErr != "" {
				var he *HardLinkError
				if !errors.As(err, &he) || !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.want.linkErr) {
					t.Fatalf("Lookup(%s) = %+v, %v; want a *HardLinkError (ErrMalformed) saying %q", tt.path, f, err, tt.want.linkErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Lookup(%s): %v", tt.path, err)
			}
			if f.Found != tt.want.found || f.Reason != tt.want.reason {
				t.Fatalf("Lookup(%s): found=%v reason=%q (%s), want found=%v reason=%q", tt.path, f.Found, f.Reason, f.Detail, tt.want.found, tt.want.reason)
			}
			if !f.Found {
				return
			}
			if f.Type != tt.want.typ || f.Resolved != tt.want.resolved {
				t.Errorf("Lookup(%s): type %s resolved %s, want %s %s", tt.path, f.Type, f.Resolved, tt.want.typ, tt.want.resolved)
			}
			if tt.want.content != "" {
				data, _, err := p.ReadFile(t.Context(), tt.path, 1024)
				if err != nil || string(data) != tt.want.content {
					t.Errorf("ReadFile(%s) = %q, %v, want %q", tt.path, data, err, tt.want.content)
				}
			}
		})
	}
}
