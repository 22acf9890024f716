package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/internal/examples"
)

// readmeRoot is where README.md's transcripts say the repository is.
const readmeRoot = "/home/me/imgcheck"

var (
	// compileTime is a build progress line's compile duration: it depends
	// on the machine and its build cache.
	compileTime = regexp.MustCompile(`(^|: )compile \d+(\.\d+)?s$`)
	// platformLine is a build progress line of one platform: platforms
	// are built concurrently, so the order of their lines varies.
	platformLine = regexp.MustCompile(`^(\S+ )?(linux|windows)/[a-z0-9]+(/[a-z0-9]+)?: `)
	// digest and size are what another Go toolchain changes (another
	// binary): a sha256 digest, and a byte count or a size in MB.
	digest = regexp.MustCompile(`sha256:[0-9a-f]{64}`)
	size   = regexp.MustCompile(`\b\d+(\.\d+)?( of \d+)? ?(bytes|layer bytes|MB)\b`)
)

// stillRunning starts the heartbeat line a build step that runs 30 s
// prints in a log: whether it appears depends on the machine's speed.
const stillRunning = "still running: "

// transcriptNorm normalizes output for comparison with README.md.
type transcriptNorm struct {
	dir   string // the repository copy the commands ran in
	exact bool   // compare digests and sizes (the README's Go toolchain)
}

// real turns a command's output into README lines: the copy's path is the
// README's repository path, and heartbeat lines are dropped.
func (n transcriptNorm) real(out string) []string {
	out = strings.ReplaceAll(out, n.dir, readmeRoot)
	if real, err := filepath.EvalSymlinks(n.dir); err == nil && real != n.dir {
		out = strings.ReplaceAll(out, real, readmeRoot)
	}
	out = strings.TrimSuffix(out, "\n")
	if out == "" {
		return nil
	}
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, stillRunning) {
			lines = append(lines, l)
		}
	}
	return lines
}

// comparable is lines with what legitimately varies normalized: compile
// durations, the order of consecutive platform progress lines (compared as
// a multiset: each run of them is sorted), and, when not exact, digests
// and sizes.
func (n transcriptNorm) comparable(lines []string) []string {
	var out []string
	for _, l := range lines {
		if !strings.HasPrefix(l, stillRunning) {
			out = append(out, n.line(l))
		}
	}
	for start := 0; start < len(out); {
		end := start
		for end < len(out) && platformLine.MatchString(out[end]) {
			end++
		}
		slices.Sort(out[start:end])
		start = max(end, start+1)
	}
	return out
}

// line is one line normalized.
func (n transcriptNorm) line(l string) string {
	l = compileTime.ReplaceAllString(l, "${1}compile <t>")
	if !n.exact {
		l = digest.ReplaceAllString(l, "sha256:<digest>")
		l = size.ReplaceAllString(l, "<size>")
	}
	return l
}

// diff shows the README's lines and the real ones, marking the lines of
// each that the other does not have once normalized.
func (n transcriptNorm) diff(readme, real []string) string {
	var b strings.Builder
	show := func(title string, lines, other []string) {
		has := map[string]bool{}
		for _, l := range other {
			has[n.line(l)] = true
		}
		fmt.Fprintf(&b, "%s:\n", title)
		for _, l := range lines {
			mark := "  "
			if !has[n.line(l)] {
				mark = "! "
			}
			fmt.Fprintf(&b, "%s%s\n", mark, l)
		}
	}
	show("README.md", readme, real)
	show("real output", real, readme)
	return b.String()
}

// transcriptRewrite is a README transcript and the real output that
// replaces its output lines.
type transcriptRewrite struct {
	examples.Transcript
	real []string
}

// updateREADME rewrites the transcripts' output lines in README.md with
// the real ones, and records the Go toolchain that made them.
func updateREADME(t *testing.T, root, md string, rewrites []transcriptRewrite, goVersion string) {
	t.Helper()
	lines := strings.Split(md, "\n")
	// From the last, so that the line numbers of the earlier ones hold.
	slices.SortFunc(rewrites, func(a, b transcriptRewrite) int { return b.OutputAt - a.OutputAt })
	for _, r := range rewrites {
		at := r.OutputAt - 1
		lines = slices.Concat(lines[:at], r.real, lines[at+len(r.Output):])
		t.Logf("%s: %s: output regenerated", r.Where, r.Line)
	}
	if len(rewrites) > 0 {
		if err := os.WriteFile(filepath.Join(root, "README.md"), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeFileFrom(filepath.Join(root, "test", "e2e", readmeGoVersionFile), strings.NewReader(goVersion+"\n")); err != nil {
		t.Fatal(err)
	}
}
