package image

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

var (
	root    = Cred{UID: 0, GID: 0, DACOverride: true}
	rootCap = Cred{UID: 0, GID: 0} // CAP_DAC_OVERRIDE dropped
	app     = Cred{UID: 1000, GID: 1000, Groups: []int{50}}
	nonroot = Cred{UID: 65532, GID: 65532}
)

func TestPermits(t *testing.T) {
	tests := []struct {
		name      string
		mode      fs.FileMode
		uid, gid  int
		typ       EntryType
		cred      Cred
		access    Access
		want      bool
		wantClass string
	}{
		{"other x", 0o755, 0, 0, TypeRegular, nonroot, AccessExec, true, "other"},
		{"owner only, not the owner", 0o700, 0, 0, TypeRegular, nonroot, AccessExec, false, "other"},
		{"owner only, the owner", 0o700, 65532, 0, TypeRegular, nonroot, AccessExec, true, "owner"},
		{"owner bits win over other bits", 0o607, 65532, 0, TypeRegular, nonroot, AccessExec, false, "owner"},
		{"group bits win over other bits", 0o405, 0, 65532, TypeRegular, nonroot, AccessRead, false, "group"},
		{"group x by primary gid", 0o710, 0, 1000, TypeRegular, app, AccessExec, true, "group"},
		{"group x by supplementary group", 0o710, 0, 50, TypeRegular, app, AccessExec, true, "group"},
		{"group x, not in the group", 0o710, 0, 51, TypeRegular, app, AccessExec, false, "other"},
		{"root needs one x bit", 0o644, 1000, 1000, TypeRegular, root, AccessExec, false, "other"},
		{"root: any x bit will do", 0o610, 1000, 1000, TypeRegular, root, AccessExec, true, "other"},
		{"root reads anything", 0o000, 1000, 1000, TypeRegular, root, AccessRead, true, "other"},
		{"root searches anything", 0o700, 1000, 1000, TypeDir, root, AccessSearch, true, "other"},
		{"root without the capability", 0o700, 1000, 1000, TypeDir, rootCap, AccessSearch, false, "other"},
		{"root owning the file uses the owner bits", 0o077, 0, 0, TypeRegular, rootCap, AccessRead, false, "owner"},
		{"read by other", 0o644, 0, 0, TypeRegular, nonroot, AccessRead, true, "other"},
		{"no read for other", 0o640, 0, 0, TypeRegular, nonroot, AccessRead, false, "other"},
		{"execute-only binary", 0o711, 0, 0, TypeRegular, nonroot, AccessExec, true, "other"},
		{"search a 0711 directory", 0o711, 0, 0, TypeDir, nonroot, AccessSearch, true, "other"},
		{"search a 0750 directory", 0o750, 0, 0, TypeDir, nonroot, AccessSearch, false, "other"},
		{"setuid bits do not grant", fs.ModeSetuid | 0o700, 0, 0, TypeRegular, nonroot, AccessExec, false, "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, class, why := permits(tt.mode, tt.uid, tt.gid, tt.typ, tt.cred, tt.access)
			if ok != tt.want || class != tt.wantClass {
				t.Errorf("permits = %v %s (%s), want %v %s", ok, class, why, tt.want, tt.wantClass)
			}
			if !ok && why == "" {
				t.Errorf("a denial without a reason")
			}
		})
	}
}

