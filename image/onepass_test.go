package image

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"runtime"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/image/ldso"
	"github.com/imgcheck/imgcheck/internal/imagetest"
)

const multiarchDir = "lib/x86_64-linux-gnu"

func hostBytes(t *testing.T, name string) []byte {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		t.Fatalf("the glibc fixtures copy the host's amd64 glibc; this host is %s", runtime.GOARCH)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// glibcImage is a glibc base layer laid out so that a lazy reader would
// go back for everything: the loader, libc, ld.so.cache, passwd and group
// come first, then 3 MiB of incompressible filler (beyond the blob prefix
// kept in memory), then a shell script; the top layer holds a cgo
// binary.
func glibcImage(t *testing.T) v1.Image {
	t.Helper()
	filler := make([]byte, 3<<20)
	imagetest.Random(filler, 3)
	base := imagetest.Layer(t,
		imagetest.Dir("etc"),
		imagetest.File("etc/group", 0o644, []byte("root:x:0:\napp:x:1000:\n")),
		imagetest.File("etc/ld.so.cache", 0o644, hostBytes(t, "/etc/ld.so.cache")),
		imagetest.File("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")),
		imagetest.Dir("lib"), imagetest.Dir(multiarchDir),
		imagetest.File(multiarchDir+"/ld-linux-x86-64.so.2", 0o755, hostBytes(t, "/lib64/ld-linux-x86-64.so.2")),
		imagetest.File(multiarchDir+"/libc.so.6", 0o644, hostBytes(t, "/lib/x86_64-linux-gnu/libc.so.6")),
		imagetest.Dir("lib64"), imagetest.Symlink("lib64/ld-linux-x86-64.so.2", "/"+multiarchDir+"/ld-linux-x86-64.so.2"),
		imagetest.Dir("usr"), imagetest.File("usr/filler", 0o644, filler),
		imagetest.Dir("usr/bin"), imagetest.File("usr/bin/hello.sh", 0o755, []byte("#!/bin/sh\necho hello\n")),
	)
	app := imagetest.Layer(t, imagetest.Dir("app"), imagetest.File("app/server", 0o755, imagetest.GoBinary(t, "linux", "amd64", true)))
	return imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Entrypoint: []string{"/app/server"}, User: "app",
		Layers: []v1.Layer{base, app}})
}

// answers is what the checks ask of the glibc image, in the order that
// makes a lazy reader go back: a miss first (it reads every layer to its
// end), then the files.
type answers struct {
	Miss     File
	Passwd   []byte
	Script   string
	Server   string
	Loader   *ldso.Result
	LibcHead []byte
}

