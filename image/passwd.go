package image

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The run user is resolved with the rules of the user package that Docker,
// containerd and runc share (github.com/moby/sys/user, GetExecUser), so that
// the uid, gid, supplementary groups and error messages are the runtime's.
//
// Parsing is as lenient as the runtime's: lines are trimmed, blank lines
// skipped (and in /etc/group lines starting with '#'), fields split at
// ':' with missing fields left empty and extra ones ignored, numbers that
// do not parse read as 0 (strconv.Atoi, out of range clamped). A line
// longer than the runtime's scanner takes (64 KiB in /etc/passwd, 1 MiB
// in /etc/group) is the runtime's error "bufio.Scanner: token too long".

const (
	maxPasswdLine = bufio.MaxScanTokenSize // the runtime scans passwd with the default buffer
	maxGroupLine  = 1 << 20                // and group with a 1 MiB one
	maxID         = 1<<31 - 1              // the runtime's range for uids and gids
)

type passwdEntry struct {
	Name, Pass  string
	UID, GID    int
	Gecos, Home string
	Shell       string
}

type groupEntry struct {
	Name, Pass string
	GID        int
	Members    []string
}

// splitFields splits a line at ':' into n fields; missing ones are empty.
func splitFields(line []byte, n int) []string {
	out := make([]string, n)
	for i, f := range bytes.SplitN(line, []byte(":"), n+1) {
		if i < n {
			out[i] = string(f)
		}
	}
	return out
}

// lenientAtoi is the runtime's field conversion: errors ignored.
func lenientAtoi(s string) int {
	v, _ := strconv.Atoi(s)
	return v
}

func parsePasswd(data []byte, keep func(passwdEntry) bool) ([]passwdEntry, error) {
	s := bufio.NewScanner(bytes.NewReader(data))
	s.Buffer(nil, maxPasswdLine)
	var out []passwdEntry
	for s.Scan() {
		line := bytes.TrimSpace(s.Bytes())
		if len(line) == 0 {
			continue
		}
		f := splitFields(line, 7)
		e := passwdEntry{Name: f[0], Pass: f[1], UID: lenientAtoi(f[2]), GID: lenientAtoi(f[3]), Gecos: f[4], Home: f[5], Shell: f[6]}
		if keep(e) {
			out = append(out, e)
		}
	}
	return out, s.Err()
}

func parseGroup(data []byte, keep func(groupEntry) bool) ([]groupEntry, error) {
	s := bufio.NewScanner(bytes.NewReader(data))
	s.Buffer(nil, maxGroupLine)
	var out []groupEntry
	for s.Scan() {
		line := bytes.TrimSpace(s.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		f := splitFields(line, 4)
		e := groupEntry{Name: f[0], Pass: f[1], GID: lenientAtoi(f[2])}
		if f[3] != "" {
			e.Members = strings.Split(f[3], ",")
		}
		if keep(e) {
			out = append(out, e)
		}
	}
	return out, s.Err()
}

// idArg is the user or group half of a spec: a name, or an id when it
// parses as a number.
type idArg struct {
	set     bool
	name    string
	id      int
	numeric bool
}

func parseIDArg(s string) (idArg, error) {
	if s == "" {
		return idArg{}, nil
	}
	a := idArg{set: true, name: s}
	id, err := strconv.Atoi(s)
	var nerr *strconv.NumError
	switch {
	case err == nil && (id < 0 || id > maxID), err != nil && errors.As(err, &nerr) && nerr.Err == strconv.ErrRange:
		return a, fmt.Errorf("uids and gids must be in range %d-%d", 0, maxID)
	case err == nil:
		a.id, a.numeric = id, true
	}
	return a, nil
}

// isNumericSpec reports whether both halves of a spec are ids, so that
// the files cannot change the result (they add only the home directory).
func isNumericSpec(spec string) bool {
	usr, grp, ok := strings.Cut(spec, ":")
	u, uerr := parseIDArg(usr)
	g, gerr := parseIDArg(grp)
	return ok && uerr == nil && gerr == nil && u.numeric && g.numeric
}

// userFiles gives the content of /etc/passwd and /etc/group, read only
// when needed; present is false when the runtime would not open the file.
type userFiles interface {
	read(name string) (data []byte, present bool, err error)
}

// resolveUserSpec is the runtime's GetExecUser with no defaults (uid 0):
// "", "user", "uid", "user:group", "uid:gid", "user:gid", "uid:group".
func resolveUserSpec(spec string, files userFiles) (Cred, error) {
	c := Cred{Spec: spec}
	usr, grp, _ := strings.Cut(spec, ":")
	ua, err := parseIDArg(usr)
	if err != nil {
		return c, &UserError{Spec: spec, Msg: err.Error()}
	}
	ga, err := parseIDArg(grp)
	if err != nil {
		return c, &UserError{Spec: spec, Msg: err.Error()}
	}
	passwd, havePasswd, err := files.read("/etc/passwd")
	if err != nil {
		return c, err
	}
	c.Files = append(c.Files, fileNote("/etc/passwd", havePasswd))
	var users []passwdEntry
	if havePasswd {
		users, err = parsePasswd(passwd, func(u passwdEntry) bool {
			switch {
			case !ua.set:
				return u.UID == 0
			case ua.numeric:
				return u.UID == ua.id
			}
			return u.Name == ua.name
		})
		if err != nil {
			name := usr
			if !ua.set {
				name = "0"
			}
			return c, &UserError{Spec: spec, Msg: fmt.Sprintf("unable to find user %s: %v", name, err)}
		}
	}
	matched := ""
	switch {
	case len(users) > 0: // the first match wins
		u := users[0]
		matched, c.Name, c.UID, c.GID, c.Home = u.Name, u.Name, u.UID, u.GID, u.Home
	case ua.set && !ua.numeric:
		return c, &UserError{Spec: spec, Msg: fmt.Sprintf("unable to find user %s: no matching entries in passwd file", ua.name)}
	case ua.set:
		c.UID = ua.id
	}
	if ga.set || matched != "" {
		if err := c.resolveGroups(spec, matched, ga, files); err != nil {
			return c, err
		}
	}
	c.DACOverride = c.UID == 0
	return c, nil
}

// resolveGroups sets the gid of an explicit group, or the supplementary
// groups listing the matched user's name.
func (c *Cred) resolveGroups(spec, matched string, ga idArg, files userFiles) error {
	group, haveGroup, err := files.read("/etc/group")
	if err != nil {
		return err
	}
	c.Files = append(c.Files, fileNote("/etc/group", haveGroup))
	var groups []groupEntry
	if haveGroup {
		groups, err = parseGroup(group, func(g groupEntry) bool {
			switch {
			case !ga.set:
				for _, m := range g.Members {
					if m == matched {
						return true
					}
				}
				return false
			case ga.numeric:
				return g.GID == ga.id
			}
			return g.Name == ga.name
		})
		if err != nil {
			return &UserError{Spec: spec, Msg: fmt.Sprintf("unable to find groups for spec %s: %v", matched, err)}
		}
	}
	switch {
	case ga.set && len(groups) > 0:
		c.GID = groups[0].GID
	case ga.set && !ga.numeric:
		return &UserError{Spec: spec, Msg: fmt.Sprintf("unable to find group %s: no matching entries in group file", ga.name)}
	case ga.set:
		c.GID = ga.id
	default:
		for _, g := range groups {
			c.Groups = append(c.Groups, g.GID)
		}
	}
	return nil
}

func fileNote(name string, present bool) string {
	if present {
		return name + " read"
	}
	return name + " absent (not a regular file in the image)"
}
