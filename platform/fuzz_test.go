package platform

import "testing"

// FuzzParse: a platform string that parses prints back to one that parses
// to the same platform, which matches itself.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"linux/amd64", "linux/arm64/v8", "LINUX/aarch64", "windows/amd64:10.0.20348.2340", "linux/arm/v7", "linux//", "/amd64", "a/b/c/d", "linux/x86_64:", "linux/amd64/:x:y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		if p.OS == "" || p.Architecture == "" {
			t.Fatalf("%q parsed without os or architecture: %+v", s, p)
		}
		again, err := Parse(String(&p))
		if err != nil {
			t.Fatalf("%q -> %q does not parse: %v", s, String(&p), err)
		}
		if again.OS != p.OS || again.Architecture != p.Architecture || again.Variant != p.Variant || again.OSVersion != p.OSVersion {
			t.Fatalf("%q -> %q -> %+v, want %+v", s, String(&p), again, p)
		}
		if !Matches(p, p) {
			t.Fatalf("%q: %+v does not match itself", s, p)
		}
	})
}
