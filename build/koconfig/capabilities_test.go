package koconfig

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/image/filecap"
)

func TestLinuxCapabilities(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string // the value of linux_capabilities
		text  string // getcap notation of the result; "" for no attribute
		xattr string // the attribute's bytes, hex (checked where given)
	}{
		// ko: a bare name is permitted only.
		{"one name", "net_bind_service", "cap_net_bind_service=p", "0000000200040000000000000000000000000000"},
		{"name with CAP_ in capitals", "CAP_NET_BIND_SERVICE", "cap_net_bind_service=p", ""},
		{"mixed case", "Net_Bind_Service", "cap_net_bind_service=p", ""},
		{"space-separated string", "net_bind_service net_raw", "cap_net_bind_service,cap_net_raw=p", ""},
		{"list", "[net_bind_service, cap_net_raw]", "cap_net_bind_service,cap_net_raw=p", ""},
		// Values from setcap on a real file (getfattr -e hex).
		{"setcap clause =ep", "cap_net_bind_service=ep", "cap_net_bind_service=ep", "0100000200040000000000000000000000000000"},
		{"high capability", "cap_net_admin,cap_bpf=eip", "cap_net_admin,cap_bpf=eip", "0100000200100000001000008000000080000000"},
		{"plus form", "net_bind_service+ep", "cap_net_bind_service=ep", ""},
		{"minus removes", "[net_raw,net_bind_service=ep, net_raw-p]", "cap_net_bind_service=ep", ""},
		{"number", "10=ep", "cap_net_bind_service=ep", ""},
		{"all", "all=p", "", ""},
		{"equals alone clears", "[net_bind_service, =]", "", ""},
		{"effective only is nothing", "net_bind_service=e", "", ""},
		{"empty list", "[]", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("k.yaml", []byte("builds:\n- linux_capabilities: "+tt.yaml+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			fc := cfg.Builds[0].FileCaps
			if tt.name == "all" {
				if fc == nil || fc.Permitted != filecap.Known || fc.Effective {
					t.Fatalf("all=p: got %v", fc)
				}
				return
			}
			got := ""
			if fc != nil {
				got = fc.String()
			}
			if got != tt.text {
				t.Errorf("got %q, want %q", got, tt.text)
			}
			if tt.xattr != "" {
				if b := hex.EncodeToString(fc.Marshal()); b != tt.xattr {
					t.Errorf("xattr %s, want %s", b, tt.xattr)
				}
			}
		})
	}
}

func TestLinuxCapabilitiesErrors(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"net_bind_servic", `unknown capability "net_bind_servic"`},
		{"net_bind_service,net_raw", "unknown capability"}, // ko: a bare term is one name
		{"cap_all", "unknown capability"},
		{"64", "unknown capability"},
		{"net_raw=x", "unknown flag"},
		{"+p", `unknown capability ""`},
		{"{a: b}", "want a list of strings"},
	} {
		_, err := Parse("k.yaml", []byte("builds:\n- linux_capabilities: "+tt.yaml+"\n"))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "k.yaml:2:") {
			t.Errorf("%s: got %v, want an error at k.yaml:2 with %q", tt.yaml, err, tt.want)
		}
	}
}

func TestLinuxCapabilitiesReachSettings(t *testing.T) {
	cfg, err := Parse("k.yaml", []byte("builds:\n- main: example.com/app\n  linux_capabilities: net_bind_service=ep\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := cfg.For("/w", "example.com/app", "/w/app")
	if err != nil {
		t.Fatal(err)
	}
	if s.FileCaps == nil || s.FileCaps.String() != "cap_net_bind_service=ep" {
		t.Fatalf("settings FileCaps %v", s.FileCaps)
	}
	other, err := cfg.For("/w", "example.com/other", "/w/other")
	if err != nil || other.FileCaps != nil {
		t.Fatalf("another package got %v (%v)", other.FileCaps, err)
	}
}