func askGlibcImage(t *testing.T, p *Image) answers {
	t.Helper()
	ctx := t.Context()
	var a answers
	var err error
	if a.Miss, err = p.Lookup(ctx, "/etc/ld.so.preload"); err != nil {
		t.Fatal(err)
	}
	if a.Passwd, _, err = p.ReadFile(ctx, "/etc/passwd", 1<<20); err != nil {
		t.Fatal(err)
	}
	identify := func(name string) string {
		f, err := p.Lookup(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		info, _, err := p.Identify(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return info.String()
	}
	a.Script, a.Server = identify("/usr/bin/hello.sh"), identify("/app/server")
	user, err := p.ResolveUser(ctx, "app")
	if err != nil {
		t.Fatal(err)
	}
	if a.Loader, err = ldso.Resolve(ctx, p.LoaderFS(&user), ldso.Config{Executable: "/app/server", User: LoaderCredentials(user)}); err != nil {
		t.Fatal(err)
	}
	if a.LibcHead, err = p.LoaderFS(nil).ReadPrefix(ctx, "/lib/x86_64-linux-gnu/libc.so.6", 64); err != nil {
		t.Fatal(err)
	}
	return a
}

// However many files the checks need from a layer, it is streamed once:
// the pass keeps what they read of the files it leaves.
func TestOnePassPerLayer(t *testing.T) {
	reg := imagetest.Registry(t)
	img := glibcImage(t)
	ref := reg.PushImage(t, "glibc:1", img)
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	baseSize, err := layers[0].Size()
	if err != nil {
		t.Fatal(err)
	}
	reg.ResetLog()
	src, p := openPlatform(t, ref, Options{}, "linux/amd64")
	got := askGlibcImage(t, p)
	if got.Loader == nil || len(got.Loader.Failures) > 0 || len(got.Loader.Objects) < 3 {
		t.Fatalf("loader: %+v", got.Loader)
	}
	if !bytes.HasPrefix(got.LibcHead, []byte("\x7fELF")) || got.Server == "" || got.Script == "" {
		t.Fatalf("answers: %+v", got)
	}
	st := src.Stats()
	for _, l := range st.Layers {
		if l.Read != LayerStreamed || l.Passes != 1 {
			t.Errorf("layer %s: read %s in %d passes, want streamed in one", l.Digest, l.Read, l.Passes)
		}
	}
	if n, b := reg.BlobBytes(imagetest.Digest(t, layers[0])); b > baseSize*105/100 {
		t.Errorf("base layer: %d bytes in %d requests for a %d-byte blob", b, n, baseSize)
	}

	// The same answers as a reader that keeps nothing beyond the blob
	// prefix, and starts the layer over for each file it has passed: past
	// the layer's bound, or past the Cache's.
	for _, lim := range []Limits{{MaxCaptureBytes: 1}, {MaxCacheCaptureBytes: 1}} {
		_, q := openPlatform(t, ref, Options{Limits: lim}, "linux/amd64")
		if want := askGlibcImage(t, q); !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: answers from one pass differ from re-reads:\n got %+v\nwant %+v", lim, got, want)
		}
		var passes int
		for _, l := range q.src.Stats().Layers {
			passes += l.Passes
		}
		if passes <= 2 {
			t.Errorf("%+v: with nothing kept, %d passes: the test does not make a reader go back", lim, passes)
		}
	}
}

// A file the pass stands at is read on, however much is asked; what it
// keeps of an ELF file serves the loader's reads but not a read of the
// bytes themselves (strict mode, ReadPrefix), which starts the layer over.
func TestKeptBytesServeOnlyTheParsers(t *testing.T) {
	reg := imagetest.Registry(t)
	ref := reg.PushImage(t, "glibc:1", glibcImage(t))
	libc := hostBytes(t, "/lib/x86_64-linux-gnu/libc.so.6")
	_, p := openPlatform(t, ref, Options{}, "linux/amd64")
	ctx := context.Background()
	if _, err := p.Lookup(ctx, "/nowhere"); err != nil {
		t.Fatal(err)
	}
	n := int64(len(libc))
	obj, err := p.LoaderFS(nil).ReadObject(ctx, "/lib/x86_64-linux-gnu/libc.so.6", n)
	if err != nil || int64(len(obj)) != n || bytes.Equal(obj, libc) {
		t.Fatalf("ReadObject: %d bytes (the whole file: %v), %v; want the kept parts at their offsets", len(obj), bytes.Equal(obj, libc), err)
	}
	if passes := p.scans[0].read().Passes; passes != 1 {
		t.Fatalf("ReadObject from what was kept: %d passes", passes)
	}
	whole, err := p.LoaderFS(nil).ReadPrefix(ctx, "/lib/x86_64-linux-gnu/libc.so.6", n)
	if err != nil || !bytes.Equal(whole, libc) {
		t.Fatalf("ReadPrefix: %d bytes, equal %v, %v", len(whole), bytes.Equal(whole, libc), err)
	}
	if passes := p.scans[0].read().Passes; passes != 2 {
		t.Errorf("ReadPrefix of bytes not kept: %d passes, want 2", passes)
	}
}
