package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/verify"
)

// verifier is the one way imgcheck runs verify: "imgcheck verify" and
// "build --verify-taskdef" share its options, its pass/fail policy and its
// exit codes.
type verifier struct {
	image  image.Options
	failOn verify.Severity
	logger *slog.Logger
	online *verify.OnlineOptions // nil: offline
}

// run verifies the inputs and returns the report, with its exit code set,
// and the command's result for its verdict (see verdictError).
func (v verifier) run(ctx context.Context, inputs []verify.Input) (*verify.Report, error) {
	r := verify.RunAll(ctx, inputs, verify.Options{
		Image:  v.image,
		FailOn: v.failOn,
		Logger: v.logger,
		Tool:   verify.ToolInfo{Name: "imgcheck", Version: readVersionInfo().Version},
		Online: v.online,
	})
	err := verdictError(r)
	r.ExitCode = exitCodeFor(err)
	return r, err
}

// verdictError is the pass/fail policy: nil on a pass, a findings error
// (exit 1) on findings, and anything else could not verify (exit 2).
func verdictError(r *verify.Report) error {
	switch r.Verdict {
	case verify.VerdictPass:
		return nil
	case verify.VerdictFindings:
		return findingsError("verify failed: %d error(s), %d warning(s) at fail-on %s", r.Summary.Errors, r.Summary.Warnings, r.FailOn)
	}
	p := verify.Problem{Message: "no report"}
	if len(r.Errors) > 0 {
		p = r.Errors[0]
	}
	return &couldNotVerifyError{problem: p}
}

// couldNotVerifyError is a verdict of VerdictCouldNotVerify. It unwraps to
// what stopped the first check, so that the command can add a flag hint.
type couldNotVerifyError struct{ problem verify.Problem }

func (e *couldNotVerifyError) Error() string {
	return fmt.Sprintf("could not verify: %s", e.problem.Message)
}

func (e *couldNotVerifyError) Unwrap() error { return e.problem.Cause }
