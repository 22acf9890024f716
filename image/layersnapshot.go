package image

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"io/fs"
	"path"
	"slices"

	"github.com/imgcheck/imgcheck/image/filecap"
)

// layerSnapshot is a layer's index as a complete pass left it: every entry
// (hard links with what they resolved to), whiteouts, opaque directories
// and what the pass kept of files' content. It is what a LayerIndex
// stores; restoring it answers every lookup as the pass would.
type layerSnapshot struct {
	Digest, DiffID string
	Size           int64  // compressed, as the descriptor said and the read confirmed
	Limits         string // limitsKey of the limits the layer was read under
	Uncompressed   int64
	Compression    Compression
	Seen           int   // entries the tar stream had (ordinals < Seen)
	Indexed        int64 // the index memory the pass charged (indexCost)
	Entries        []snapEntry
	Whiteouts      []snapMark
	Opaque         []snapMark
	Captures       []snapCapture
	CaptureFull    bool
}

type snapEntry struct {
	Ordinal  int
	Name     string
	Type     EntryType
	Mode     uint32
	UID, GID int
	Size     int64
	Link     string
	Caps     *filecap.Caps
	CapsErr  string
	// For a hard link: the ordinal of the entry it shares an inode with
	// (-1: none), or why the runtime could not make it.
	Target  int
	LinkErr string
}

type snapMark struct {
	Name    string
	Ordinal int
}

type snapCapture struct {
	Ordinal int
	Size    int64
	Sparse  bool
	Offsets []int64
	Data    [][]byte
}

// limitsKey names the limits a layer was read under: an index read under
// other limits is not reused (a layer within the old may be over the new).
func limitsKey(lim Limits) string { return fmt.Sprintf("%+v", lim) }

// snapshotLocked captures the index of a verified layer.
func (s *layerScan) snapshotLocked() *layerSnapshot {
	snap := &layerSnapshot{
		Digest: s.blob.digest.String(), DiffID: s.diffID.String(), Size: s.blob.size, Limits: limitsKey(s.lim),
		Uncompressed: s.uncompressed, Compression: s.compression, Seen: s.seen, Indexed: s.indexed, CaptureFull: s.captureFull,
	}
	for _, e := range s.byOrdinal {
		se := snapEntry{Ordinal: e.Ordinal, Name: e.Name, Type: e.Type, Mode: uint32(e.Mode), UID: e.UID, GID: e.GID,
			Size: e.Size, Link: e.Link, Caps: e.Caps, CapsErr: e.capsErr, Target: -1, LinkErr: e.linkErr}
		if e.target != nil {
			se.Target = e.target.Ordinal
		}
		snap.Entries = append(snap.Entries, se)
	}
	slices.SortFunc(snap.Entries, func(a, b snapEntry) int { return a.Ordinal - b.Ordinal })
	marks := func(m map[string]int) []snapMark {
		var out []snapMark
		for name, ord := range m {
			out = append(out, snapMark{name, ord})
		}
		slices.SortFunc(out, func(a, b snapMark) int { return a.Ordinal - b.Ordinal })
		return out
	}
	snap.Whiteouts, snap.Opaque = marks(s.whiteouts), marks(s.opaque)
	for ord, c := range s.captures {
		sc := snapCapture{Ordinal: ord, Size: c.size, Sparse: c.sparse}
		for _, sp := range c.spans {
			sc.Offsets, sc.Data = append(sc.Offsets, sp.off), append(sc.Data, sp.data)
		}
		snap.Captures = append(snap.Captures, sc)
	}
	slices.SortFunc(snap.Captures, func(a, b snapCapture) int { return a.Ordinal - b.Ordinal })
	return snap
}

