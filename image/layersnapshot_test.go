package image

import (
	"reflect"
	"slices"
	"testing"

	"github.com/imgcheck/imgcheck/image/filecap"
	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// A field added to entry that a snapshot does not carry would be lost
// between runs: a cached layer would answer differently. Add it to
// snapEntry, then to the fields here.
func TestSnapshotCarriesEveryEntryField(t *testing.T) {
	snapshotEntryFields := []string{"Ordinal", "Name", "Type", "Mode", "UID", "GID", "Size", "Link", "Caps", "capsErr", "target", "linkErr"}
	var got []string
	ty := reflect.TypeFor[entry]()
	for i := range ty.NumField() {
		got = append(got, ty.Field(i).Name)
	}
	if !slices.Equal(got, snapshotEntryFields) {
		t.Errorf("entry has the fields %v; the snapshot carries %v", got, snapshotEntryFields)
	}
}

// dirPaths lists the directories of a dirSet.
func dirPaths(d *dirSet) []string {
	byID := map[int32]dirKey{}
	for k, id := range d.nodes {
		byID[id] = k
	}
	var out []string
	for id := range byID {
		p := ""
		for n := id; n != 0; n = byID[n].parent {
			p = "/" + byID[n].name + p
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// A layer restored from its snapshot is the layer its pass left: every
// entry with its hard-link resolution and capabilities, whiteouts (a
// repeated one too), opaque directories, implied directories and kept
// content.
func TestSnapshotRoundTrip(t *testing.T) {
	bind := filecap.Caps{Revision: 2, Effective: true, Permitted: filecap.Of(10)}
	img := openLayers(t, imagetest.Layer(t,
		imagetest.Dir("bin"),
		imagetest.File("bin/sh", 0o755, []byte("#!/bin/busybox\n")),
		withCaps(imagetest.File("bin/ping", 0o4755, []byte("\x7fELF")), bind.Marshal()),
		withCaps(imagetest.File("bin/bad", 0o755, []byte("x")), []byte{1, 2, 3}),
		imagetest.Hardlink("bin/hard", "bin/sh"),
		imagetest.Hardlink("bin/dangling", "bin/none"),
		imagetest.Symlink("lib", "usr/lib"),
		imagetest.Whiteout("opt/gone"),
		imagetest.File("opt/gone", 0o644, []byte("back")),
		imagetest.Whiteout("opt/gone"),
		imagetest.Hardlink("opt/late", "opt/gone"),
		imagetest.Opaque("var/data"),
		imagetest.File("usr/share/deep/file.txt", 0o644, []byte("short")),
		imagetest.File("bin/sh", 0o700, []byte("#!/bin/dash\n")),
		imagetest.File("etc/passwd", 0o644, []byte("root:x:0:0::/:/bin/sh\n")),
	))
	sc := img.scans[0]
	if _, err := img.Lookup(t.Context(), "/nowhere"); err != nil {
		t.Fatal(err)
	}
	raw, err := encodeSnapshot(sc.snapshotLocked())
	if err != nil {
		t.Fatal(err)
	}
	snap, err := decodeSnapshot(raw)
	if err != nil {
		t.Fatal(err)
	}
	got := newLayerScan(sc.blob, sc.fetch, sc.diffID, sc.lim)
	if err := got.restoreLocked(snap, &readBudget{}); err != nil {
		t.Fatal(err)
	}
	if !got.complete || !got.verified || !got.cached || got.seen != sc.seen || got.passed != sc.seen {
		t.Errorf("restored state: complete %v verified %v cached %v seen %d/%d", got.complete, got.verified, got.cached, got.seen, sc.seen)
	}
	flat := func(s *layerScan) map[int]entry {
		out := map[int]entry{}
		for ord, e := range s.byOrdinal {
			c := *e
			if c.target != nil {
				c.target = &entry{Ordinal: c.target.Ordinal} // compared by ordinal
			}
			out[ord] = c
		}
		return out
	}
	byName := func(s *layerScan) map[string]int {
		out := map[string]int{}
		for name, e := range s.entries {
			out[name] = e.Ordinal
		}
		return out
	}
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"entries by ordinal", flat(got), flat(sc)},
		{"entries by name", byName(got), byName(sc)},
		{"whiteouts", got.whiteouts, sc.whiteouts},
		{"opaque", got.opaque, sc.opaque},
		{"directories", dirPaths(got.dirs), dirPaths(sc.dirs)},
		{"index memory", got.indexed, sc.indexed},
		{"kept content", got.captures, sc.captures},
		{"uncompressed", got.uncompressed, sc.uncompressed},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: restored %+v, want %+v", c.what, c.got, c.want)
		}
	}
	if e := got.entries["/bin/ping"]; e == nil || e.Caps == nil || *e.Caps != bind || got.entries["/bin/bad"].capsErr == "" {
		t.Errorf("capabilities lost: %+v", e)
	}
	if e := got.entries["/bin/hard"]; e == nil || e.target == nil || e.target != got.byOrdinal[e.target.Ordinal] {
		t.Errorf("hard link target is not the restored entry: %+v", e)
	}
}
