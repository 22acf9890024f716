package image

import (
	"context"
	"fmt"
	"io/fs"
)

// Access is what a process asks of a file.
type Access string

// Accesses the kernel checks on the way to running a program.
const (
	// AccessExec: execve(2) of the file, and the kernel's open of an ELF
	// or #! interpreter.
	AccessExec Access = "execute"
	// AccessRead: an open for reading, as the dynamic loader opens
	// libraries and a shell opens its script.
	AccessRead Access = "read"
	// AccessSearch: looking a name up in a directory.
	AccessSearch Access = "search"
)

// Denial is the kernel refusing an access ("permission denied", EACCES),
// with the evidence: the file or directory, its mode and owner, and the
// user. Unknown means the metadata needed was not settled (see
// ResolveDirs), the file was not found, or (NeedsGroups) the answer
// depends on groups the Cred leaves unknown: the caller cannot tell.
type Denial struct {
	Path    string      `json:"path"`
	Access  Access      `json:"access"`
	Type    EntryType   `json:"type,omitempty"`
	Mode    fs.FileMode `json:"mode"`
	UID     int         `json:"uid"`
	GID     int         `json:"gid"`
	User    Cred        `json:"user"`
	Class   string      `json:"class,omitempty"` // the permission bits the kernel used: owner, group or other
	Reason  string      `json:"reason"`
	Unknown bool        `json:"unknown,omitempty"`
	// NeedsGroups: Unknown only because the user's gid and supplementary
	// groups are not resolved (Cred.GroupsUnknown); resolving the user
	// with ResolveUser and checking again settles it.
	NeedsGroups bool `json:"needsGroups,omitempty"`
}

func (d *Denial) String() string {
	if d.Unknown {
		return fmt.Sprintf("cannot tell whether %s may %s %s: %s", d.User, d.Access, d.Path, d.Reason)
	}
	return fmt.Sprintf("%s permission denied on %s (%s, mode %04o, owner %d:%d) for %s: %s",
		d.Access, d.Path, d.Type, uint32(d.Mode.Perm()|d.Mode&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)), d.UID, d.GID, d.User, d.Reason)
}

// permits is the kernel's generic_permission for one inode: the owner's
// bits when the uid owns it, else the group's when the process is in its
// group, else the others'; then CAP_DAC_OVERRIDE allows reading and
// searching anything and executing a non-directory with any x bit.
func permits(mode fs.FileMode, uid, gid int, typ EntryType, c Cred, a Access) (bool, string, string) {
	var bits fs.FileMode
	var class string
	switch {
	case c.UID == uid:
		bits, class = mode.Perm()>>6&7, "owner"
	case c.inGroup(gid):
		bits, class = mode.Perm()>>3&7, "group"
	default:
		bits, class = mode.Perm()&7, "other"
	}
	need := fs.FileMode(1)
	if a == AccessRead {
		need = 4
	}
	if bits&need != 0 {
		return true, class, ""
	}
	if c.DACOverride && (a != AccessExec || typ == TypeDir || mode&0o111 != 0) {
		return true, class, ""
	}
	why := fmt.Sprintf("the %s bits %s have no %s", class, rwx(bits), accessBit(a))
	if c.DACOverride {
		why = "no execute bit at all, which even root (CAP_DAC_OVERRIDE) needs"
	}
	return false, class, why
}

// groupsDecide reports whether the answer of permits for c depends on
// groups that c leaves unknown: c does not own the inode and its group
// bits and other bits answer differently.
func groupsDecide(mode fs.FileMode, uid, gid int, typ EntryType, c Cred, a Access) bool {
	if !c.GroupsUnknown || c.UID == uid {
		return false
	}
	member, stranger := c, c
	member.GID, member.Groups = gid, nil
	stranger.GID, stranger.Groups = -1, nil
	in, _, _ := permits(mode, uid, gid, typ, member, a)
	out, _, _ := permits(mode, uid, gid, typ, stranger, a)
	return in != out
}

