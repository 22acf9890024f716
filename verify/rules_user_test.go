package verify

import (
	"testing"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// The run user's permissions (IC213, IC214, IC215) and its resolution
// (IC310), judged as runc and the kernel judge them.
func TestRunUserPermissions(t *testing.T) {
	static := imagetest.GoBinary(t, "linux", "amd64", false)
	cgo := imagetest.GoBinary(t, "linux", "amd64", true)
	shell := []imagetest.Entry{imagetest.Dir("bin"), imagetest.File("bin/sh", 0o755, static)}
	script := func(mode int64) []imagetest.Entry {
		return []imagetest.Entry{imagetest.Dir("app"), imagetest.File("app/server", mode, []byte("#!/bin/sh\nexec /bin/true\n"))}
	}
	nonroot := imagetest.ImageSpec{User: "65532"}
	runStartCases(t, []startCase{
		{name: "0700 root-owned entrypoint, image USER 65532", entries: appEntries(static, 0o700), spec: nonroot,
			verdict: VerdictFindings, want: []string{"IC213"},
			message:  []string{"uid 65532", `exec /app/server: permission denied`},
			evidence: []string{"file /app/server: mode 0700, owner 0:0", "the group or other bits apply", "neither the group bits --- nor the other bits --- have x", `image USER "65532"`, "uid=65532"}},
		{name: "0700 root-owned entrypoint, task user 65532 over the image's root", entries: appEntries(static, 0o700),
			extra: `, "user": "65532"`, verdict: VerdictFindings, want: []string{"IC213"}, evidence: []string{`container user "65532"`}},
		{name: "0700 root-owned entrypoint, root by default", entries: appEntries(static, 0o700), verdict: VerdictPass},
		{name: "0700 entrypoint owned by the user", entries: []imagetest.Entry{imagetest.Dir("app"),
			withOwner(imagetest.File("app/server", 0o700, static), 65532, 65532)}, spec: nonroot, verdict: VerdictPass},
		{name: "image-only: 0700 root-owned entrypoint, USER 65532", entries: appEntries(static, 0o700), spec: nonroot,
			imageOnly: true, verdict: VerdictFindings, want: []string{"IC213"}},
		{name: "directory 0700 on the path", entries: []imagetest.Entry{withMode(imagetest.Dir("app"), 0o700),
			imagetest.File("app/server", 0o755, static)}, spec: nonroot, verdict: VerdictFindings, want: []string{"IC213"},
			message:  []string{"directory /app may not be searched", `stat /app/server: permission denied`},
			evidence: []string{"dir /app: mode 0700, owner 0:0", "have x"}},
		{name: "hard link to a 0700 binary", entries: []imagetest.Entry{imagetest.Dir("bin"),
			imagetest.File("bin/busybox", 0o700, static), {Name: "bin/server", Typeflag: '1', Linkname: "bin/busybox"}},
			spec: imagetest.ImageSpec{User: "65532", Entrypoint: []string{"/bin/server"}}, verdict: VerdictFindings, want: []string{"IC213"},
			evidence: []string{"mode 0700"}},
		{name: "group may execute: numeric USER, groups read from /etc/group", entries: joinEntries(usersEntries(),
			[]imagetest.Entry{imagetest.Dir("app"), withOwner(imagetest.File("app/server", 0o750, static), 0, 50)}), spec: nonroot, verdict: VerdictPass},
		{name: "group may execute, the user is not in it", entries: joinEntries(usersEntries(),
			[]imagetest.Entry{imagetest.Dir("app"), withOwner(imagetest.File("app/server", 0o750, static), 0, 50)}),
			spec: imagetest.ImageSpec{User: "app"}, verdict: VerdictFindings, want: []string{"IC213"}, evidence: []string{"uid=1000(app) gid=1000"}},
		{name: "#! interpreter the user may not execute", entries: joinEntries(shell[:1], []imagetest.Entry{imagetest.File("bin/sh", 0o700, static)}, script(0o755)),
			spec: nonroot, verdict: VerdictFindings, want: []string{"IC214"},
			message: []string{"#! interpreter /bin/sh", "exec /app/server: permission denied"}, evidence: []string{"file /bin/sh: mode 0700"}},
		{name: "#! interpreter without any execute bit, root", entries: joinEntries(shell[:1], []imagetest.Entry{imagetest.File("bin/sh", 0o644, static)}, script(0o755)),
			verdict: VerdictFindings, want: []string{"IC214"}, evidence: []string{"even root"}},
		{name: "script the user may execute but not read", entries: joinEntries(shell, script(0o711)), spec: nonroot,
			verdict: VerdictFindings, want: []string{"IC215"}, message: []string{"interpreter /bin/sh cannot open it", "Permission denied"},
			evidence: []string{"file /app/server: mode 0711", "nor the other bits --x have r"}},
		{name: "script readable and executable", entries: joinEntries(shell, script(0o755)), spec: nonroot, verdict: VerdictPass},
		{name: "ELF interpreter the user may not execute", entries: joinEntries(glibcBase(t, 0o700), appEntries(cgo, 0o755)), spec: nonroot,
			verdict: VerdictFindings, want: []string{"IC214"},
			message: []string{"ELF interpreter /lib64/ld-linux-x86-64.so.2", "exec /app/server: permission denied"}, evidence: []string{"mode 0700"}},

		// IC310: runc's user rules.
		{name: "task user:group naming a group /etc/group lacks", entries: joinEntries(usersEntries(), appEntries(static, 0o755)),
			extra: `, "user": "65532:wheel"`, verdict: VerdictFindings, want: []string{"IC310"},
			message: []string{"unable to find group wheel: no matching entries in group file"}, evidence: []string{"/etc/group: present"}},
		{name: "task user name with its group", entries: joinEntries(usersEntries(), appEntries(static, 0o755)),
			extra: `, "user": "app:staff"`, verdict: VerdictPass},
		{name: "user id out of range", entries: appEntries(static, 0o755), extra: `, "user": "4294967296"`,
			verdict: VerdictFindings, want: []string{"IC310"}, message: []string{"uids and gids must be in range"}},
		{name: "numeric uid without a passwd entry or file", entries: appEntries(static, 0o755), spec: imagetest.ImageSpec{User: "4242"}, verdict: VerdictPass},
		{name: "image-only: USER a name /etc/passwd lacks", entries: joinEntries(usersEntries(), appEntries(static, 0o755)),
			spec: imagetest.ImageSpec{User: "daemon"}, imageOnly: true, verdict: VerdictFindings, want: []string{"IC310"},
			message: []string{`image USER "daemon"`, "unable to find user daemon: no matching entries in passwd file"}},
	})
}
