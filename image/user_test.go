package image

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// memUserFiles serves /etc/passwd and /etc/group from memory; a missing
// key is a file the runtime would not open.
type memUserFiles map[string]string

func (m memUserFiles) read(name string) ([]byte, bool, error) {
	s, ok := m[name]
	return []byte(s), ok, nil
}

const debianPasswd = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
app:x:1000:1000:App,,,:/home/app:/bin/sh
nonroot:x:65532:65532::/home/nonroot:/sbin/nologin
`

const debianGroup = `root:x:0:
daemon:x:1:
# a comment the runtime skips
adm:x:4:app,daemon
staff:x:50:app
app:x:1000:
nonroot:x:65532:
`

func TestResolveUserSpec(t *testing.T) {
	both := memUserFiles{"/etc/passwd": debianPasswd, "/etc/group": debianGroup}
	tests := []struct {
		name    string
		spec    string
		files   memUserFiles
		uid     int
		gid     int
		groups  []int
		user    string
		wantErr string // the runtime's message
	}{
		{name: "default is root", spec: "", files: both, uid: 0, gid: 0, user: "root"},
		{name: "name", spec: "app", files: both, uid: 1000, gid: 1000, groups: []int{4, 50}, user: "app"},
		{name: "uid with an entry", spec: "1000", files: both, uid: 1000, gid: 1000, groups: []int{4, 50}, user: "app"},
		{name: "uid without an entry", spec: "4242", files: both, uid: 4242, gid: 0},
		{name: "name:group", spec: "app:staff", files: both, uid: 1000, gid: 50, user: "app"},
		{name: "name:gid", spec: "app:7", files: both, uid: 1000, gid: 7, user: "app"},
		{name: "uid:gid without entries", spec: "4242:4343", files: both, uid: 4242, gid: 4343},
		{name: "uid:group", spec: "4242:adm", files: both, uid: 4242, gid: 4},
		{name: "name not found", spec: "ghost", files: both, wantErr: "unable to find user ghost: no matching entries in passwd file"},
		{name: "group not found", spec: "app:ghosts", files: both, wantErr: "unable to find group ghosts: no matching entries in group file"},
		{name: "no passwd: names fail", spec: "app", files: memUserFiles{}, wantErr: "unable to find user app: no matching entries in passwd file"},
		{name: "no passwd: ids pass", spec: "65532", files: memUserFiles{}, uid: 65532, gid: 0},
		{name: "no group file: no supplementary groups", spec: "app", files: memUserFiles{"/etc/passwd": debianPasswd}, uid: 1000, gid: 1000, user: "app"},
		{name: "no group file: group names fail", spec: "app:staff", files: memUserFiles{"/etc/passwd": debianPasswd}, wantErr: "unable to find group staff: no matching entries in group file"},
		{name: "negative uid", spec: "-1", files: both, wantErr: "uids and gids must be in range 0-2147483647"},
		{name: "uid past int32", spec: "2147483648", files: both, wantErr: "uids and gids must be in range 0-2147483647"},
		{name: "uid past int64", spec: "99999999999999999999", files: both, wantErr: "uids and gids must be in range 0-2147483647"},
		{name: "a plus sign is a number", spec: "+1000", files: both, uid: 1000, gid: 1000, groups: []int{4, 50}, user: "app"},
		{name: "a numeric-looking name is an id", spec: "007", files: memUserFiles{"/etc/passwd": "007:x:5:5::/:/bin/sh\nbond:x:7:7::/:/bin/sh\n"}, uid: 7, gid: 7, user: "bond"},
		{name: "only the first colon splits", spec: "app:staff:extra", files: both, wantErr: "unable to find group staff:extra"},
		{name: "first match wins", spec: "dup", files: memUserFiles{"/etc/passwd": "dup:x:10:10::/:/bin/sh\ndup:x:20:20::/:/bin/sh\n"}, uid: 10, gid: 10, user: "dup"},
		{name: "malformed lines tolerated", spec: "app", files: memUserFiles{"/etc/passwd": "garbage\n\n   \n::::\nbad:x:notanumber:x\n  app:x:1000:1000  \r\nshort:x\n"},
			uid: 1000, gid: 1000, user: "app"},
		{name: "a malformed line is uid 0 for the default", spec: "", files: memUserFiles{"/etc/passwd": "odd:x:zero:5\nroot:x:0:0::/root:/bin/sh\n"}, uid: 0, gid: 5, user: "odd"},
		{name: "passwd comments are not skipped", spec: "#app", files: memUserFiles{"/etc/passwd": "#app:x:9:9::/:/bin/sh\n"}, uid: 9, gid: 9, user: "#app"},
		{name: "group comments are skipped", spec: "app:#g", files: memUserFiles{"/etc/passwd": debianPasswd, "/etc/group": "#g:x:9:\n"}, wantErr: "unable to find group #g"},
		{name: "huge id in an entry is clamped", spec: "big", files: memUserFiles{"/etc/passwd": "big:x:99999999999999999999:1::/:/bin/sh\n"}, uid: 1<<63 - 1, gid: 1, user: "big"},
		{name: "passwd line too long", spec: "app", files: memUserFiles{"/etc/passwd": strings.Repeat("x", maxPasswdLine) + "\n" + debianPasswd},
			wantErr: "unable to find user app: bufio.Scanner: token too long"},
		{name: "passwd line just short enough", spec: "app", files: memUserFiles{"/etc/passwd": strings.Repeat("x", maxPasswdLine-1) + "\n" + debianPasswd},
			uid: 1000, gid: 1000, user: "app"},
		{name: "default user with a long line", spec: "", files: memUserFiles{"/etc/passwd": strings.Repeat("x", maxPasswdLine)},
			wantErr: "unable to find user 0: bufio.Scanner: token too long"},
		{name: "group line too long", spec: "app", files: memUserFiles{"/etc/passwd": debianPasswd, "/etc/group": strings.Repeat("x", maxGroupLine)},
			wantErr: "unable to find groups for spec app: bufio.Scanner: token too long"},
		{name: "empty member list", spec: "app", files: memUserFiles{"/etc/passwd": debianPasswd, "/etc/group": "g:x:5:\nh:x:6:,app,\n"}, uid: 1000, gid: 1000, groups: []int{6}, user: "app"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := resolveUserSpec(tt.spec, tt.files)
			if tt.wantErr != "" {
				var ue *UserError
				if !errors.As(err, &ue) || !errors.Is(err, ErrRunUser) || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("resolveUserSpec(%q) = %+v, %v; want the runtime's error %q", tt.spec, c, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("resolveUserSpec(%q): %v", tt.spec, err)
			}
			if c.UID != tt.uid || c.GID != tt.gid || !slices.Equal(c.Groups, tt.groups) || c.Name != tt.user {
				t.Errorf("resolveUserSpec(%q) = %s (name %q), want uid=%d gid=%d groups=%v name %q", tt.spec, c, c.Name, tt.uid, tt.gid, tt.groups, tt.user)
			}
			if c.DACOverride != (c.UID == 0) {
				t.Errorf("DACOverride = %v for uid %d", c.DACOverride, c.UID)
			}
		})
	}
}

// ResolveUser reads the files from the merged image, through symlinks and
// hard links, and does not read them for a numeric uid:gid.
func TestResolveUserFromImage(t *testing.T) {
	lower := imagetest.Layer(t,
		imagetest.Dir("etc"),
		imagetest.File("etc/passwd.orig", 0o644, []byte("root:x:0:0::/root:/bin/sh\n")),
		imagetest.File("etc/group", 0o644, []byte("root:x:0:\nwheel:x:10:app\n")),
	)
	upper := imagetest.Layer(t,
		imagetest.File("etc/passwd.new", 0o644, []byte("root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")),
		bareLink("etc/passwd.link", "etc/passwd.new"),
		imagetest.Symlink("etc/passwd", "passwd.link"),
	)
	p := openLayers(t, lower, upper)
	c, err := p.ResolveUser(t.Context(), "app")
	if err != nil || c.UID != 1000 || c.GID != 1000 || !slices.Equal(c.Groups, []int{10}) {
		t.Errorf("ResolveUser(app) = %s, %v", c, err)
	}
	if len(c.Files) != 2 || !strings.Contains(c.Files[0], "/etc/passwd read") {
		t.Errorf("evidence: %q", c.Files)
	}
	if _, err := p.ResolveUser(t.Context(), "nobody"); err == nil || err.Error() != "unable to find user nobody: no matching entries in passwd file" {
		t.Errorf("ResolveUser(nobody): %v", err)
	}
	numeric, err := p.ResolveUser(t.Context(), "1000:10")
	if err != nil || numeric.UID != 1000 || numeric.GID != 10 || numeric.Name != "" || !strings.Contains(numeric.Files[0], "none read") {
		t.Errorf("ResolveUser(1000:10) = %+v, %v", numeric, err)
	}

	// A directory where /etc/passwd should be is not opened: names fail,
	// ids pass.
	dir := openLayers(t, imagetest.Layer(t, imagetest.Dir("etc"), imagetest.Dir("etc/passwd")))
	if _, err := dir.ResolveUser(t.Context(), "app"); !errors.Is(err, ErrRunUser) {
		t.Errorf("passwd is a directory: %v", err)
	}
	if c, err := dir.ResolveUser(t.Context(), "5"); err != nil || c.UID != 5 {
		t.Errorf("ResolveUser(5) without passwd = %+v, %v", c, err)
	}

	// A passwd larger than the runtime reads cannot be judged.
	big := openLayers(t, imagetest.Layer(t, imagetest.File("etc/passwd", 0o644, make([]byte, maxUserFileBytes+1))))
	if _, err := big.ResolveUser(t.Context(), "app"); !errors.Is(err, ErrLimit) {
		t.Errorf("oversized passwd: %v", err)
	}
}

// FuzzPasswd resolves arbitrary specs against arbitrary passwd and group
// files: the resolver never panics, fails only with the runtime's
// *UserError, and keeps the runtime's guarantees (a numeric uid or gid is
// the one used; a name is the entry matched; supplementary groups only
// for the implicit form).
func FuzzPasswd(f *testing.F) {
	f.Add([]byte(debianPasswd), []byte(debianGroup), "app")
	f.Add([]byte(debianPasswd), []byte(debianGroup), "1000:staff")
	f.Add([]byte(debianPasswd), []byte(debianGroup), "")
	f.Add([]byte("a:b:c:d:e:f:g:h\n::::\n\r\n#x\n"), []byte("g:x:1:a,b,,c\n#\n:::\n"), "a:g")
	f.Add([]byte("x:x:99999999999999999999:-5\n"), []byte("y:y:y:y:y\n"), "x:-1")
	f.Fuzz(func(t *testing.T, passwd, group []byte, spec string) {
		files := memUserFiles{"/etc/passwd": string(passwd), "/etc/group": string(group)}
		c, err := resolveUserSpec(spec, files)
		if err != nil {
			var ue *UserError
			if !errors.As(err, &ue) || ue.Msg == "" {
				t.Fatalf("resolveUserSpec(%q): not the runtime's error: %v", spec, err)
			}
			return
		}
		usr, grp, _ := strings.Cut(spec, ":")
		u, _ := parseIDArg(usr)
		g, _ := parseIDArg(grp)
		switch {
		case u.numeric && c.UID != u.id:
			t.Fatalf("spec %q: uid %d, want %d", spec, c.UID, u.id)
		case u.set && !u.numeric && c.Name != u.name:
			t.Fatalf("spec %q: matched %q", spec, c.Name)
		case g.numeric && c.GID != g.id:
			t.Fatalf("spec %q: gid %d, want %d", spec, c.GID, g.id)
		case g.set && len(c.Groups) > 0:
			t.Fatalf("spec %q: supplementary groups %v with an explicit group", spec, c.Groups)
		case c.DACOverride != (c.UID == 0):
			t.Fatalf("spec %q: DACOverride %v for uid %d", spec, c.DACOverride, c.UID)
		}
		for _, data := range [][]byte{passwd, group} {
			lines := strings.Count(string(data), "\n") + 1
			if ps, err := parsePasswd(data, func(passwdEntry) bool { return true }); err == nil && len(ps) > lines {
				t.Fatalf("%d passwd entries from %d lines", len(ps), lines)
			}
			if gs, err := parseGroup(data, func(groupEntry) bool { return true }); err == nil && len(gs) > lines {
				t.Fatalf("%d group entries from %d lines", len(gs), lines)
			}
		}
	})
}
