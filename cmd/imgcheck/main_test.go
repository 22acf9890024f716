package main

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

// runCLI runs the command line in-process and returns exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, streams{in: strings.NewReader(""), out: &out, err: &errOut})
	return code, out.String(), errOut.String()
}

func TestExitCodesAndErrors(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    string
		wantErrSub string
	}{
		{name: "help", args: []string{"--help"}, wantCode: 0, wantOut: "Usage:"},
		{name: "bare root prints help", args: nil, wantCode: 0, wantOut: "Available Commands"},
		{name: "unknown command", args: []string{"deploy"}, wantCode: 2, wantErrSub: `unknown command "deploy"`},
		{name: "unknown flag", args: []string{"--bogus"}, wantCode: 2, wantErrSub: "unknown flag: --bogus"},
		{name: "unknown subcommand flag", args: []string{"version", "--nope"}, wantCode: 2, wantErrSub: "unknown flag: --nope"},
		{name: "bad format", args: []string{"version", "--format", "xml"}, wantCode: 2, wantErrSub: `unknown --format "xml"`},
		{name: "completion", args: []string{"completion", "bash"}, wantCode: 0, wantOut: "bash completion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d (stderr %q)", code, tt.wantCode, errOut)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("stdout does not contain %q:\n%s", tt.wantOut, out)
			}
			if tt.wantErrSub != "" {
				if !strings.Contains(errOut, tt.wantErrSub) {
					t.Errorf("stderr %q does not contain %q", errOut, tt.wantErrSub)
				}
				if n := strings.Count(strings.TrimRight(errOut, "\n"), "\n"); n != 0 {
					t.Errorf("error should be one line, got %d lines: %q", n+1, errOut)
				}
			}
		})
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "version", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var v versionInfo
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("version json: %v\n%s", err, out)
	}
	if v.Go != runtime.Version() {
		t.Errorf("go = %q, want %q", v.Go, runtime.Version())
	}
	if v.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("platform = %q", v.Platform)
	}
	if v.Version == "" || v.Commit == "" {
		t.Errorf("empty version fields: %+v", v)
	}
	code, out, _ = runCLI(t, "version")
	if code != 0 || !strings.Contains(out, "platform "+runtime.GOOS+"/"+runtime.GOARCH) {
		t.Errorf("text version: exit %d, %q", code, out)
	}
	// --version, as ko, crane and skopeo users type it: one line.
	code, out, _ = runCLI(t, "--version")
	if want := "imgcheck " + v.Version + " (commit "; code != 0 || !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
		t.Errorf("--version: exit %d, %q, want one line starting %q", code, out, want)
	}
}
