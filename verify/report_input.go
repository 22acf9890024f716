package verify

import (
	"errors"

	"github.com/imgcheck/imgcheck/taskdef"
)

// InputErrorReport is the report of a run that stopped before any check
// because an input could not be read (a typo in the task definition, a
// missing file). Each positioned error of the task-definition loader is a
// problem at its file, line and column, so that every report format points
// at it; any other error is one problem. The verdict is could not verify.
func InputErrorReport(err error, tool ToolInfo, failOn Severity) *Report {
	r := &Report{Tool: tool}
	var many taskdef.Errors
	var one *taskdef.Error
	switch {
	case errors.As(err, &many) && len(many) > 0:
		for _, e := range many {
			r.Errors = append(r.Errors, inputProblem(e, err))
		}
	case errors.As(err, &one):
		r.Errors = append(r.Errors, inputProblem(one, err))
	default:
		r.Errors = append(r.Errors, Problem{Message: err.Error(), Cause: err})
	}
	r.Finish(failOn)
	return r
}

func inputProblem(e *taskdef.Error, cause error) Problem {
	msg := e.Msg
	if e.Key != "" {
		msg = e.Key + ": " + msg
	}
	return Problem{Message: msg, Location: loc(e.Pos), Cause: cause}
}
