package binfmt

import (
	"debug/elf"
	"reflect"
	"slices"
	"testing"
)

func TestParseDynamicSample(t *testing.T) {
	for _, tc := range []struct {
		class int
		msb   bool
	}{{64, false}, {64, true}, {32, false}, {32, true}} {
		b := sampleObject(tc.class, tc.msb).build()
		d := ParseDynamic(b, int64(len(b)))
		if !d.Complete() {
			t.Fatalf("class %d msb %v: need %d, problems %q", tc.class, tc.msb, d.Need, d.Problems)
		}
		if d.Header.Class != tc.class || d.Header.Type != elf.ET_DYN || d.Header.Machine != elf.EM_X86_64 || d.LoadSegments != 1 {
			t.Errorf("header %+v, %d PT_LOAD", d.Header, d.LoadSegments)
		}
		if !slices.Equal(d.Needed, []string{"libssl.so.3", "libc.so.6"}) || d.SONAME != "libsample.so.1" ||
			d.RunPath != "$ORIGIN/../lib:/opt/lib" || !d.HasRunPath || d.HasRPath || d.Flags1 != uint64(elf.DF_1_NODEFLIB) {
			t.Errorf("dynamic %+v", d)
		}
		wantNeeds := []VersionNeed{
			{Version: 1, File: "libc.so.6", Versions: []NeededVersion{
				{Name: "GLIBC_2.34", Hash: ELFHash("GLIBC_2.34"), Other: 2},
				{Name: "GLIBC_2.2.5", Hash: ELFHash("GLIBC_2.2.5"), Other: 3}}},
			{Version: 1, File: "libssl.so.3", Versions: []NeededVersion{
				{Name: "OPENSSL_3.0.0", Hash: ELFHash("OPENSSL_3.0.0"), Flags: VersionFlagWeak, Other: 2}}},
		}
		if !reflect.DeepEqual(d.VersionNeeds, wantNeeds) {
			t.Errorf("version needs\n got %+v\nwant %+v", d.VersionNeeds, wantNeeds)
		}
		wantDefs := []VersionDef{
			{Version: 1, Flags: VersionFlagBase, Index: 1, Hash: ELFHash("libsample.so.1"), Name: "libsample.so.1"},
			{Version: 1, Index: 2, Hash: ELFHash("SAMPLE_1.0"), Name: "SAMPLE_1.0"},
		}
		if !reflect.DeepEqual(d.VersionDefs, wantDefs) {
			t.Errorf("version defs\n got %+v\nwant %+v", d.VersionDefs, wantDefs)
		}
		if !d.VersionNeeds[1].Versions[0].Weak() || !d.VersionDefs[0].Base() {
			t.Error("weak or base flag not reported")
		}
	}
}

func TestELFHash(t *testing.T) {
	// Values as binutils writes them into vna_hash (readelf -V).
	for name, want := range map[string]uint32{"GLIBC_2.2.5": 0x09691a75, "GLIBC_2.34": 0x069691b4, "": 0} {
		if got := ELFHash(name); got != want {
			t.Errorf("ELFHash(%q) = %#x, want %#x", name, got, want)
		}
	}
}

// TestParseDynamicPrefixes checks the Need contract on every prefix of a
// valid file: either more bytes are asked for, or the answer is the one
// the whole file gives.
func TestParseDynamicPrefixes(t *testing.T) {
	b := sampleObject(64, false).build()
	whole := ParseDynamic(b, int64(len(b)))
	for n := 0; n <= len(b); n++ {
		for _, size := range []int64{-1, int64(len(b))} {
			d := ParseDynamic(b[:n], size)
			switch {
			case d.Need > 0 && d.Need <= int64(n):
				t.Fatalf("prefix %d (size %d): Need %d already at hand", n, size, d.Need)
			case d.Need > 0 && size >= 0 && d.Need > size:
				t.Fatalf("prefix %d: Need %d beyond the %d-byte file", n, d.Need, size)
			case d.Need == 0 && size >= 0 && !reflect.DeepEqual(d, whole):
				t.Fatalf("prefix %d of a file of known size finished differently:\n%+v\n%+v", n, d, whole)
			case d.Need == 0 && size < 0 && n == len(b) && !reflect.DeepEqual(d, whole):
				t.Fatalf("whole file without its size parsed differently")
			}
		}
	}
}
