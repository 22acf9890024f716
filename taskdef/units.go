package taskdef

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Task cpu and memory take the forms the ECS API documents: an integer in
// CPU units or MiB (as a JSON number or a string), or a string with a unit,
// "0.25 vCPU" / "1 vCPU" and "2 GB" / "0.5GB" (1 GB is 1024 MiB, 1 vCPU is
// 1024 units). The unit is matched without regard to case and the space is
// optional.
var unitRe = regexp.MustCompile(`^(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-z]+)$`)

// ParseCPU converts a task cpu value to CPU units.
func ParseCPU(s string) (int, error) {
	return parseUnits(s, "vcpu", "CPU units or vCPU, e.g. 1024 or \"1 vCPU\"")
}

// ParseMemory converts a task memory value to MiB.
func ParseMemory(s string) (int, error) {
	return parseUnits(s, "gb", "MiB or GB, e.g. 2048 or \"2 GB\"")
}

func parseUnits(s, unit, want string) (int, error) {
	t := strings.TrimSpace(s)
	if n, err := strconv.Atoi(t); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("%q is negative", s)
		}
		return n, nil
	}
	m := unitRe.FindStringSubmatch(t)
	if m == nil || strings.ToLower(m[2]) != unit {
		return 0, fmt.Errorf("%q is not a valid value: want %s", s, want)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil || f > 1<<20 {
		return 0, fmt.Errorf("%q is not a valid value: want %s", s, want)
	}
	v := f * 1024
	if v != math.Trunc(v) {
		return 0, fmt.Errorf("%q is not a whole number of units (%g)", s, v)
	}
	return int(v), nil
}