// restoreLocked makes the scan what the snapshot's pass left: complete and
// verified, with no stream open. A question the snapshot cannot answer
// (content that was not kept) starts a pass over the layer, as after any
// pass that left a file. The index's memory is charged to the layer's and
// the image's index budgets as a pass charges it, and the layer's
// uncompressed size to the image's decompression budget as its one pass
// charged it: nothing is decompressed, but an image that is too large to
// verify cold must not pass warm. Past a budget, an ErrLimit.
func (s *layerScan) restoreLocked(snap *layerSnapshot, budget *readBudget) error {
	byOrd := make(map[int]*entry, len(snap.Entries))
	for _, se := range snap.Entries {
		if se.Ordinal < 0 || se.Ordinal >= snap.Seen || byOrd[se.Ordinal] != nil || se.Name != cleanPath(se.Name) {
			return fmt.Errorf("entry %d of the snapshot is inconsistent", se.Ordinal)
		}
		byOrd[se.Ordinal] = &entry{Ordinal: se.Ordinal, Name: se.Name, Type: se.Type, Mode: fs.FileMode(se.Mode), UID: se.UID, GID: se.GID,
			Size: se.Size, Link: se.Link, Caps: se.Caps, capsErr: se.CapsErr, linkErr: se.LinkErr}
	}
	for _, se := range snap.Entries {
		if se.Target < 0 {
			continue
		}
		t := byOrd[se.Target]
		if t == nil || se.Target >= se.Ordinal {
			return fmt.Errorf("hard link %d of the snapshot names no earlier entry", se.Ordinal)
		}
		byOrd[se.Ordinal].target = t
	}
	for _, se := range snap.Entries { // ordinal order: a later duplicate replaces an earlier one
		e := byOrd[se.Ordinal]
		s.entries[e.Name] = e
		s.byOrdinal[e.Ordinal] = e
		s.dirs.add(path.Dir(e.Name))
	}
	for _, m := range snap.Whiteouts {
		s.whiteouts[m.Name] = m.Ordinal
	}
	for _, m := range snap.Opaque {
		s.opaque[m.Name] = m.Ordinal
		s.dirs.add(m.Name)
	}
	type kept struct {
		ordinal int
		c       *capture
	}
	var restored []kept
	for _, sc := range snap.Captures {
		e := byOrd[sc.Ordinal]
		if len(sc.Offsets) != len(sc.Data) || e == nil || e.Size != sc.Size {
			return fmt.Errorf("kept content %d of the snapshot is inconsistent", sc.Ordinal)
		}
		c := &capture{size: sc.Size, sparse: sc.Sparse}
		end := int64(0)
		for i, off := range sc.Offsets {
			if off < end || off+int64(len(sc.Data[i])) > sc.Size {
				return fmt.Errorf("kept content %d of the snapshot is inconsistent", sc.Ordinal)
			}
			end = off + int64(len(sc.Data[i]))
			c.spans = append(c.spans, span{off, sc.Data[i]})
		}
		restored = append(restored, kept{sc.Ordinal, c})
	}
	if snap.Uncompressed < 0 {
		return fmt.Errorf("the snapshot's uncompressed size %d is inconsistent", snap.Uncompressed)
	}
	if snap.Uncompressed > s.lim.MaxLayerBytes {
		return fmt.Errorf("%w: layer decompresses to more than %d bytes", ErrLimit, s.lim.MaxLayerBytes)
	}
	cost := snap.Indexed
	if cost > s.lim.MaxLayerIndexBytes {
		return fmt.Errorf("%w: the path index of the layer exceeds %d bytes", ErrLimit, s.lim.MaxLayerIndexBytes)
	}
	if err := budget.inflate(snap.Uncompressed); err != nil {
		budget.inflate(-snap.Uncompressed)
		return err
	}
	if err := budget.index(cost); err != nil {
		budget.index(-cost)
		budget.inflate(-snap.Uncompressed)
		return err
	}
	s.indexed = cost
	// What the snapshot kept counts against the bounds like what a pass
	// keeps; past them, the rest is dropped (read from the layer if asked).
	s.captureFull = snap.CaptureFull
	for _, k := range restored {
		s.keepLocked(k.ordinal, k.c)
	}
	s.seen, s.passed = snap.Seen, snap.Seen
	s.uncompressed, s.compression = snap.Uncompressed, snap.Compression
	s.complete, s.verified, s.cached, s.stored = true, true, true, true
	return nil
}

func encodeSnapshot(snap *layerSnapshot) ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(snap); err != nil {
		return nil, fmt.Errorf("encoding the index of layer %s: %w", snap.Digest, err)
	}
	return sealEntry(b.Bytes()), nil
}

func decodeSnapshot(raw []byte) (*layerSnapshot, error) {
	data, err := openEntry(raw)
	if err != nil {
		return nil, err
	}
	snap := &layerSnapshot{}
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(snap); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	return snap, nil
}
