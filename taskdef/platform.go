package taskdef

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// OperatingSystemFamilies returns the valid operatingSystemFamily values.
func OperatingSystemFamilies() []string { return slices.Clone(operatingSystemFamilies) }

// FargateWindowsFamily reports whether Fargate runs the Windows family.
func FargateWindowsFamily(family string) bool {
	return slices.Contains(fargateWindowsFamilies, strings.ToUpper(family))
}

// ValidFargateSize checks task cpu (CPU units) and memory (MiB) against the
// Fargate table. platformVersion is the service's platform version ("" or
// LATEST mean the latest).
func ValidFargateSize(cpu, mem int, platformVersion string) error {
	i := slices.IndexFunc(fargateSizes, func(s fargateSize) bool { return s.CPU == cpu })
	if i < 0 {
		valid := make([]string, len(fargateSizes))
		for j, s := range fargateSizes {
			valid[j] = strconv.Itoa(s.CPU)
		}
		return fmt.Errorf("cpu %d is not a Fargate task size (valid: %s)", cpu, strings.Join(valid, ", "))
	}
	row := fargateSizes[i]
	if row.Choices != nil {
		if !slices.Contains(row.Choices, mem) {
			return fmt.Errorf("memory %d MiB is not valid with cpu %d on Fargate (valid: %s MiB)", mem, cpu, joinInts(row.Choices))
		}
	} else if mem < row.MinMiB || mem > row.MaxMiB || (mem-row.MinMiB)%row.StepMiB != 0 {
		return fmt.Errorf("memory %d MiB is not valid with cpu %d on Fargate (valid: %d to %d MiB in steps of %d)", mem, cpu, row.MinMiB, row.MaxMiB, row.StepMiB)
	}
	if row.MinLinuxPlatform != "" && PlatformVersionBefore(platformVersion, row.MinLinuxPlatform) {
		return fmt.Errorf("cpu %d needs Fargate platform version %s or later, not %s", cpu, row.MinLinuxPlatform, platformVersion)
	}
	return nil
}

// ValidFargateWindows checks the Windows-on-Fargate limits: a supported OS
// family, X86_64, at least 1 vCPU and 2 GiB.
func ValidFargateWindows(rp RuntimePlatform, cpu, mem int) error {
	family := rp.OperatingSystemFamily.Value
	if !FargateWindowsFamily(family) {
		return fmt.Errorf("operatingSystemFamily %s does not run on Fargate (Fargate runs %s)", family, strings.Join(fargateWindowsFamilies, ", "))
	}
	if strings.EqualFold(rp.CPUArchitecture.Value, "ARM64") {
		return fmt.Errorf("windows on Fargate is X86_64 only, not ARM64")
	}
	if cpu < fargateWindowsMinCPU || mem < fargateWindowsMinMemory {
		return fmt.Errorf("windows on Fargate needs at least %d CPU units and %d MiB, not %d and %d", fargateWindowsMinCPU, fargateWindowsMinMemory, cpu, mem)
	}
	return nil
}

// ValidPlatformVersion checks a Fargate platform version for the OS.
func ValidPlatformVersion(version string, windows bool) error {
	valid := linuxPlatformVersions
	if windows {
		valid = windowsPlatformVersions
	}
	if version == "" || slices.Contains(valid, strings.ToUpper(version)) {
		return nil
	}
	return fmt.Errorf("platform version %q is not a Fargate %s platform version (valid: %s)", version, map[bool]string{false: "Linux", true: "Windows"}[windows], strings.Join(valid, ", "))
}

// PlatformVersionBefore reports whether a Linux platform version is older
// than min. "" and LATEST mean the latest version.
func PlatformVersionBefore(version, min string) bool {
	if version == "" || strings.EqualFold(version, "LATEST") {
		version = latestLinuxPlatform
	}
	return compareVersions(version, min) < 0
}

func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
