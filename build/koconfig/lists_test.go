package koconfig

import (
	"reflect"
	"strings"
	"testing"
)

// TestSingleStringForms: every list-valued key accepts one string, split
// with the rule ko applies to that key (viper's GetStringSlice for the
// top-level keys; mapstructure and ko's StringArray/FlagArray for builds[]).
func TestSingleStringForms(t *testing.T) {
	tests := []struct {
		key  string
		yaml string
		get  func(*Config) []string
		want []string
	}{
		{"defaultPlatforms", "defaultPlatforms: linux/amd64 linux/arm64\n",
			func(c *Config) []string { return c.DefaultPlatforms }, []string{"linux/amd64", "linux/arm64"}},
		{"defaultPlatforms with commas", "defaultPlatforms: linux/amd64,linux/arm64\n",
			func(c *Config) []string { return c.DefaultPlatforms }, []string{"linux/amd64", "linux/arm64"}},
		{"defaultEnv", "defaultEnv: FOO=bar BAZ=1\n",
			func(c *Config) []string { return c.DefaultEnv }, []string{"FOO=bar", "BAZ=1"}},
		{"defaultFlags", "defaultFlags: -tags netgo\n",
			func(c *Config) []string { return c.DefaultFlags }, []string{"-tags", "netgo"}},
		{"defaultLdflags", "defaultLdflags: -s -w\n",
			func(c *Config) []string { return c.DefaultLdflags }, []string{"-s", "-w"}},
		{"defaultLdflags template without spaces", "defaultLdflags: -X main.v={{.Env.V}}\n",
			func(c *Config) []string { return c.DefaultLdflags }, []string{"-X", "main.v={{.Env.V}}"}},
		{"builds[].env kept whole", "builds:\n- env: FOO=bar baz\n",
			func(c *Config) []string { return c.Builds[0].Env }, []string{"FOO=bar baz"}},
		{"builds[].flags", "builds:\n- flags: -v -v\n",
			func(c *Config) []string { return c.Builds[0].Flags }, []string{"-v", "-v"}},
		{"builds[].ldflags kept whole", "builds:\n- ldflags: -s -w -X main.v={{ .Env.V }}\n",
			func(c *Config) []string { return c.Builds[0].Ldflags }, []string{"-s -w -X main.v={{ .Env.V }}"}},
		{"builds[].linux_capabilities", "builds:\n- linux_capabilities: net_bind_service CAP_NET_RAW\n",
			func(c *Config) []string { return c.Builds[0].LinuxCapabilities }, []string{"net_bind_service", "CAP_NET_RAW"}},
		{"empty string is an empty list", "defaultFlags: ''\n",
			func(c *Config) []string { return c.DefaultFlags }, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			cfg, err := Parse("k.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.get(cfg); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSingleStringCutsTemplate: ko would split "{{ .Env.V }}" into
// pieces and fail to render them; imgcheck says so at parse time.
func TestSingleStringCutsTemplate(t *testing.T) {
	for _, doc := range []string{
		"defaultLdflags: -X main.v={{ .Env.V }}\n",
		"defaultFlags: -ldflags={{ .Env.X }}\n",
		"defaultEnv: A={{ .Env.B }}\n",
		"builds:\n- flags: -tags={{ .Env.T }}\n",
	} {
		_, err := Parse("k.yaml", []byte(doc))
		if err == nil || !strings.Contains(err.Error(), "write the value as a list") {
			t.Errorf("%q: got %v, want the template error", doc, err)
		}
	}
}
