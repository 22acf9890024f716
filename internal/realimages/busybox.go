package realimages

import (
	"archive/tar"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// BusyboxPath is where the busybox-static package installs the binary
// that Busybox puts into images.
const BusyboxPath = "/bin/busybox"

// Busybox returns a root file system made as the official busybox image
// is: the statically linked busybox of Debian's busybox-static package
// (installed on this machine, so for its architecture) at /bin/busybox,
// every applet it lists (sh, wget, ...) as a tar hard link to
// bin/busybox in /bin, /etc/passwd and /etc/group with root and nobody,
// /root, /tmp and /home.
func Busybox(t testing.TB) *RootFS {
	t.Helper()
	bin, err := os.ReadFile(BusyboxPath)
	if err != nil {
		t.Fatalf("reading %s (Debian busybox-static; run .ci/install-tools): %v", BusyboxPath, err)
	}
	if err := checkStaticELF(BusyboxPath, runtime.GOARCH); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(BusyboxPath, "--list").Output()
	if err != nil {
		t.Fatalf("%s --list: %v", BusyboxPath, err)
	}
	applets := strings.Fields(string(out))
	sort.Strings(applets)
	entries := []imagetest.Entry{
		imagetest.Dir("bin"),
		imagetest.File("bin/busybox", 0o755, bin),
	}
	links := map[string]string{}
	for _, a := range applets {
		if a == "busybox" || strings.Contains(a, "/") {
			continue
		}
		entries = append(entries, imagetest.Hardlink("bin/"+a, "bin/busybox"))
		links["bin/"+a] = "bin/busybox"
	}
	entries = append(entries,
		imagetest.Dir("etc"),
		imagetest.File("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n")),
		imagetest.File("etc/group", 0o644, []byte("root:x:0:\nnobody:x:65534:\n")),
		imagetest.Dir("home"),
		imagetest.Entry{Name: "root", Typeflag: tar.TypeDir, Mode: 0o700},
		imagetest.Entry{Name: "tmp", Typeflag: tar.TypeDir, Mode: 0o1777},
	)
	return &RootFS{Name: "busybox-static-" + runtime.GOARCH, Arch: runtime.GOARCH,
		Layer: imagetest.Layer(t, entries...), HardLinks: links}
}

// checkStaticELF fails unless path is an ELF executable for goarch
// without a program interpreter.
func checkStaticELF(path, goarch string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	if want := elfMachine(goarch); f.Machine != want {
		return fmt.Errorf("%s is for %s, not %s", path, f.Machine, want)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked", path)
		}
	}
	return nil
}

func elfMachine(goarch string) elf.Machine {
	switch goarch {
	case "amd64":
		return elf.EM_X86_64
	case "arm64":
		return elf.EM_AARCH64
	}
	return elf.EM_NONE
}
