package verify

import (
	"testing"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// The dynamic loader's outcome (IC216, IC217, IC218, IC215 for a library
// the user may not read) for real glibc and musl objects, and the health
// check program's (IC320, IC321).
func TestDynamicLoaderRules(t *testing.T) {
	static := imagetest.GoBinary(t, "linux", "amd64", false)
	cgo := imagetest.GoBinary(t, "linux", "amd64", true)
	v2, v1, plain, arm, musl := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	libFoo := fooLib(t, "gcc", v2, fooVersions2)
	app := fooApp(t, "gcc", v2) // needs libfoo.so and its FOO_2.0
	libFooV1 := fooLib(t, "gcc", v1, fooVersions1)
	libFooPlain := fooLib(t, "gcc", plain, "")
	libFooARM := fooLib(t, "aarch64-linux-gnu-gcc", arm, fooVersions2)
	muslLib := fooLib(t, "musl-gcc", musl, "")
	muslApp := fooApp(t, "musl-gcc", musl)
	otherLoaderApp := cc(t, "gcc", t.TempDir(), "other", "int main(void) { return 0; }\n", "-Wl,--dynamic-linker=/lib/ld-other.so.1")

	glibc := glibcBase(t, 0o755)
	lib := func(name string, mode int64, content []byte) []imagetest.Entry {
		return []imagetest.Entry{imagetest.Dir("usr"), imagetest.Dir("usr/lib"), imagetest.Dir("usr/" + multiarch),
			imagetest.File("usr/"+multiarch+"/"+name, mode, content)}
	}
	onlyLoader := append(append([]imagetest.Entry{}, glibc[:3]...), glibc[4:]...) // no libc.so.6
	optFoo := []imagetest.Entry{imagetest.Dir("opt"), imagetest.Dir("opt/foo"), imagetest.File("opt/foo/libfoo.so", 0o644, libFoo)}
	hc := func(cmd string) string { return `, "healthCheck": {"command": ["CMD", "` + cmd + `"]}` }
	const shellCheck = `, "healthCheck": {"command": ["CMD-SHELL", "exit 0"]}`
	nonroot := imagetest.ImageSpec{User: "65532"}

	runStartCases(t, []startCase{
		{name: "cgo binary on a base without libc", entries: appEntries(cgo, 0o755), verdict: VerdictFindings, want: []string{"IC205"}},
		{name: "cgo binary, the loader without libc.so.6", entries: joinEntries(onlyLoader, appEntries(cgo, 0o755)),
			verdict: VerdictFindings, want: []string{"IC216"},
			message:  []string{"needs libc.so.6", "exit 127", `"/app/server: error while loading shared libraries: libc.so.6: cannot open shared object file: No such file or directory"`},
			evidence: []string{"loader: glibc (interpreter /lib64/ld-linux-x86-64.so.2)", "searched: /lib/x86_64-linux-gnu/libc.so.6"}},
		{name: "cgo binary on a glibc base", entries: joinEntries(glibc, appEntries(cgo, 0o755)), spec: nonroot, verdict: VerdictPass},
		{name: "a library the image lacks", entries: joinEntries(glibc, appEntries(app, 0o755)), verdict: VerdictFindings, want: []string{"IC216"},
			message:  []string{"libfoo.so: cannot open shared object file: No such file or directory"},
			evidence: []string{"searched: /lib/x86_64-linux-gnu/libfoo.so, /usr/lib/x86_64-linux-gnu/libfoo.so, /lib/libfoo.so, /usr/lib/libfoo.so"}},
		{name: "the library in the multiarch directory", entries: joinEntries(glibc, lib("libfoo.so", 0o644, libFoo), appEntries(app, 0o755)),
			spec: nonroot, verdict: VerdictPass},
		{name: "the library found through a symlink and a hard link", entries: joinEntries(glibc, lib("libfoo.so.1", 0o644, libFoo),
			[]imagetest.Entry{imagetest.Hardlink("usr/"+multiarch+"/libfoo-hard.so", "usr/"+multiarch+"/libfoo.so.1"),
				imagetest.Symlink("usr/"+multiarch+"/libfoo.so", "libfoo-hard.so")}, appEntries(app, 0o755)), verdict: VerdictPass},
		{name: "the library only for another machine", entries: joinEntries(glibc, lib("libfoo.so", 0o644, libFooARM), appEntries(app, 0o755)),
			verdict: VerdictFindings, want: []string{"IC217"}, message: []string{"libfoo.so: cannot open shared object file"},
			evidence: []string{"passed over /usr/lib/x86_64-linux-gnu/libfoo.so (other machine"}},
		{name: "a symbol version the library lacks", entries: joinEntries(glibc, lib("libfoo.so", 0o644, libFooV1), appEntries(app, 0o755)),
			verdict: VerdictFindings, want: []string{"IC218"},
			message: []string{"needs version FOO_2.0", "exit 1", "version `FOO_2.0' not found (required by /app/server)"}},
		{name: "a library without versions where versions are needed: cannot verify", entries: joinEntries(glibc, lib("libfoo.so", 0o644, libFooPlain), appEntries(app, 0o755)),
			verdict: VerdictCouldNotVerify, problem: "cannot predict"},
		{name: "a truncated library", entries: joinEntries(glibc, lib("libfoo.so", 0o644, libFoo[:200]), appEntries(app, 0o755)),
			verdict: VerdictFindings, want: []string{"IC217"}, message: []string{"/usr/lib/x86_64-linux-gnu/libfoo.so: cannot read file data"}},
		{name: "an ELF interpreter that is no known loader: cannot verify", entries: joinEntries([]imagetest.Entry{imagetest.Dir("lib"),
			imagetest.File("lib/ld-other.so.1", 0o755, static)}, appEntries(otherLoaderApp, 0o755)),
			verdict: VerdictCouldNotVerify, problem: "emulating the dynamic loader for entrypoint /app/server"},
		{name: "a library the user may not read", entries: joinEntries(glibc, lib("libfoo.so", 0o600, libFoo), appEntries(app, 0o755)), spec: nonroot,
			verdict: VerdictFindings, want: []string{"IC215"}, message: []string{"which uid 65532 may not read"},
			evidence: []string{"passed over /usr/lib/x86_64-linux-gnu/libfoo.so (permission denied)", "file /usr/lib/x86_64-linux-gnu/libfoo.so: mode 0600, owner 0:0", "uid=65532"}},
		{name: "a library in a directory the user may not search", entries: joinEntries(glibc, []imagetest.Entry{withMode(imagetest.Dir("opt"), 0o700),
			imagetest.Dir("opt/foo"), imagetest.File("opt/foo/libfoo.so", 0o644, libFoo)}, appEntries(app, 0o755)),
			spec: imagetest.ImageSpec{User: "65532", Env: []string{"LD_LIBRARY_PATH=/opt/foo"}}, verdict: VerdictFindings, want: []string{"IC215"},
			evidence: []string{"searched: /opt/foo/libfoo.so", "dir /opt: mode 0700, owner 0:0"}},
		{name: "LD_LIBRARY_PATH from the image", entries: joinEntries(glibc, optFoo, appEntries(app, 0o755)),
			spec: imagetest.ImageSpec{Env: []string{"LD_LIBRARY_PATH=/opt/foo"}}, verdict: VerdictPass},
		{name: "LD_LIBRARY_PATH from the task", entries: joinEntries(glibc, optFoo, appEntries(app, 0o755)),
			extra: `, "environment": [{"name": "LD_LIBRARY_PATH", "value": "/opt/foo"}]`, verdict: VerdictPass},
		{name: "the task's LD_LIBRARY_PATH overrides the image's", entries: joinEntries(glibc, optFoo, appEntries(app, 0o755)),
			spec:  imagetest.ImageSpec{Env: []string{"LD_LIBRARY_PATH=/opt/foo"}},
			extra: `, "environment": [{"name": "LD_LIBRARY_PATH", "value": "/nowhere"}]`, verdict: VerdictFindings, want: []string{"IC216"}},
		{name: "LD_LIBRARY_PATH from a secret: cannot verify", entries: joinEntries(glibc, optFoo, appEntries(app, 0o755)),
			extra:   `, "secrets": [{"name": "LD_LIBRARY_PATH", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/x"}]`,
			verdict: VerdictCouldNotVerify, problem: "from a secret"},
		{name: "a static binary does not run the loader", entries: appEntries(static, 0o755), verdict: VerdictPass},

		// musl: its loader's words and search path.
		{name: "musl: a library the image lacks", entries: joinEntries(muslBase(t), appEntries(muslApp, 0o755)), verdict: VerdictFindings, want: []string{"IC216"},
			message:  []string{`"Error loading shared library libfoo.so: No such file or directory (needed by /app/server)"`},
			evidence: []string{"loader: musl", "searched: /lib/libfoo.so, /usr/local/lib/libfoo.so, /usr/lib/libfoo.so"}},
		{name: "musl: the library in /usr/lib", entries: joinEntries(muslBase(t), []imagetest.Entry{imagetest.Dir("usr"), imagetest.Dir("usr/lib"),
			imagetest.File("usr/lib/libfoo.so", 0o755, muslLib)}, appEntries(muslApp, 0o755)), verdict: VerdictPass},

		// The health check program runs as the container's user too.
		{name: "health check program the user may not execute", entries: appEntries(static, 0o755, imagetest.File("app/hc", 0o700, static)),
			spec: nonroot, extra: hc("/app/hc"), verdict: VerdictFindings, want: []string{"IC320"},
			message: []string{"health check program /app/hc", "the health check never passes"}, evidence: []string{"file /app/hc: mode 0700"}},
		{name: "health check program needing a library the image lacks", entries: joinEntries(glibc, appEntries(static, 0o755, imagetest.File("app/hc", 0o755, app))),
			extra: hc("/app/hc"), verdict: VerdictFindings, want: []string{"IC321"},
			message: []string{"health check program /app/hc needs libfoo.so, which the loader finds in no directory", "libfoo.so: cannot open shared object file"}},
		{name: "health check program without its ELF interpreter", entries: appEntries(static, 0o755, imagetest.File("app/hc", 0o755, cgo)),
			extra: hc("/app/hc"), verdict: VerdictFindings, want: []string{"IC321"}, message: []string{"interpreter /lib64/ld-linux-x86-64.so.2 is not in the image"}},
		{name: "CMD-SHELL whose /bin/sh needs a missing libc.so.6", entries: joinEntries(onlyLoader, []imagetest.Entry{imagetest.Dir("bin"),
			imagetest.File("bin/sh", 0o755, cgo)}, appEntries(static, 0o755)), extra: shellCheck, verdict: VerdictFindings, want: []string{"IC321"},
			message: []string{"health check program /bin/sh", "libc.so.6"}},
		{name: "health check program loads", entries: joinEntries(glibc, lib("libfoo.so", 0o644, libFoo), appEntries(static, 0o755, imagetest.File("app/hc", 0o755, app))),
			spec: nonroot, extra: hc("/app/hc"), verdict: VerdictPass},
	})
}
