package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// startCase is an image (one layer of entries) judged against an X86_64
// task (or image-only), with the rules it must break and words the first
// of them must quote.
type startCase struct {
	name    string
	entries []imagetest.Entry
	spec    imagetest.ImageSpec // OS, arch and Layers are filled in
	// extra: container definition fields, JSON starting with a comma.
	extra     string
	imageOnly bool
	verdict   Verdict
	want      []string // rule IDs at warning or above, sorted
	message   []string // substrings of the first wanted finding's message
	evidence  []string // ... of its evidence
	problem   string   // substring of the problem, for VerdictCouldNotVerify
}

// runStartCases pushes every case's image and verifies it.
func runStartCases(t *testing.T, cases []startCase) {
	t.Helper()
	reg := imagetest.Registry(t)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := tc.spec
			spec.OS, spec.Architecture = "linux", "amd64"
			spec.Layers = append([]v1.Layer{imagetest.Layer(t, tc.entries...)}, spec.Layers...)
			if spec.Entrypoint == nil {
				spec.Entrypoint = []string{"/app/server"}
			}
			ref := reg.PushImage(t, fmt.Sprintf("start:%d", i), imagetest.Image(t, spec))
			in := Input{Subjects: []Subject{{Ref: ref}}, Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}}
			if !tc.imageOnly {
				in = Input{TaskDef: parseTask(t, taskJSON("X86_64", ref, tc.extra)), Subjects: []Subject{{Container: "app", Ref: ref}}}
			}
			r := Run(context.Background(), in, Options{FailOn: Error})
			checkStartCase(t, tc, r)
		})
	}
}

func checkStartCase(t *testing.T, tc startCase, r *Report) {
	t.Helper()
	if r.Verdict != tc.verdict {
		t.Fatalf("verdict %s, want %s\nfindings: %s\nerrors: %+v", r.Verdict, tc.verdict, describeFindings(r), r.Errors)
	}
	if tc.verdict == VerdictCouldNotVerify {
		if len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, tc.problem) {
			t.Errorf("problems %+v, want one saying %q", r.Errors, tc.problem)
		}
		return
	}
	got := ruleIDs(r)
	if !slices.Equal(got, tc.want) {
		t.Fatalf("rules %v, want %v\n%s", got, tc.want, describeFindings(r))
	}
	if len(tc.want) == 0 {
		return
	}
	i := slices.IndexFunc(r.Findings, func(f Finding) bool { return f.RuleID == tc.want[0] })
	f := r.Findings[i]
	for _, s := range tc.message {
		if !strings.Contains(f.Message, s) {
			t.Errorf("message %q does not say %q", f.Message, s)
		}
	}
	for _, s := range tc.evidence {
		if !strings.Contains(f.Evidence, s) {
			t.Errorf("evidence %q does not say %q", f.Evidence, s)
		}
	}
	if f.Fix == "" {
		t.Errorf("%s without a fix", f.RuleID)
	}
}

func describeFindings(r *Report) string {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "\n  %s: %s\n    evidence: %s\n    fix: %s", f.RuleID, f.Message, f.Evidence, f.Fix)
	}
	return b.String()
}

func withOwner(e imagetest.Entry, uid, gid int) imagetest.Entry {
	e.UID, e.GID = uid, gid
	return e
}

func withMode(e imagetest.Entry, mode int64) imagetest.Entry {
	e.Mode = mode
	return e
}

// usersEntries is a distroless-like /etc/passwd and /etc/group: nonroot
// (65532) is also in staff (50); app (1000) is not.
func usersEntries() []imagetest.Entry {
	return []imagetest.Entry{
		imagetest.Dir("etc"),
		imagetest.File("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/sbin/nologin\napp:x:1000:1000::/home/app:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")),
		imagetest.File("etc/group", 0o644, []byte("root:x:0:\nstaff:x:50:nonroot\napp:x:1000:\nnonroot:x:65532:\n")),
	}
}

// appEntries is /app with server (mode, owned by root) and more.
func appEntries(server []byte, mode int64, more ...imagetest.Entry) []imagetest.Entry {
	return append([]imagetest.Entry{imagetest.Dir("app"), imagetest.File("app/server", mode, server)}, more...)
}

func joinEntries(parts ...[]imagetest.Entry) []imagetest.Entry {
	var out []imagetest.Entry
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
