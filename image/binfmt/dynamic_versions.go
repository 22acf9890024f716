package binfmt

import "math"

// Sizes of the symbol versioning records; the same in 32- and 64-bit files.
const (
	verneedSize = 16 // vn_version, vn_cnt, vn_file, vn_aux, vn_next
	vernauxSize = 16 // vna_hash, vna_flags, vna_other, vna_name, vna_next
	verdefSize  = 20 // vd_version, vd_flags, vd_ndx, vd_cnt, vd_hash, vd_aux, vd_next
	verdauxSize = 8  // vda_name, vda_next
)

// versionRecord returns the size bytes of a version record at virtual
// address addr, which must lie inside one PT_LOAD segment's file image.
func (r *dynReader) versionRecord(addr, size uint64, what string) ([]byte, bool) {
	if r.records >= maxVersionRecords {
		if r.records == maxVersionRecords {
			r.in.problem("more than %d symbol version records", maxVersionRecords)
			r.records++
		}
		return nil, false
	}
	r.records++
	off, avail, ok := r.mapAddr(addr)
	if !ok {
		r.in.problem("%s at address 0x%x is not in the file image of any PT_LOAD segment", what, addr)
		return nil, false
	}
	if avail < size {
		r.in.problem("%s at address 0x%x runs past the end of its PT_LOAD segment", what, addr)
		return nil, false
	}
	return r.in.span(off, size, what)
}

// advance follows a link (vn_aux, vn_next, ...) as the loader does, by
// adding it to the record's address. In a 32-bit process the sum wraps, so
// a large link points back to an earlier record and the chain loops; that
// is reported rather than followed.
func (r *dynReader) advance(addr uint64, link uint32, what string) (uint64, bool) {
	limit := uint64(math.MaxUint64)
	if r.p.layout.wordSz == 4 {
		limit = math.MaxUint32
	}
	if addr > limit || uint64(link) > limit-addr {
		r.in.problem("%s link 0x%x at address 0x%x wraps around the address space (the chain would loop)", what, link, addr)
		return 0, false
	}
	return addr + uint64(link), true
}

// readVerneed walks the Verneed chain at addr and each entry's Vernaux
// chain, until a zero vn_next / vna_next as glibc's _dl_check_map_versions
// does. Links only move forward (advance refuses a wrap), so each walk
// ends; versionRecord bounds the number of records.
func (r *dynReader) readVerneed(addr uint64) {
	order := r.p.order
	for {
		rec, ok := r.versionRecord(addr, verneedSize, "Verneed record")
		if !ok {
			return
		}
		need := VersionNeed{Version: order.Uint16(rec[0:]), File: r.str(uint64(order.Uint32(rec[4:])), "Verneed file")}
		auxLink, next := order.Uint32(rec[8:]), order.Uint32(rec[12:])
		if aux, ok := r.advance(addr, auxLink, "vn_aux"); ok {
			need.Versions = r.readVernaux(aux)
		}
		r.d.VersionNeeds = append(r.d.VersionNeeds, need)
		if next == 0 {
			return
		}
		if addr, ok = r.advance(addr, next, "vn_next"); !ok {
			return
		}
	}
}

func (r *dynReader) readVernaux(addr uint64) []NeededVersion {
	order := r.p.order
	var out []NeededVersion
	for {
		rec, ok := r.versionRecord(addr, vernauxSize, "Vernaux record")
		if !ok {
			return out
		}
		out = append(out, NeededVersion{
			Hash:  order.Uint32(rec[0:]),
			Flags: order.Uint16(rec[4:]),
			Other: order.Uint16(rec[6:]),
			Name:  r.str(uint64(order.Uint32(rec[8:])), "Vernaux name"),
		})
		next := order.Uint32(rec[12:])
		if next == 0 {
			return out
		}
		if addr, ok = r.advance(addr, next, "vna_next"); !ok {
			return out
		}
	}
}

// readVerdef walks the Verdef chain at addr until a zero vd_next, reading
// each definition's first Verdaux name (the only one glibc compares).
func (r *dynReader) readVerdef(addr uint64) {
	order := r.p.order
	for {
		rec, ok := r.versionRecord(addr, verdefSize, "Verdef record")
		if !ok {
			return
		}
		def := VersionDef{
			Version: order.Uint16(rec[0:]),
			Flags:   order.Uint16(rec[2:]),
			Index:   order.Uint16(rec[4:]),
			Hash:    order.Uint32(rec[8:]),
		}
		auxLink, next := order.Uint32(rec[12:]), order.Uint32(rec[16:])
		if aux, ok := r.advance(addr, auxLink, "vd_aux"); ok {
			if name, ok := r.versionRecord(aux, verdauxSize, "Verdaux record"); ok {
				def.Name = r.str(uint64(order.Uint32(name[0:])), "Verdaux name")
			}
		}
		r.d.VersionDefs = append(r.d.VersionDefs, def)
		if next == 0 {
			return
		}
		if addr, ok = r.advance(addr, next, "vd_next"); !ok {
			return
		}
	}
}
