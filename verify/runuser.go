package verify

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/imgcheck/imgcheck/image"
)

// runUser is who the container's process runs as: the task's user, or
// else the image's USER, or else root. It is worked out once per checker
// and only as far as the checks need: a numeric uid (or none) reads no
// file unless a permission depends on the groups the files would give.
type runUser struct {
	spec  string
	where string // what set it, for messages
	pos   *Location
	cred  image.Cred
	// complete: cred needs no more reading (every field known).
	complete bool
	// refused is the runtime's refusal of the spec; IC310 reports it and
	// no permission is judged (the process never starts).
	refused *image.UserError
}

// describe names the user for evidence: the ids and where they come from.
func (u *runUser) describe() string {
	return fmt.Sprintf("user %s (%s)", u.cred, u.where)
}

// runUser resolves the run user as far as the spec alone allows.
func (c *checker) runUser(ctx context.Context) (*runUser, error) {
	if c.user != nil {
		return c.user, nil
	}
	u := &runUser{spec: c.p.Config.User, where: fmt.Sprintf("image USER %q", c.p.Config.User)}
	if ct := c.container; ct != nil && ct.User.Known() && ct.User.Value != "" {
		u.spec, u.where, u.pos = ct.User.Value, fmt.Sprintf("container user %q", ct.User.Value), loc(ct.User.Pos)
	}
	if u.spec == "" {
		u.where = "root by default: the image sets no USER and the task no user"
	}
	cred, complete, err := image.UserFromSpec(u.spec)
	if err := u.settle(err); err != nil {
		return nil, err
	}
	if u.refused == nil && complete {
		u.cred, u.complete = cred, !cred.GroupsUnknown
	} else if u.refused == nil {
		if err := c.completeUser(ctx, u); err != nil {
			return nil, err
		}
	}
	c.user = u
	return u, nil
}

// completeUser reads /etc/passwd and /etc/group as the runtime does.
func (c *checker) completeUser(ctx context.Context, u *runUser) error {
	if u.complete || u.refused != nil {
		return nil
	}
	cred, err := c.p.ResolveUser(ctx, u.spec)
	if err := u.settle(err); err != nil {
		return fmt.Errorf("resolving the %s: %w", u.where, err)
	}
	if u.refused == nil {
		u.cred, u.complete = cred, true
	}
	return nil
}

// settle records a refusal by the runtime and returns any other error.
func (u *runUser) settle(err error) error {
	var ue *image.UserError
	if errors.As(err, &ue) {
		u.refused = ue
		return nil
	}
	return err
}

// access asks whether the run user may access f. nil means allowed, or
// that the user is refused (IC310 says so). A check that cannot be
// settled stops the run: could not verify.
func (c *checker) access(ctx context.Context, f image.File, a image.Access) (*image.Denial, *runUser, error) {
	u, err := c.runUser(ctx)
	if err != nil || u.refused != nil {
		return nil, u, err
	}
	d, err := c.p.CheckAccess(ctx, f, u.cred, a)
	if err != nil {
		return nil, u, err
	}
	if d != nil && d.NeedsGroups {
		// The groups decide: read the files the runtime reads for them.
		if err := c.completeUser(ctx, u); err != nil || u.refused != nil {
			return nil, u, err
		}
		if d, err = c.p.CheckAccess(ctx, f, u.cred, a); err != nil {
			return nil, u, err
		}
	}
	if d != nil && d.Unknown {
		return nil, u, errCheck{fmt.Sprintf("cannot tell whether the %s may %s %s: %s", u.describe(), a, f.Path, d.Reason)}
	}
	return d, u, nil
}

// denialEvidence is the file (or directory), its mode and owner, and the
// user.
func denialEvidence(d *image.Denial, u *runUser) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: mode %s, owner %d:%d", d.Type, d.Path, modeString(d), d.UID, d.GID)
	if d.Class != "" {
		fmt.Fprintf(&b, ", the %s bits apply", d.Class)
	}
	fmt.Fprintf(&b, "; %s; %s", d.Reason, u.describe())
	return b.String()
}

// modeString is the mode as chmod(1) takes it.
func modeString(d *image.Denial) string {
	bits := uint32(d.Mode.Perm())
	for flag, bit := range map[fs.FileMode]uint32{fs.ModeSetuid: 0o4000, fs.ModeSetgid: 0o2000, fs.ModeSticky: 0o1000} {
		if d.Mode&flag != 0 {
			bits |= bit
		}
	}
	return fmt.Sprintf("%04o", bits)
}

// denialFix says what to change for a denial.
func denialFix(d *image.Denial) string {
	switch {
	case d.Access == image.AccessSearch:
		return fmt.Sprintf("give directory %s the search bit for the user (for example mode 0755), or run as its owner", d.Path)
	case d.Access == image.AccessRead:
		return fmt.Sprintf("make %s readable by the user (for example mode 0644, 0755 for a script), or run as a user who may read it", d.Path)
	case d.Type != image.TypeRegular:
		return fmt.Sprintf("point at a regular file instead of the %s %s", d.Type, d.Path)
	}
	return fmt.Sprintf("give %s the execute bit for the user (for example mode 0755), change its owner, or run as a user who may execute it", d.Path)
}

// userRules: the runtime must resolve the user (task user over image
// USER) against the image's /etc/passwd and /etc/group, with its rules;
// numeric ids need no entry.
func (c *checker) userRules(ctx context.Context) error {
	u, err := c.runUser(ctx)
	if err != nil {
		return err
	}
	if u.refused == nil {
		return nil
	}
	var have []string
	for _, name := range []string{"/etc/passwd", "/etc/group"} {
		f, err := c.p.Lookup(ctx, name)
		if err != nil {
			return err
		}
		have = append(have, name+": "+presence(f.Found && f.Type == image.TypeRegular))
	}
	c.add("IC310", Finding{
		Message:  fmt.Sprintf("the %s cannot be resolved by the runtime: the container fails to start (%q)", u.where, u.refused.Msg),
		Evidence: strings.Join(have, "; "),
		Fix:      "use a numeric UID:GID (for example 65532:65532), or add the entry to the image",
		Location: u.pos})
	return nil
}

func presence(found bool) string {
	if found {
		return "present"
	}
	return "missing from the image"
}
