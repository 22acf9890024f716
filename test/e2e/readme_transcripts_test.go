package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imgcheck/imgcheck/internal/examples"
)

// readmeGoVersionFile records the Go toolchain (go env GOVERSION) that
// built the images whose digests and sizes README.md shows.
const readmeGoVersionFile = "testdata/readme-go-version"

// TestREADMETranscripts runs every command of README.md's console blocks
// that show output, in order, in one fresh copy of the repository's parts
// the build uses (so that a later block reads what an earlier one wrote,
// as a reader following the README would), with a fresh layer cache, and
// compares what each printed (stdout and stderr in one stream, as a
// terminal shows them) with the lines the README shows after it. A command
// shown without output is run for what it writes and must exit 0, as must
// every command not followed by "echo $?", whose line must be the exit
// code. Only what differs between machines and runs is normalized (see
// transcriptNorm); everything else must match exactly.
//
// Digests and sizes are compared exactly when the Go toolchain is the one
// recorded in testdata/readme-go-version: builds are reproducible, but
// another Go version compiles another binary. With another toolchain they
// are normalized, and the test logs that they were not compared. The copy
// is not a git work tree, so the commit that .ko.yaml's ldflags embed and
// the revision annotation are empty: the README's digests are those of
// the sources, not of a commit (in a git clone the build differs).
//
// After a change of output, regenerate the README's transcripts (and the
// recorded Go version) instead of editing them by hand:
//
//	go test ./test/e2e -run TestREADMETranscripts -update
//
// It rewrites only the transcripts that differ, with the real output
// (digests compared exactly), keeping the README's /home/me/imgcheck path.
func TestREADMETranscripts(t *testing.T) {
	root := repoRoot(t)
	md, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	run := transcriptBlocks(examples.Transcripts("README.md", string(md)))
	shown := 0
	for _, tr := range run {
		if len(tr.Output) > 0 {
			shown++
		}
	}
	if shown < 4 {
		t.Fatalf("found %d README transcripts with output; the parser lost some", shown)
	}

	dir := t.TempDir()
	copyRepoParts(t, dir)
	copyNamedFiles(t, root, dir, run)
	// Nothing of the user's environment may change what is built: ko's
	// settings, the dates, the VERSION .ko.yaml's ldflags read, the Go
	// flags and the target CPU levels.
	env := []string{"IMGCHECK_CACHE=" + t.TempDir(),
		"KO_DOCKER_REPO=", "KO_CONFIG_PATH=", "KO_DEFAULTBASEIMAGE=", "KO_DEFAULTPLATFORMS=", "KO_GO_PATH=",
		"SOURCE_DATE_EPOCH=", "KO_DATA_DATE_EPOCH=", "VERSION=",
		"GOFLAGS=", "GOAMD64=", "GOARM64=", "GOEXPERIMENT="}

	goVersion := goEnvVersion(t, dir)
	recorded, err := os.ReadFile(filepath.Join(root, "test", "e2e", readmeGoVersionFile))
	if err != nil && !*update {
		t.Fatalf("the Go version README.md's digests were made with: %v", err)
	}
	norm := transcriptNorm{dir: dir, exact: *update || strings.TrimSpace(string(recorded)) == goVersion}
	if !norm.exact {
		t.Logf("digests and sizes not compared: README.md's were made with %s, this is %s (%s)", strings.TrimSpace(string(recorded)), goVersion, readmeGoVersionFile)
	}

	var rewrites []transcriptRewrite
	lastCode := -1
	for i, tr := range run {
		var got []string
		if tr.Line == "echo $?" {
			if lastCode < 0 {
				t.Fatalf("%s: echo $? follows no command", tr.Where)
			}
			got = []string{strconv.Itoa(lastCode)}
		} else {
			code, out := runTranscriptLine(t, dir, env, tr)
			followedByEcho := i+1 < len(run) && run[i+1].Line == "echo $?" && run[i+1].Block == tr.Block
			if code != 0 && !followedByEcho {
				t.Fatalf("%s: %s: exit %d, and the README shows no exit code\n%s", tr.Where, tr.Line, code, out)
			}
			lastCode, got = code, norm.real(out)
		}
		if len(tr.Output) == 0 {
			continue // run for what it writes: the README shows no output
		}
		if want, have := norm.comparable(tr.Output), norm.comparable(got); !slices.Equal(want, have) {
			if *update {
				rewrites = append(rewrites, transcriptRewrite{Transcript: tr, real: got})
				continue
			}
			t.Errorf("%s: %s: the output differs from README.md (regenerate: go test ./test/e2e -run TestREADMETranscripts -update)\n%s",
				tr.Where, tr.Line, norm.diff(tr.Output, got))
		}
	}
	if *update {
		updateREADME(t, root, string(md), rewrites, goVersion)
	}
}

// transcriptBlocks returns the commands of the console blocks that show
// output for at least one of them.
func transcriptBlocks(all []examples.Transcript) []examples.Transcript {
	withOutput := map[int]bool{}
	for _, tr := range all {
		for _, l := range tr.Output {
			withOutput[tr.Block] = withOutput[tr.Block] || strings.TrimSpace(l) != ""
		}
	}
	var run []examples.Transcript
	for _, tr := range all {
		if withOutput[tr.Block] {
			run = append(run, tr)
		}
	}
	return run
}

// copyNamedFiles copies into dir the repository's files that the commands
// name as arguments (a task definition, a service file) and that
// copyRepoParts did not copy.
func copyNamedFiles(t *testing.T, root, dir string, run []examples.Transcript) {
	t.Helper()
	for _, tr := range run {
		cmds, err := examples.Parse(tr.Line)
		if err != nil {
			continue // echo $?; runTranscriptLine reports the others
		}
		for _, c := range cmds {
			for _, arg := range c.Args {
				if _, v, ok := strings.Cut(arg, "="); ok {
					arg = v
				}
				if !filepath.IsLocal(arg) {
					continue
				}
				if _, err := os.Stat(filepath.Join(dir, arg)); err == nil {
					continue
				}
				b, err := os.ReadFile(filepath.Join(root, arg))
				if err != nil {
					continue // not a file of the repository: an image, a flag, a directory the command writes
				}
				if err := writeFileFrom(filepath.Join(dir, arg), bytes.NewReader(b)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// goEnvVersion is the Go toolchain imgcheck build uses in dir.
func goEnvVersion(t *testing.T, dir string) string {
	t.Helper()
	cmd := exec.Command("go", "env", "GOVERSION")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go env GOVERSION: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// runTranscriptLine runs the commands of a README line (joined by "&&")
// with the built CLI and returns the exit code of the last one that ran
// and what they printed, stdout and stderr through one pipe as a terminal
// interleaves them.
func runTranscriptLine(t *testing.T, dir string, env []string, tr examples.Transcript) (int, string) {
	t.Helper()
	cmds, err := examples.Parse(tr.Line)
	if err != nil {
		t.Fatalf("%s: %v", tr.Where, err)
	}
	bin, err := imgcheckBinary()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, c := range cmds {
		args, ok := c.Imgcheck()
		if !ok {
			t.Fatalf("%s: the transcript runs %q; this test runs imgcheck", tr.Where, strings.Join(c.Args, " "))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir, cmd.Env = dir, slices.Concat(os.Environ(), env, c.Env)
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		cancel()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), out.String()
		} else if err != nil {
			t.Fatalf("%s: %s: %v", tr.Where, tr.Line, err)
		}
	}
	return 0, out.String()
}
