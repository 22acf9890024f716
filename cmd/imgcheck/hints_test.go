package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/imgcheck/imgcheck/build"
	"github.com/imgcheck/imgcheck/build/ecrrepo"
	"github.com/imgcheck/imgcheck/registry"
	"github.com/imgcheck/imgcheck/taskdef"
	"github.com/imgcheck/imgcheck/verify"
)

func TestFlagHint(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("Get: %w", &registry.PlainHTTPError{Host: "10.1.2.3:5000"}), "--insecure-registry 10.1.2.3:5000"},
		{fmt.Errorf("t.yaml: 2 resources; %w", taskdef.ErrAmbiguous), "--resource"},
		{verify.ErrNothingToVerify, "--taskdef FILE"},
		{verify.ErrContainerWithoutTaskDef, "--container needs --taskdef"},
		{fmt.Errorf("%w: 2 images", verify.ErrPairing), "--container NAME"},
		{&couldNotVerifyError{problem: verify.Problem{Message: "not known", Cause: verify.ErrUnresolvedImage}}, "--param"},
		{&couldNotVerifyError{problem: verify.Problem{Message: "instance", Cause: verify.ErrInstanceArchitecture}}, "--platform linux/arm64"},
		{&couldNotVerifyError{problem: verify.Problem{Message: "given", Cause: fmt.Errorf("%w: its runtimePlatform does", verify.ErrPlatformsNotNeeded)}}, "leave out --platform"},
		{fmt.Errorf("KO_DOCKER_REPO=ko.local: %w", build.ErrDaemonTarget), "--tarball"},
		{build.ErrCreateRepoWithoutRegistry, "--push"},
		{fmt.Errorf("publishing: %w", ecrrepo.ErrNotECR), "--create-repo"},
		{build.ErrNoDockerRepo, "leave out --push=true"},
		{build.ErrBareSeveral, "--bare takes one package"},
		{errors.New("something else"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			got := flagHint(tt.err)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Fatalf("flagHint(%v) = %q, want one containing %q", tt.err, got, tt.want)
			}
			if msg := withFlagHint(tt.err).Error(); tt.want != "" && !strings.HasSuffix(msg, "("+got+")") {
				t.Errorf("withFlagHint: %q", msg)
			}
		})
	}
}

// The libraries word their errors without flags; the command line adds them.
func TestCLIAddsFlagHints(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"verify"}, "nothing to verify: no image and no task definition (give an IMAGE, or --taskdef FILE to verify its images)"},
		{[]string{"verify", "app:v1", "--container", "web"}, "(--container needs --taskdef)"},
		{[]string{"verify", "--taskdef", "../../examples/taskdef-arm64.json", "--platform", "linux/amd64"}, "its runtimePlatform does (leave out --platform for this task definition)"},
	} {
		code, _, errOut := runCLI(t, tt.args...)
		if code != exitError || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}

// build has no --container and its --platform names what to build, so the
// verify hints that name them would send the user to the wrong flag.
func TestBuildFlagHint(t *testing.T) {
	buildCmd := &cobra.Command{Use: "build"}
	verifyCmd := &cobra.Command{Use: "verify"}
	tests := []struct {
		cmd  *cobra.Command
		err  error
		want string
	}{
		{buildCmd, fmt.Errorf("--verify-taskdef td.json: %w: 2 containers", verify.ErrPairing), "imgcheck verify oci:DIR --taskdef FILE --container NAME)"},
		{buildCmd, &couldNotVerifyError{problem: verify.Problem{Message: "instance", Cause: verify.ErrInstanceArchitecture}}, "imgcheck verify oci:DIR --taskdef FILE --platform linux/arm64"},
		{buildCmd, &couldNotVerifyError{problem: verify.Problem{Message: "not known", Cause: verify.ErrUnresolvedValue}}, "--param Name=Value"},
		{verifyCmd, fmt.Errorf("%w: 2 images", verify.ErrPairing), "(name the container of each IMAGE with one --container NAME per image, in order)"},
		{nil, verify.ErrNothingToVerify, "--taskdef FILE to verify its images"},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			if got := withCommandHint(tt.cmd, tt.err).Error(); !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want it to contain %q", got, tt.want)
			}
		})
	}
}
