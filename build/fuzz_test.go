package build

import (
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/image"
)

func FuzzParsePlatforms(f *testing.F) {
	for _, s := range []string{"linux/amd64,linux/arm64", "all", "linux/arm/v7", "linux/arm64/v8.2", "linux", "/", ",,", "linux/amd64:10.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		ps, err := ParsePlatforms([]string{spec})
		if err != nil {
			return
		}
		if len(ps) == 0 {
			t.Fatal("no platforms and no error")
		}
		for _, p := range ps {
			if p.OS != "linux" || p.Architecture == "" || checkVariant(p) != nil {
				t.Fatalf("accepted %+v from %q", p, spec)
			}
			for _, kv := range goEnv(p) {
				if !strings.Contains(kv, "=") || strings.ContainsAny(kv, "\x00\n") {
					t.Fatalf("bad env %q from %q", kv, spec)
				}
			}
		}
	})
}

func FuzzPushTarget(f *testing.F) {
	for _, s := range []string{"reg.example/app", "reg.example/app:v1", "localhost:5000/a/b:c", "a@sha256:00", "UPPER/x", ":", "x/{name}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		pubs, err := Targets{Push: []string{target}}.Publishers()
		if err != nil {
			return
		}
		p := pubs[0]
		if e, ok := p.(extraTagPublisher); ok {
			if !image.ValidTag(e.tag) {
				t.Fatalf("target %q gave invalid extra tag %q", target, e.tag)
			}
			p = e.inner
		}
		rp := p.(*RegistryPublisher)
		if _, err := rp.Repository(Package{Name: "app"}); err != nil {
			t.Fatalf("target %q accepted but repository fails: %v", target, err)
		}
	})
}
