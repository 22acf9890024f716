package filecap

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name, hex, text string
		want            Caps
	}{
		// Bytes as setcap writes them (read back with getxattr).
		{"net_bind_service=ep", "0100000200040000000000000000000000000000", "cap_net_bind_service=ep",
			Caps{Revision: 2, Effective: true, Permitted: Of(10)}},
		{"net_bind_service=p", "0000000200040000000000000000000000000000", "cap_net_bind_service=p",
			Caps{Revision: 2, Permitted: Of(10)}},
		{"high word", "0100000200100000001000008000000080000000", "cap_net_admin,cap_bpf=eip",
			Caps{Revision: 2, Effective: true, Permitted: Of(12, 39), Inheritable: Of(12, 39)}},
		{"revision 3 rootid 0", "010000030004000000000000000000000000000000000000", "cap_net_bind_service=ep",
			Caps{Revision: 3, Effective: true, Permitted: Of(10)}},
		{"revision 3 rootid 100000", "0000000300040000000000000000000000000000a0860100", "cap_net_bind_service=p",
			Caps{Revision: 3, Permitted: Of(10), RootID: 100000}},
		{"inheritable only", "0000000200000000000400000000000000000000", "cap_net_bind_service=i",
			Caps{Revision: 2, Inheritable: Of(10)}},
		{"nothing", "0000000200000000000000000000000000000000", "=", Caps{Revision: 2}},
		{"a bit Linux does not name", "0000000200000000000000000020000000000000", "45=p",
			Caps{Revision: 2, Permitted: Of(45)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mustHex(t, tt.hex)
			got, err := Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if got.String() != tt.text {
				t.Errorf("text %q, want %q", got.String(), tt.text)
			}
			if !bytes.Equal(got.Marshal(), b) {
				t.Errorf("Marshal %x, want %x", got.Marshal(), b)
			}
		})
	}
}

// TestParseMalformed: whatever the kernel's setxattr refuses is an error.
func TestParseMalformed(t *testing.T) {
	tests := []struct{ name, hex, want string }{
		{"empty", "", "shorter than its 4-byte header"},
		{"three bytes", "000000", "shorter"},
		{"header only", "00000002", "must be 20 bytes, is 4"},
		{"revision 2 one short", "01000002000400000000000000000000000000", "must be 20 bytes, is 19"},
		{"revision 2 one long", "010000020004000000000000000000000000000000", "must be 20 bytes, is 21"},
		{"revision 2 with a rootid", "010000020004000000000000000000000000000000000000", "must be 20 bytes, is 24"},
		{"revision 3 without rootid", "0100000300040000000000000000000000000000", "must be 24 bytes, is 20"},
		{"revision 1", "010000010004000000000000", "revision 1"},
		{"revision 0", "0100000000040000000000000000000000000000", "unknown revision 0x0"},
		{"revision 4", "0100000400040000000000000000000000000000", "unknown revision 0x4"},
		{"revision 255", "000000ff00040000000000000000000000000000", "unknown revision 0xff"},
		{"unknown flag", "0200000200040000000000000000000000000000", "flags 0x2"},
		{"flags in the middle byte", "0100010200040000000000000000000000000000", "flags 0x10001"},
		{"huge", strings.Repeat("00", 4096), "unknown revision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(mustHex(t, tt.hex))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestCapsJSON(t *testing.T) {
	c := Caps{Revision: 2, Effective: true, Permitted: Of(10, 45)}
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"text":"cap_net_bind_service,45=ep","revision":2,"effective":true,"permitted":["CAP_NET_BIND_SERVICE","45"],"inheritable":[]}`
	if string(raw) != want {
		t.Errorf("got %s\nwant %s", raw, want)
	}
}

func TestNames(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{{"chown", 0}, {"CAP_SYS_PTRACE", 19}, {"cap_checkpoint_restore", 40}, {"Net_Raw", 13}} {
		got, err := ParseName(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseName(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "ALL", "CAP_", "10", "net-raw"} {
		if _, err := ParseName(bad); err == nil {
			t.Errorf("ParseName(%q) succeeded", bad)
		}
	}
	if s := Of(0, 19, 40).String(); s != "CAP_CHOWN,CAP_SYS_PTRACE,CAP_CHECKPOINT_RESTORE" {
		t.Errorf("String %q", s)
	}
	if Set(0).String() != "(none)" || Known.Has(41) || !Known.Has(40) {
		t.Error("Known or the empty set is wrong")
	}
}

// FuzzParse: Parse never panics, and what it accepts is canonical: it
// marshals back to the same bytes and prints without panicking.
func FuzzParse(f *testing.F) {
	for _, h := range []string{
		"0100000200040000000000000000000000000000",
		"010000030004000000000000000000000000000000000000",
		"010000010004000000000000",
		"0200000200040000000000000000000000000000",
		"ffffffffffffffffffffffffffffffffffffffff",
		"",
	} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err != nil {
			if c != (Caps{}) {
				t.Fatalf("error %v with a non-zero result %+v", err, c)
			}
			return
		}
		if !bytes.Equal(c.Marshal(), b) {
			t.Fatalf("accepted %x but marshals to %x", b, c.Marshal())
		}
		if c.Revision != 2 && c.Revision != 3 {
			t.Fatalf("accepted revision %d", c.Revision)
		}
		_ = c.String()
		if _, err := json.Marshal(c); err != nil {
			t.Fatal(err)
		}
	})
}
