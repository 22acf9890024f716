package platform

import "testing"

func TestFromECS(t *testing.T) {
	tests := []struct {
		arch, family, want string
	}{
		{"", "", "linux/amd64"},
		{"ARM64", "LINUX", "linux/arm64"},
		{"arm64", "linux", "linux/arm64"},
		{"X86_64", "", "linux/amd64"},
		{"", "WINDOWS_SERVER_2022_CORE", "windows/amd64:10.0.20348"},
		{"X86_64", "windows_server_2019_full", "windows/amd64:10.0.17763"},
		{"", "WINDOWS_SERVER_2030_CORE", "windows/amd64"},
		{"", "WINDOWS", "linux/amd64"},
		{"{{arch}}", "{{os}}", "linux/amd64"},
	}
	for _, tt := range tests {
		p := FromECS(tt.arch, tt.family)
		if got := String(&p); got != tt.want {
			t.Errorf("FromECS(%q, %q) = %s, want %s", tt.arch, tt.family, got, tt.want)
		}
	}
}

func TestWindowsFamilies(t *testing.T) {
	tests := []struct {
		family, build string
		windows       bool
	}{
		{"WINDOWS_SERVER_2016_FULL", "10.0.14393", true},
		{"WINDOWS_SERVER_2019_FULL", "10.0.17763", true},
		{"WINDOWS_SERVER_2019_CORE", "10.0.17763", true},
		{"WINDOWS_SERVER_2004_CORE", "10.0.19041", true},
		{"WINDOWS_SERVER_20H2_CORE", "10.0.19042", true},
		{"WINDOWS_SERVER_2022_CORE", "10.0.20348", true},
		{"windows_server_2025_full", "10.0.26100", true},
		{"WINDOWS_SERVER_2030_CORE", "", true},
		{"LINUX", "", false},
		{"WINDOWS", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := IsWindowsFamily(tt.family); got != tt.windows {
			t.Errorf("IsWindowsFamily(%q) = %v, want %v", tt.family, got, tt.windows)
		}
		if got := WindowsBuild(tt.family); got != tt.build {
			t.Errorf("WindowsBuild(%q) = %q, want %q", tt.family, got, tt.build)
		}
	}
}
