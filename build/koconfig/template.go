package koconfig

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// TemplateData is what flags, ldflags and env templates see. Field names
// follow ko's documented template parameters.
type TemplateData struct {
	Env       map[string]string
	GoEnv     map[string]string
	Date      string // RFC 3339, UTC
	Timestamp string // Unix seconds
	Git       GitInfo
}

// GitInfo describes the checkout a build comes from. Every field is empty
// outside a git work tree.
type GitInfo struct {
	Branch          string
	Tag             string
	ShortCommit     string
	FullCommit      string
	CommitDate      string
	CommitTimestamp string
	IsDirty         bool
	IsClean         bool
	TreeState       string
	// RemoteURL is the origin remote without credentials, for the
	// org.opencontainers.image.source annotation. Not a ko template field.
	RemoteURL string
}

// NewTemplateData fills the template data for a build: env is the
// environment the build runs with, buildTime the build date (ko uses the
// clock; imgcheck uses SOURCE_DATE_EPOCH when set, see docs/build.md).
func NewTemplateData(env []string, buildTime time.Time, git GitInfo, goEnv map[string]string) TemplateData {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return TemplateData{
		Env:       m,
		GoEnv:     goEnv,
		Date:      buildTime.UTC().Format(time.RFC3339),
		Timestamp: strconv.FormatInt(buildTime.Unix(), 10),
		Git:       git,
	}
}

// Render expands one template string. A reference to a missing key is an
// error rather than "<no value>" baked into a binary.
func Render(text string, data TemplateData) (string, error) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	t, err := template.New("flag").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("template %q: %w", text, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", fmt.Errorf("template %q: %w", text, err)
	}
	return buf.String(), nil
}

// RenderAll expands every string of list; label names the list in errors.
func RenderAll(label string, list []string, data TemplateData) ([]string, error) {
	out := make([]string, 0, len(list))
	for i, s := range list {
		r, err := Render(s, data)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", label, i, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// ReadGitInfo asks git about the work tree containing dir. Missing git or a
// directory outside any repository gives an empty GitInfo, not an error:
// builds from a source tarball are legitimate.
func ReadGitInfo(ctx context.Context, dir string) GitInfo {
	git := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	full := git("rev-parse", "HEAD")
	if full == "" {
		return GitInfo{}
	}
	g := GitInfo{
		FullCommit:  full,
		ShortCommit: git("rev-parse", "--short", "HEAD"),
		Tag:         git("describe", "--tags", "--abbrev=0"),
		RemoteURL:   stripCredentials(git("config", "--get", "remote.origin.url")),
	}
	if b := git("rev-parse", "--abbrev-ref", "HEAD"); b != "HEAD" {
		g.Branch = b
	}
	if ts := git("log", "-1", "--format=%ct", "HEAD"); ts != "" {
		if sec, err := strconv.ParseInt(ts, 10, 64); err == nil {
			g.CommitTimestamp = ts
			g.CommitDate = time.Unix(sec, 0).UTC().Format(time.RFC3339)
		}
	}
	cmd := exec.CommandContext(ctx, "git", "status", "--porcelain", "--untracked-files=no")
	cmd.Dir = dir
	out, err := cmd.Output()
	g.IsDirty = err != nil || len(bytes.TrimSpace(out)) > 0
	g.IsClean = !g.IsDirty
	g.TreeState = "clean"
	if g.IsDirty {
		g.TreeState = "dirty"
	}
	return g
}

// ExactTag returns the tag pointing at HEAD, for the image version
// annotation; "" when HEAD is not tagged.
func ExactTag(ctx context.Context, dir string) string {
	cmd := exec.CommandContext(ctx, "git", "describe", "--tags", "--exact-match", "HEAD")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// stripCredentials removes user:password@ from a remote URL so that a token
// in a clone URL never ends up in an image annotation.
func stripCredentials(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u // scp-like git@host:path carries a user name, not a secret
	}
	host, path, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = host[i+1:]
	}
	if path == "" {
		return scheme + "://" + host
	}
	return scheme + "://" + host + "/" + path
}
