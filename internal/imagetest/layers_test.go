package imagetest

import (
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestTopLayerEntryMatchesWholeNames(t *testing.T) {
	img := Image(t, ImageSpec{OS: "linux", Architecture: "amd64", Layers: []v1.Layer{
		Layer(t, File("./.profile", 0o644, []byte("dot")), File("profile", 0o644, []byte("plain")), File("app.", 0o644, []byte("app dot")), File("app", 0o644, []byte("app"))),
	}})
	tests := []struct{ name, want string }{
		{"profile", "plain"},
		{".profile", "dot"},
		{"/.profile", "dot"},
		{"./profile", "plain"},
		{"app", "app"},
	}
	for _, tt := range tests {
		if _, got := TopLayerEntry(t, img, tt.name); string(got) != tt.want {
			t.Errorf("TopLayerEntry(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
