package image

import (
	"errors"
	"io/fs"
	"testing"
)

func TestUserFromSpec(t *testing.T) {
	tests := []struct {
		spec          string
		complete      bool
		uid, gid      int
		groupsUnknown bool
		err           bool
	}{
		{spec: "", complete: true, uid: 0, groupsUnknown: true},
		{spec: "65532", complete: true, uid: 65532, groupsUnknown: true},
		{spec: "65532:", complete: true, uid: 65532, groupsUnknown: true},
		{spec: "65532:65533", complete: true, uid: 65532, gid: 65533},
		{spec: ":50", complete: true, uid: 0, gid: 50},
		{spec: "app"},
		{spec: "65532:staff"},
		{spec: "app:50"},
		{spec: "4294967296", err: true},
		{spec: "1:-1", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			c, complete, err := UserFromSpec(tt.spec)
			if tt.err {
				var ue *UserError
				if !errors.As(err, &ue) || !errors.Is(err, ErrRunUser) {
					t.Fatalf("err %v, want a *UserError", err)
				}
				return
			}
			if err != nil || complete != tt.complete {
				t.Fatalf("complete %v, err %v; want %v", complete, err, tt.complete)
			}
			if !complete {
				return
			}
			if c.UID != tt.uid || c.GID != tt.gid || c.GroupsUnknown != tt.groupsUnknown || c.DACOverride != (tt.uid == 0) {
				t.Errorf("cred %+v", c)
			}
		})
	}
}

// With the groups unknown, a check they could decide says so instead of
// guessing; one they cannot decide is answered.
func TestChecksWithGroupsUnknown(t *testing.T) {
	partial := Cred{UID: 65532, GroupsUnknown: true}
	file := func(mode fs.FileMode, uid, gid int) File {
		return File{Path: "/app/server", Found: true, Type: TypeRegular, Mode: mode, UID: uid, GID: gid, Dirs: []Dir{rootDir()}}
	}
	tests := []struct {
		name        string
		f           File
		denied      bool
		needsGroups bool
	}{
		{"other and group agree: allowed", file(0o755, 0, 0), false, false},
		{"other and group agree: denied", file(0o700, 0, 0), true, false},
		{"owner decides", file(0o700, 65532, 0), false, false},
		{"group may, other may not", file(0o710, 0, 10), true, true},
		{"group may not, other may", file(0o701, 0, 10), true, true},
		{"a directory on the way decides", File{Path: "/app/server", Found: true, Type: TypeRegular, Mode: 0o755,
			Dirs: []Dir{rootDir(), {Path: "/app", Mode: 0o750, GID: 10, Known: true}}}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := CheckExec(tt.f, partial)
			if (d != nil) != tt.denied || d != nil && (d.NeedsGroups != tt.needsGroups || d.Unknown != tt.needsGroups) {
				t.Fatalf("CheckExec = %+v", d)
			}
		})
	}
}
