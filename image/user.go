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
	data, _, err := u.img.ReadFile(u.ctx, name, maxUserFileBytes)
	if err != nil {
		return nil, false, err
	}
	if int64(len(data)) != f.Size {
		return nil, false, fmt.Errorf("%w: read %d of the %d bytes of %s", ErrLimit, len(data), f.Size, name)
	}
	return data, true, nil
}
