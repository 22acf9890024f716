package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/realimages"
	"github.com/imgcheck/imgcheck/internal/runctest"
)

// outcome is what the runtime did with a case.
type outcome struct {
	starts bool
	reason string // why it failed, in the runtime's (or the loader's) words
}

func (o outcome) String() string {
	if o.starts {
		return "starts"
	}
	return "fails: " + o.reason
}

// realityRunner copies images out of the registry into one OCI layout
// with skopeo (blobs already there are not copied again) and runs them
// with runc. Images with the same layers share one root file system,
// unpacked once; each run gets its own config.json made by umoci from the
// image's configuration.
type realityRunner struct {
	dir      string
	layout   string
	rootfs   map[string]string // layer digests -> unpacked root file system
	copied   map[string]string // reference -> tag in the layout
	runs     int
	emulator string // runs arm64 programs on this amd64 machine
}

func newRealityRunner(t *testing.T) *realityRunner {
	t.Helper()
	dir := t.TempDir()
	return &realityRunner{dir: dir, layout: filepath.Join(dir, "layout"),
		rootfs: map[string]string{}, copied: map[string]string{},
		emulator: realimages.Emulator(t, "arm64")}
}

// copy brings ref into the layout once and returns its tag there.
func (r *realityRunner) copy(t *testing.T, ref string) string {
	t.Helper()
	if tag, ok := r.copied[ref]; ok {
		return tag
	}
	tag := fmt.Sprintf("img%d", len(r.copied))
	runctest.Command(t, 2*time.Minute, "skopeo", "copy", "--src-tls-verify=false",
		"--src-creds", "e2e:e2e-registry-password", "docker://"+ref, "oci:"+r.layout+":"+tag)
	r.copied[ref] = tag
	return tag
}

// rootfsOf returns the root file system of img's layers, unpacking the
// image tagged tag when no image with the same layers was unpacked.
func (r *realityRunner) rootfsOf(t *testing.T, img v1.Image, tag string) string {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var key strings.Builder
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		key.WriteString(d.String() + " ")
	}
	if dir, ok := r.rootfs[key.String()]; ok {
		return dir
	}
	dir := filepath.Join(r.dir, fmt.Sprintf("rootfs%d", len(r.rootfs)))
	runctest.UnpackRootfs(t, r.layout, tag, dir)
	r.rootfs[key.String()] = dir
	return dir
}

// run starts the image as the task would on one of its hosts: the
// entrypoint, then the health check command when the task has one. An
// ARM64 host is emulated with qemu-aarch64-static, which this amd64
// machine runs only when told to (it has no binfmt_misc handlers).
func (r *realityRunner) run(t *testing.T, ref string, img v1.Image, task taskSpec) outcome {
	t.Helper()
	tag := r.copy(t, ref)
	rootfs := r.rootfsOf(t, img, tag)
	if task.user != "" {
		userTag := fmt.Sprintf("%s-user%d", tag, r.runs)
		runctest.TagWithUser(t, r.layout, tag, userTag, task.user)
		tag = userTag
	}
	r.runs++
	b, err := runctest.BundleOnRootfs(r.layout, tag, rootfs, filepath.Join(r.dir, fmt.Sprintf("bundle%d", r.runs)))
	if err != nil {
		if o := classify(err.Error()); o.reason != "" {
			return o // docker create fails the same way: the process never starts
		}
		t.Fatal(err)
	}
	processes := [][]string{b.Args()}
	if hc := task.healthCheckArgs(t); hc != nil {
		processes = append(processes, hc)
	}
	for i, args := range processes {
		b.SetArgs(args...)
		if task.hostArch(t) == "arm64" {
			b.UseEmulator(t, r.emulator)
		}
		res := b.Run(t, fmt.Sprintf("imgcheck-predict-%d-%d-%d", os.Getpid(), r.runs, i), time.Minute)
		if res.ExitCode != 0 {
			o := classify(res.Output)
			if o.reason == "" {
				o.reason = fmt.Sprintf("exit %d", res.ExitCode)
			}
			t.Logf("%q: exit %d\n%s", args, res.ExitCode, res.Output)
			return o
		}
	}
	return outcome{starts: true}
}

// failurePatterns name how a start fails, most specific first: the
// loader's messages end in "No such file or directory" too. Each match is
// the reason reported.
var failurePatterns = []struct {
	re     *regexp.Regexp
	format func(m []string) string
}{
	{regexp.MustCompile(`error while loading shared libraries: [^\n]+`),
		func(m []string) string { return strings.TrimSpace(m[0]) }},
	{regexp.MustCompile("version `([^']+)' not found \\(required by ([^)]+)\\)"),
		func(m []string) string { return "version `" + m[1] + "' not found (required by " + m[2] + ")" }},
	{regexp.MustCompile(`unable to find user ([^:\s]+): no matching entries in passwd file`),
		func(m []string) string { return m[0] }},
	{regexp.MustCompile(`unable to find group ([^:\s]+): no matching entries in group file`),
		func(m []string) string { return m[0] }},
	// qemu-user refuses a binary of another machine where the emulated
	// kernel's execve returns ENOEXEC.
	{regexp.MustCompile(`Invalid ELF image for this architecture`),
		func(m []string) string { return "exec format error (qemu-aarch64: " + m[0] + ")" }},
	{regexp.MustCompile(`(?i)exec format error`), func([]string) string { return "exec format error" }},
	{regexp.MustCompile(`(?i)permission denied`), func([]string) string { return "permission denied" }},
	{regexp.MustCompile(`(?i)no such file or directory`), func([]string) string { return "no such file or directory" }},
}

// classify finds why a start failed in runc's, the loader's or umoci's
// output; the reason is empty when none of the known failures is there.
func classify(output string) outcome {
	for _, p := range failurePatterns {
		if m := p.re.FindStringSubmatch(output); m != nil {
			return outcome{reason: p.format(m)}
		}
	}
	return outcome{}
}
