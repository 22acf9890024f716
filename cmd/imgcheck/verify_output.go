package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/imgcheck/imgcheck/taskdef"
	"github.com/imgcheck/imgcheck/verify"
)

func countSubjects(inputs []verify.Input) int {
	n := 0
	for _, in := range inputs {
		n += len(in.Subjects)
	}
	return n
}

// writeReport renders the report to stdout, or to path when one is given.
func writeReport(r *verify.Report, format, path string, s streams) error {
	if path == "" {
		if err := verify.Render(s.out, r, format); err != nil {
			return fmt.Errorf("writing the %s report: %w", format, err)
		}
		return nil
	}
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating report file: %w", err)
	}
	err = verify.Render(file, r, format)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing the %s report to %s: %w", format, path, err)
	}
	fmt.Fprintf(s.err, "report written to %s\n", path)
	return nil
}

// writePinned writes the task definition with the verified digests, or
// says why not when verification did not pass.
func writePinned(td *taskdef.TaskDefinition, r *verify.Report, path string, log io.Writer) error {
	data, err := verify.PinTaskDef(td, r)
	if errors.Is(err, verify.ErrNotPassed) {
		fmt.Fprintf(log, "not writing %s: verification did not pass\n", path)
		return nil
	}
	if err != nil {
		return fmt.Errorf("--pin-out: %w", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("--pin-out: %w", err)
	}
	fmt.Fprintf(log, "pinned task definition written to %s\n", path)
	return nil
}
