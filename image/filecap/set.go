// Package filecap models Linux capabilities as images and runtimes carry
// them: sets of capability numbers, names as capabilities(7) and the OCI
// runtime spec spell them, and the security.capability extended attribute
// (file capabilities) in the kernel's on-disk format, as a layer's tar
// entry carries it in the PAX record SCHILY.xattr.security.capability.
//
// It is a leaf package (standard library only) so that build (which writes
// the attribute), image (which reads it) and verify (which judges it
// against a task's capability sets) share one model.
package filecap

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// Set is a set of capabilities: bit n is capability number n.
type Set uint64

// LastCap is the highest capability number Linux knows (CAP_LAST_CAP,
// CAP_CHECKPOINT_RESTORE since Linux 5.9). The kernel masks higher bits of a
// file's sets away when it reads them.
const LastCap = 40

// names are the capability names of include/uapi/linux/capability.h
// without the CAP_ prefix, indexed by number.
var names = [LastCap + 1]string{
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
	"SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
	"IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
	"LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
	"WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
}

// Known is every capability Linux knows (0..LastCap).
const Known Set = 1<<(LastCap+1) - 1

// Of returns the set of the given capability numbers.
func Of(caps ...int) Set {
	var s Set
	for _, c := range caps {
		s |= 1 << uint(c)
	}
	return s
}

// Has reports whether capability number c is in the set.
func (s Set) Has(c int) bool { return c >= 0 && c < 64 && s&(1<<uint(c)) != 0 }

// Numbers lists the capability numbers in the set, lowest first.
func (s Set) Numbers() []int {
	out := make([]int, 0, bits.OnesCount64(uint64(s)))
	for v := uint64(s); v != 0; v &= v - 1 {
		out = append(out, bits.TrailingZeros64(v))
	}
	return out
}

// Names lists the set as the OCI runtime spec spells capabilities
// ("CAP_NET_BIND_SERVICE"), lowest number first; a number Linux does not
// name is written as the number.
func (s Set) Names() []string {
	nums := s.Numbers()
	out := make([]string, len(nums))
	for i, n := range nums {
		out[i] = Name(n)
	}
	return out
}

// String is the set's names joined by commas, or "(none)".
func (s Set) String() string {
	if s == 0 {
		return "(none)"
	}
	return strings.Join(s.Names(), ",")
}

// Name is the OCI spelling of capability number c ("CAP_CHOWN"), or the
// number for one Linux does not name.
func Name(c int) string {
	if c >= 0 && c <= LastCap {
		return "CAP_" + names[c]
	}
	return strconv.Itoa(c)
}

// ParseName reads one capability name as Docker's --cap-add and ko read
// them: any case, with or without the CAP_ prefix ("net_bind_service",
// "CAP_NET_BIND_SERVICE"). ALL and numbers are not names; callers that
// accept them handle them first.
func ParseName(s string) (int, error) {
	up := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "CAP_")
	for i, n := range names {
		if n == up {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown capability %q", s)
}

// ParseNames reads a list of names into a set.
func ParseNames(list []string) (Set, error) {
	var s Set
	for _, n := range list {
		c, err := ParseName(n)
		if err != nil {
			return 0, err
		}
		s |= 1 << uint(c)
	}
	return s, nil
}
