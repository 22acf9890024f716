package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/imgcheck/imgcheck/taskdef"
)

// writePlanText renders a plan for people; --format json is the plan itself.
func writePlanText(w io.Writer, res *taskdef.SpreadPlan) error {
	name := res.Service
	if name == "" {
		name = "(unnamed)"
	}
	fmt.Fprintf(w, "service %s (%s): %d tasks\n", name, res.File, res.Count)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tBASE\tWEIGHT\tTASKS\tOF WHICH BASE")
	for _, a := range res.Allocations {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", a.Provider, a.Base, a.Weight, a.Tasks, a.FromBase)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, p := range res.Problems {
		fmt.Fprintf(w, "invalid: %s\n", p)
	}
	_, err := fmt.Fprintln(w, res.Note)
	return err
}
