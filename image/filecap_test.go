package image

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/image/filecap"
	"github.com/imgcheck/imgcheck/internal/imagetest"
)

func withCaps(e imagetest.Entry, raw []byte) imagetest.Entry {
	e.PAX = map[string]string{filecap.PAXRecord: string(raw)}
	return e
}

// TestFileCapabilities: a file's security.capability PAX record reaches
// File (hard links share their target's), a malformed one is reported,
// and files without one keep their JSON as it was.
func TestFileCapabilities(t *testing.T) {
	bind := filecap.Caps{Revision: 2, Effective: true, Permitted: filecap.Of(10)}
	img := openLayers(t,
		imagetest.Layer(t,
			imagetest.Dir("app"),
			withCaps(imagetest.File("app/server", 0o755, []byte("x")), bind.Marshal()),
			bareLink("app/alias", "app/server"),
			withCaps(imagetest.File("app/broken", 0o755, []byte("x")), []byte{1, 0, 0, 1, 0, 4, 0, 0, 0, 0, 0, 0}),
			imagetest.File("app/plain", 0o755, []byte("x")),
			imagetest.Symlink("app/link", "server"),
		),
		// A later layer replaces the file: the new entry's attribute counts.
		imagetest.Layer(t, imagetest.Dir("bin"), withCaps(imagetest.File("bin/tool", 0o755, []byte("y")),
			filecap.Caps{Revision: 3, Permitted: filecap.Of(13), RootID: 0}.Marshal())),
		imagetest.Layer(t, imagetest.Dir("bin"), imagetest.File("bin/tool", 0o755, []byte("z"))),
	)
	tests := []struct {
		path, text, err string
	}{
		{"/app/server", "cap_net_bind_service=ep", ""},
		{"/app/alias", "cap_net_bind_service=ep", ""},
		{"/app/link", "cap_net_bind_service=ep", ""},
		{"/app/broken", "", "revision 1"},
		{"/app/plain", "", ""},
		{"/bin/tool", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			f, err := img.Lookup(t.Context(), tt.path)
			if err != nil || !f.Found {
				t.Fatalf("lookup: %v %+v", err, f)
			}
			text := ""
			if f.Capabilities != nil {
				text = f.Capabilities.String()
			}
			if text != tt.text || !strings.Contains(f.CapabilitiesError, tt.err) || (tt.err == "") != (f.CapabilitiesError == "") {
				t.Errorf("capabilities %q error %q, want %q error containing %q", text, f.CapabilitiesError, tt.text, tt.err)
			}
			raw, _ := json.Marshal(f)
			if has := strings.Contains(string(raw), `"capabilities"`); has != (tt.text != "") {
				t.Errorf("JSON %s", raw)
			}
		})
	}
}
