package taskdef

import (
	"strings"
	"testing"
)

func TestParseParams(t *testing.T) {
	tests := []struct {
		in      []string
		want    map[string]string
		wantErr string
	}{
		{in: nil, want: map[string]string{}},
		{in: []string{"Arch=arm64", "Url=http://x/?a=b", "Empty="}, want: map[string]string{"Arch": "arm64", "Url": "http://x/?a=b", "Empty": ""}},
		{in: []string{"AWS::Region=eu-west-1", "A=1", "A=2"}, want: map[string]string{"AWS::Region": "eu-west-1", "A": "2"}},
		{in: []string{"Tasks"}, wantErr: `"Tasks": want Name=Value`},
		{in: []string{"=x"}, wantErr: `"=x": want Name=Value`},
	}
	for _, tt := range tests {
		got, err := ParseParams(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%q: err = %v, want %s", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("%q: got %v, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%q: %s = %q, want %q", tt.in, k, got[k], v)
			}
		}
	}
}

// FuzzParseParams: a list that parses gives each name the value after its
// last "Name=", and one that does not names an argument without a name.
func FuzzParseParams(f *testing.F) {
	f.Add("Arch=arm64\nImage=x=y")
	f.Add("=v")
	f.Add("A=1\nA=\nB")
	f.Fuzz(func(t *testing.T, joined string) {
		kvs := strings.Split(joined, "\n")
		got, err := ParseParams(kvs)
		if err != nil {
			bad := false
			for _, kv := range kvs {
				if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
					bad = true
				}
			}
			if !bad {
				t.Fatalf("%q rejected: %v", kvs, err)
			}
			return
		}
		want := map[string]string{}
		for _, kv := range kvs {
			i := strings.Index(kv, "=")
			want[kv[:i]] = kv[i+1:]
		}
		if len(got) != len(want) {
			t.Fatalf("%q: got %v, want %v", kvs, got, want)
		}
		for k, v := range want {
			if strings.Contains(k, "=") || got[k] != v {
				t.Fatalf("%q: got %v, want %v", kvs, got, want)
			}
		}
	})
}
