package platform

import (
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// FromECS maps an ECS runtimePlatform to the platform the task's image
// must offer. No cpuArchitecture means X86_64 and no operatingSystemFamily
// means LINUX, as on Fargate; values are compared without regard to case.
// No variant is set: ECS names none, and an empty wanted variant accepts
// any. A Windows family adds the os.version build of its release ("" for
// a family this table does not know, which then matches any build).
func FromECS(cpuArchitecture, operatingSystemFamily string) v1.Platform {
	p := v1.Platform{OS: "linux", Architecture: "amd64"}
	if strings.EqualFold(cpuArchitecture, "ARM64") {
		p.Architecture = "arm64"
	}
	if IsWindowsFamily(operatingSystemFamily) {
		p.OS, p.OSVersion = "windows", WindowsBuild(operatingSystemFamily)
	}
	return p
}

// IsWindowsFamily reports whether an ECS operatingSystemFamily is a Windows
// one (WINDOWS_SERVER_2022_CORE and the like).
func IsWindowsFamily(family string) bool {
	return strings.HasPrefix(strings.ToUpper(family), "WINDOWS_")
}

// WindowsBuild returns the os.version prefix ("10.0.17763") that container
// images for a Windows operatingSystemFamily carry, or "" for other families.
func WindowsBuild(family string) string {
	switch strings.ToUpper(family) {
	// From Microsoft's "Windows Server release information" and "Windows
	// container version compatibility":
	// https://learn.microsoft.com/windows-server/get-started/windows-server-release-info
	// https://learn.microsoft.com/virtualization/windowscontainers/deploy-containers/version-compatibility
	case "WINDOWS_SERVER_2016_FULL":
		return "10.0.14393"
	case "WINDOWS_SERVER_2019_FULL", "WINDOWS_SERVER_2019_CORE":
		return "10.0.17763"
	case "WINDOWS_SERVER_2004_CORE":
		return "10.0.19041"
	case "WINDOWS_SERVER_20H2_CORE":
		return "10.0.19042"
	case "WINDOWS_SERVER_2022_FULL", "WINDOWS_SERVER_2022_CORE":
		return "10.0.20348"
	case "WINDOWS_SERVER_2025_FULL", "WINDOWS_SERVER_2025_CORE":
		return "10.0.26100"
	}
	return ""
}
