package binfmt

import (
	"debug/elf"
	"os"
	"slices"
	"testing"
)

// hostObjects are dynamic objects of this machine that the parser is
// compared against debug/elf on: an executable, libc and the loader
// always, and C++ and OpenSSL libraries (long version lists) where the
// machine has them.
func hostObjects(t *testing.T) []string {
	objs := []string{"/bin/ls", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"}
	for _, p := range objs {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("host object: %v", err)
		}
	}
	for _, p := range []string{"/usr/bin/ssh", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libcrypto.so.3"} {
		if _, err := os.Stat(p); err == nil {
			objs = append(objs, p)
		}
	}
	return objs
}

// TestParseDynamicMatchesDebugELF parses real objects with ParseDynamic and
// with the standard library's debug/elf (which reads the section headers
// instead of mapping addresses through PT_LOAD) and compares the answers.
func TestParseDynamicMatchesDebugELF(t *testing.T) {
	for _, name := range append(hostObjects(t), binaryPaths(t)["linux-amd64-cgo"]) {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			d := ParseDynamic(data, int64(len(data)))
			if !d.Complete() {
				t.Fatalf("need %d, problems %q", d.Need, d.Problems)
			}
			f, err := elf.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			libs, err := f.ImportedLibraries()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d.Needed, libs) {
				t.Errorf("DT_NEEDED %q, debug/elf %q", d.Needed, libs)
			}
			sonames, _ := f.DynString(elf.DT_SONAME)
			if soname := first(sonames); soname != d.SONAME || (soname != "") != d.HasSONAME {
				t.Errorf("DT_SONAME %q, debug/elf %q", d.SONAME, soname)
			}
			runpaths, _ := f.DynString(elf.DT_RUNPATH)
			if rp := first(runpaths); rp != d.RunPath {
				t.Errorf("DT_RUNPATH %q, debug/elf %q", d.RunPath, rp)
			}
			needs, _ := f.DynamicVersionNeeds()
			var want, got []string
			for _, n := range needs {
				for _, v := range n.Needs {
					want = append(want, n.Name+" "+v.Dep)
				}
			}
			for _, n := range d.VersionNeeds {
				for _, v := range n.Versions {
					got = append(got, n.File+" "+v.Name)
					if v.Hash != ELFHash(v.Name) {
						t.Errorf("%s: vna_hash %#x, ELFHash %#x", v.Name, v.Hash, ELFHash(v.Name))
					}
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("version needs %q, debug/elf %q", got, want)
			}
			defs, _ := f.DynamicVersions()
			want, got = nil, nil
			for _, v := range defs {
				want = append(want, v.Name)
			}
			for _, v := range d.VersionDefs {
				got = append(got, v.Name)
			}
			if !slices.Equal(got, want) {
				t.Errorf("version definitions %q, debug/elf %q", got, want)
			}
		})
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
