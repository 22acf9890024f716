package ldso

import (
	"slices"
	"testing"
)

func TestExpandDST(t *testing.T) {
	g := &glibc{lib: "lib/x86_64-linux-gnu", platform: "x86_64"}
	o := &glibcObject{origin: "/app/bin"}
	unknownOrigin := &glibcObject{}
	tests := []struct {
		in   string
		o    *glibcObject
		want string
		ok   bool
	}{
		{"$ORIGIN/../lib", o, "/app/bin/../lib", true},
		{"${ORIGIN}/lib", o, "/app/bin/lib", true},
		{"/opt/$LIB/x", o, "/opt/lib/x86_64-linux-gnu/x", true},
		{"/opt/${PLATFORM}", o, "/opt/x86_64", true},
		{"$ORIGINAL/x", o, "$ORIGINAL/x", true}, // not a token: an identifier character follows
		{"${ORIGIN/x", o, "${ORIGIN/x", true},   // unterminated brace
		{"/a/$$ORIGIN", o, "/a/$/app/bin", true},
		{"cost$5", o, "cost$5", true},
		{"$ORIGIN/lib", unknownOrigin, "", false}, // glibc drops the element
		{"/plain", o, "/plain", true},
	}
	for _, tt := range tests {
		got, ok := g.expandDST(tt.o, tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("expandDST(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSearchDirs(t *testing.T) {
	g := &glibc{lib: "lib64"}
	o := &glibcObject{origin: "/app"}
	tests := []struct {
		list, seps string
		want       []string
	}{
		{"/a:/b/:/a", ":", []string{"/a/", "/b/"}},               // trailing slash trimmed, repeat dropped
		{"/a::/b", ":", []string{"/a/", "", "/b/"}},              // an empty element is the working directory
		{"/a:", ":", []string{"/a/", ""}},                        // so is a trailing one
		{"/a;/b:$ORIGIN", ":;", []string{"/a/", "/b/", "/app/"}}, // LD_LIBRARY_PATH also splits on ';'
		{"/a;/b", ":", []string{"/a;/b/"}},                       // RPATH does not
		{"//", ":", []string{"/"}},                               // the root keeps one slash
		{"$ORIGIN/x:/y", ":", []string{"/app/x/", "/y/"}},        // tokens expanded
		{"/z/$PLATFORM:/y", ":", []string{"/y/"}},                // a token without a value drops its element
	}
	for _, tt := range tests {
		if got := g.searchDirs(tt.list, tt.seps, o); !slices.Equal(got, tt.want) {
			t.Errorf("searchDirs(%q, %q) = %q, want %q", tt.list, tt.seps, got, tt.want)
		}
	}
}

func TestDirOf(t *testing.T) {
	for in, want := range map[string]string{"/app/server": "/app", "/server": "/", "/a/b/../c/lib.so": "/a/b/../c", "lib.so": ""} {
		if got := dirOf(in); got != want {
			t.Errorf("dirOf(%q) = %q, want %q", in, got, want)
		}
	}
}
