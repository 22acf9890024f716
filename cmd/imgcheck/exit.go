package main

import (
	"errors"
	"fmt"
	"strings"
)

// Exit codes are a contract with CI pipelines (docs/architecture.md). They
// are imgcheck's alone: libraries return verdicts and errors, and
// exitCodeFor (with verdictError for verify reports) turns them into these.
const (
	exitOK       = 0 // every check ran and passed
	exitFindings = 1 // a finding at or above --fail-on, or an invalid plan
	exitError    = 2 // could not verify: bad input, registry or auth error
)

// exitCodeError carries a non-default exit code out of a command. Commands
// return it when they have already written their result and only the exit
// status is left to say.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string { return e.err.Error() }
func (e *exitCodeError) Unwrap() error { return e.err }

// findingsError reports that a command completed but judged its input bad.
func findingsError(format string, args ...any) error {
	return &exitCodeError{code: exitFindings, err: fmt.Errorf(format, args...)}
}

// exitCodeFor maps an error to the process exit code. Anything that is not
// explicitly a finding is an inability to verify: fail closed.
func exitCodeFor(err error) int {
	if err == nil {
		return exitOK
	}
	var ce *exitCodeError
	if errors.As(err, &ce) && ce.code != exitOK {
		return ce.code
	}
	return exitError
}

// oneLine flattens an error message so that CI logs show it on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