// decide is permits for a Cred that may leave its groups unknown: when
// they cannot change the answer it is given for both classes, and
// unknown says they could.
func decide(mode fs.FileMode, uid, gid int, typ EntryType, c Cred, a Access) (ok bool, class, why string, unknown bool) {
	if groupsDecide(mode, uid, gid, typ, c, a) {
		return false, "", "", true
	}
	if !c.GroupsUnknown || c.UID == uid {
		ok, class, why = permits(mode, uid, gid, typ, c, a)
		return ok, class, why, false
	}
	stranger := c
	stranger.GID, stranger.Groups = -1, nil
	ok, _, why = permits(mode, uid, gid, typ, stranger, a)
	if !ok && !c.DACOverride {
		why = fmt.Sprintf("neither the group bits %s nor the other bits %s have %s", rwx(mode.Perm()>>3&7), rwx(mode.Perm()&7), accessBit(a))
	}
	return ok, "group or other", why, false
}

func needsGroups(path string, a Access, typ EntryType, mode fs.FileMode, uid, gid int, c Cred) *Denial {
	return &Denial{Path: path, Access: a, Type: typ, Mode: mode, UID: uid, GID: gid, User: c, Unknown: true, NeedsGroups: true,
		Reason: fmt.Sprintf("the group bits and the other bits of %s answer differently and the user's groups are not resolved", path)}
}

// accessBit is the permission bit an access needs.
func accessBit(a Access) string {
	if a == AccessRead {
		return "r"
	}
	return "x"
}

func rwx(bits fs.FileMode) string {
	b := []byte("---")
	for i, c := range "rwx" {
		if bits&(4>>i) != 0 {
			b[i] = byte(c)
		}
	}
	return string(b)
}

// CheckSearch reports the first directory of f.Dirs that c may not
// search, or nil.
func CheckSearch(f File, c Cred) *Denial {
	for _, d := range f.Dirs {
		if !d.Known {
			if c.DACOverride {
				continue // searching any directory is allowed
			}
			return &Denial{Path: d.Path, Access: AccessSearch, Type: TypeDir, User: c, Unknown: true,
				Reason: fmt.Sprintf("directory %s has no entry in layer %d (metadata not resolved: call ResolveDirs)", d.Path, d.Layer)}
		}
		ok, class, why, unknown := decide(d.Mode, d.UID, d.GID, TypeDir, c, AccessSearch)
		if unknown {
			return needsGroups(d.Path, AccessSearch, TypeDir, d.Mode, d.UID, d.GID, c)
		}
		if !ok {
			return &Denial{Path: d.Path, Access: AccessSearch, Type: TypeDir, Mode: d.Mode, UID: d.UID, GID: d.GID,
				User: c, Class: class, Reason: why + fmt.Sprintf(" (looking up %s)", f.Path)}
		}
	}
	return nil
}

// CheckExec reports why c may not execute f, or nil: search permission on
// every directory of its path, a regular file, and execute permission.
func CheckExec(f File, c Cred) *Denial {
	return checkFile(f, c, AccessExec)
}

// CheckRead reports why c may not open f for reading, or nil.
func CheckRead(f File, c Cred) *Denial {
	return checkFile(f, c, AccessRead)
}

func checkFile(f File, c Cred, a Access) *Denial {
	if !f.Found {
		return &Denial{Path: f.Path, Access: a, User: c, Unknown: true, Reason: "not found: " + string(f.Reason)}
	}
	if d := CheckSearch(f, c); d != nil {
		return d
	}
	name := f.Resolved
	if name == "" {
		name = f.Path
	}
	deny := &Denial{Path: name, Access: a, Type: f.Type, Mode: f.Mode, UID: f.UID, GID: f.GID, User: c}
	if a == AccessExec && f.Type != TypeRegular {
		deny.Reason = fmt.Sprintf("a %s cannot be executed, only a regular file", f.Type)
		return deny
	}
	ok, class, why, unknown := decide(f.Mode, f.UID, f.GID, f.Type, c, a)
	if unknown {
		return needsGroups(name, a, f.Type, f.Mode, f.UID, f.GID, c)
	}
	if ok {
		return nil
	}
	deny.Class, deny.Reason = class, why
	return deny
}

// CheckAccess is CheckExec, CheckRead or CheckSearch after settling the
// metadata of f's directories when it matters (a user without
// CAP_DAC_OVERRIDE).
func (img *Image) CheckAccess(ctx context.Context, f File, c Cred, a Access) (*Denial, error) {
	if !c.DACOverride {
		f.Dirs = append([]Dir(nil), f.Dirs...)
		if err := img.ResolveDirs(ctx, &f); err != nil {
			return nil, err
		}
	}
	switch a {
	case AccessSearch:
		return CheckSearch(f, c), nil
	case AccessRead:
		return CheckRead(f, c), nil
	}
	return CheckExec(f, c), nil
}
