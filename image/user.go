package image

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// maxUserFileBytes bounds /etc/passwd and /etc/group; the runtime's user
// package refuses larger files too.
const maxUserFileBytes = 10 << 20

// Cred is the identity a container's process runs with.
type Cred struct {
	Spec   string `json:"spec"` // as given: "" is the runtime's default, root
	UID    int    `json:"uid"`
	GID    int    `json:"gid"`
	Groups []int  `json:"groups,omitempty"` // supplementary groups: /etc/group entries listing the user
	Name   string `json:"name,omitempty"`   // the /etc/passwd entry matched; "" for an id without one
	Home   string `json:"home,omitempty"`
	// DACOverride: the process has CAP_DAC_OVERRIDE, as uid 0 has with the
	// runtimes' default capabilities (a non-root user gets none). A caller
	// that knows the capability is dropped clears it.
	DACOverride bool `json:"dacOverride"`
	// GroupsUnknown: GID and Groups are not known because the files that
	// give them were not read (see UserFromSpec). A permission check whose
	// answer depends on them is a Denial with NeedsGroups.
	GroupsUnknown bool `json:"groupsUnknown,omitempty"`
	// Files says what was read to resolve the spec (evidence).
	Files []string `json:"files,omitempty"`
}

// String describes the credentials the way id(1) does.
func (c Cred) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "uid=%d", c.UID)
	if c.Name != "" {
		fmt.Fprintf(&b, "(%s)", c.Name)
	}
	if c.GroupsUnknown {
		b.WriteString(" (gid and groups not read)")
		return b.String()
	}
	fmt.Fprintf(&b, " gid=%d", c.GID)
	if len(c.Groups) > 0 {
		gs := make([]string, len(c.Groups))
		for i, g := range c.Groups {
			gs[i] = strconv.Itoa(g)
		}
		fmt.Fprintf(&b, " groups=%s", strings.Join(gs, ","))
	}
	return b.String()
}

// inGroup is the kernel's in_group_p: the gid or a supplementary group.
func (c Cred) inGroup(gid int) bool {
	return c.GID == gid || slices.Contains(c.Groups, gid)
}

// UserError is the runtime refusing to start a container with a user
// spec; Error is the runtime's own message ("unable to find user app: no
// matching entries in passwd file"). It wraps ErrRunUser.
type UserError struct {
	Spec string
	Msg  string
}

func (e *UserError) Error() string { return e.Msg }

func (e *UserError) Unwrap() error { return ErrRunUser }

// ResolveUser resolves a user spec ("name", "uid", "name:group",
// "uid:gid", "name:gid", "uid:group"; "" for the default, root) against the
// image's /etc/passwd and /etc/group the way the runtime does before it
// starts the process. A spec the runtime rejects is a *UserError; other
// errors mean the files could not be read. A numeric "uid:gid" reads
// nothing: the files could only add the home directory.
func (img *Image) ResolveUser(ctx context.Context, spec string) (Cred, error) {
	if isNumericSpec(spec) {
		usr, grp, _ := strings.Cut(spec, ":")
		c := Cred{Spec: spec, UID: lenientAtoi(usr), GID: lenientAtoi(grp), Files: []string{"none read: numeric uid:gid"}}
		c.DACOverride = c.UID == 0
		return c, nil
	}
	return resolveUserSpec(spec, imageUserFiles{ctx: ctx, img: img})
}

// UserFromSpec is what a user spec settles without reading any file, so
// that a check which does not depend on the rest costs no bytes. complete
// is false for a spec naming a user or a group: only /etc/passwd and
// /etc/group give their ids (call ResolveUser). Otherwise the uid is the
// spec's number (0 when empty) and, with a numeric group, so is the gid;
// without one, the gid and supplementary groups come from the files, and
// the Cred says GroupsUnknown. An id out of range is the runtime's
// *UserError.
//
// What reading the files could add beyond the groups is only the runtime
// refusing a malformed /etc/passwd (a line longer than its scanner takes)
// and the home directory; neither changes a permission.
func UserFromSpec(spec string) (c Cred, complete bool, err error) {
	c = Cred{Spec: spec}
	usr, grp, _ := strings.Cut(spec, ":")
	ua, err := parseIDArg(usr)
	if err != nil {
		return c, false, &UserError{Spec: spec, Msg: err.Error()}
	}
	ga, err := parseIDArg(grp)
	if err != nil {
		return c, false, &UserError{Spec: spec, Msg: err.Error()}
	}
	if ua.set && !ua.numeric || ga.set && !ga.numeric {
		return c, false, nil
	}
	c.UID, c.DACOverride = ua.id, ua.id == 0
	if ga.set {
		c.GID = ga.id
		c.Files = []string{"none read: numeric uid and gid"}
	} else {
		c.GroupsUnknown = true
		c.Files = []string{"none read yet: the gid and groups would come from /etc/passwd and /etc/group"}
	}
	return c, true, nil
}

type imageUserFiles struct {
	ctx context.Context
	img *Image
}

// read opens a user database file as the runtime does: through symlinks
// and hard links inside the image, only a regular file, at most
// maxUserFileBytes.
func (u imageUserFiles) read(name string) ([]byte, bool, error) {
	f, err := u.img.Lookup(u.ctx, name)
	if err != nil {
		return nil, false, err
	}
	if !f.Found || f.Type != TypeRegular {
		return nil, false, nil
	}
	if f.Size > maxUserFileBytes {
		return nil, false, fmt.Errorf("%w: %s is %d bytes; the runtime reads at most %d", ErrLimit, name, f.Size, maxUserFileBytes)
	}
	data, err := u.img.readWhole(u.ctx, f)
	if err != nil {
		return nil, false, err
	}
	return data, true, nil
}