func TestCheckExecAndRead(t *testing.T) {
	dir := func(p string, mode fs.FileMode, uid int) Dir {
		return Dir{Path: p, Mode: mode, UID: uid, GID: uid, Known: true}
	}
	file := func(mode fs.FileMode, dirs ...Dir) File {
		return File{Path: "/app/bin/server", Resolved: "/app/bin/server", Found: true, Type: TypeRegular, Mode: mode, Dirs: append([]Dir{rootDir()}, dirs...)}
	}
	tests := []struct {
		name     string
		f        File
		cred     Cred
		access   Access
		wantPath string // "" when allowed
		unknown  bool
	}{
		{"allowed", file(0o755, dir("/app", 0o755, 0), dir("/app/bin", 0o755, 0)), nonroot, AccessExec, "", false},
		{"file not executable for the user", file(0o700, dir("/app", 0o755, 0), dir("/app/bin", 0o755, 0)), nonroot, AccessExec, "/app/bin/server", false},
		{"a directory not searchable", file(0o755, dir("/app", 0o700, 0), dir("/app/bin", 0o755, 0)), nonroot, AccessExec, "/app", false},
		{"a directory the user owns", file(0o755, dir("/app", 0o700, 65532), dir("/app/bin", 0o755, 0)), nonroot, AccessExec, "", false},
		{"root searches a 0700 directory", file(0o755, dir("/app", 0o700, 1000)), root, AccessExec, "", false},
		{"root and a file without x", file(0o644), root, AccessExec, "/app/bin/server", false},
		{"read a 0711 binary", file(0o711), nonroot, AccessRead, "/app/bin/server", false},
		{"read a library", file(0o644, dir("/app", 0o755, 0)), nonroot, AccessRead, "", false},
		{"a directory is not executable", File{Path: "/app", Resolved: "/app", Found: true, Type: TypeDir, Mode: 0o755}, root, AccessExec, "/app", false},
		{"a device is not executable", File{Path: "/dev/x", Resolved: "/dev/x", Found: true, Type: TypeOther, Mode: 0o777}, root, AccessExec, "/dev/x", false},
		{"unsettled directory, non-root", file(0o755, Dir{Path: "/app", Layer: 1}), nonroot, AccessExec, "/app", true},
		{"unsettled directory, root", file(0o755, Dir{Path: "/app", Layer: 1}), root, AccessExec, "", false},
		{"not found", File{Path: "/nope", Reason: ReasonNoSuchFile}, root, AccessExec, "/nope", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := CheckExec
			if tt.access == AccessRead {
				check = CheckRead
			}
			d := check(tt.f, tt.cred)
			if tt.wantPath == "" {
				if d != nil {
					t.Fatalf("denied: %s", d)
				}
				return
			}
			if d == nil || d.Path != tt.wantPath || d.Unknown != tt.unknown || d.Reason == "" {
				t.Fatalf("got %+v, want a denial on %s (unknown=%v)", d, tt.wantPath, tt.unknown)
			}
			if s := d.String(); !strings.Contains(s, tt.wantPath) || !strings.Contains(s, tt.cred.String()) {
				t.Errorf("evidence %q names neither the path nor the user", s)
			}
		})
	}
}

// Lookups record every directory searched, through symlinks, with its
// mode and owner; ResolveDirs settles directories only implied by deeper
// names, as the appliers create them.
func TestLookupRecordsDirectories(t *testing.T) {
	dirEntry := func(name string, mode int64, uid int) imagetest.Entry {
		e := imagetest.Dir(name)
		e.Mode, e.UID, e.GID = mode, uid, uid
		return e
	}
	lower := imagetest.Layer(t,
		dirEntry("opt", 0o711, 0),
		dirEntry("opt/app", 0o750, 1000),
		imagetest.File("opt/app/server", 0o755, []byte("#!/bin/sh\n")),
		dirEntry("srv", 0o700, 7),
	)
	upper := imagetest.Layer(t,
		dirEntry("usr", 0o755, 0),
		imagetest.Dir("usr/bin"),
		imagetest.Symlink("usr/bin/server", "../../opt/app/server"),
		imagetest.File("srv/data/x", 0o644, []byte("x")), // srv implied here: its metadata is layer 0's
		imagetest.File("new/deep/y", 0o644, []byte("y")), // no layer has new/: 0755 root
	)
	p := openLayers(t, lower, upper)
	f, err := p.Lookup(t.Context(), "/usr/bin/server")
	if err != nil || !f.Found {
		t.Fatal(f, err)
	}
	var got []string
	for _, d := range f.Dirs {
		got = append(got, d.Path)
	}
	if strings.Join(got, " ") != "/ /usr /usr/bin /opt /opt/app" {
		t.Errorf("dirs searched %v, want / /usr /usr/bin /opt /opt/app", got)
	}
	if d := CheckExec(f, nonroot); d == nil || d.Path != "/opt/app" || d.Mode != 0o750 || d.UID != 1000 {
		t.Errorf("CheckExec as 65532 = %v, want a denial on /opt/app (0750, uid 1000)", d)
	}
	if d := CheckExec(f, Cred{UID: 1000, GID: 1000}); d != nil {
		t.Errorf("CheckExec as the owner: %s", d)
	}

	srv, _ := p.Lookup(t.Context(), "/srv/data/x")
	if d := CheckRead(srv, nonroot); d == nil || !d.Unknown {
		t.Errorf("an implied directory must be settled before judging: %v", d)
	}
	d, err := p.CheckAccess(t.Context(), srv, nonroot, AccessRead)
	if err != nil || d == nil || d.Path != "/srv" || d.Mode != 0o700 || d.UID != 7 || d.Unknown {
		t.Errorf("CheckAccess(/srv/data/x) = %v, %v; want a denial on /srv (0700, uid 7, copied from layer 0)", d, err)
	}
	deep, _ := p.Lookup(t.Context(), "/new/deep/y")
	if d, err := p.CheckAccess(t.Context(), deep, nonroot, AccessRead); err != nil || d != nil {
		t.Errorf("CheckAccess(/new/deep/y) = %v, %v; directories no layer has are 0755 root", d, err)
	}
	if err := p.ResolveDirs(t.Context(), &deep); err != nil || deep.Dirs[1].Mode != 0o755 || !deep.Dirs[1].Known {
		t.Errorf("ResolveDirs: %+v, %v", deep.Dirs, err)
	}
}
