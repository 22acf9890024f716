package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/imgcheck/imgcheck/taskdef"
)

// planOptions are the flags of "imgcheck plan".
type planOptions struct {
	service  string
	taskdef  string
	count    int
	countSet bool
	format   string
	resource string
	params   []string
}

// spreadEstimateNote is printed with every plan: ECS does not document how
// it rounds a weighted split, so the figures are an estimate.
const spreadEstimateNote = "estimate: ECS places the base first, then splits the rest by weight; it does not publish its rounding, so this uses floors with leftover tasks going to the largest remainders (ties to the provider listed first)"

func newPlanCmd(s streams) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan --service FILE [--count N]",
		Short: "Validate a capacity provider strategy and show how N tasks spread over it",
		Long: `plan reads a service definition (create-service input, describe-services
output or a CloudFormation AWS::ECS::Service), checks its capacity provider
strategy against the ECS limits and the task definition, and shows how N tasks
spread: bases first, then the rest by weight.

Exit codes: 0 valid strategy; 1 invalid strategy (the reasons are printed);
2 unreadable input.`,
		Example: `  imgcheck plan --service svc.json --count 12
  imgcheck plan --service svc.json --taskdef td.json --format json
  imgcheck plan --service stack.yaml --resource WebService --param ImageUri=nginx`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.countSet = cmd.Flags().Changed("count")
			return runPlan(cmd.Context(), o, s)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.service, "service", "", "service definition file (required)")
	f.StringVar(&o.taskdef, "taskdef", "", "task definition file or ARN/family[:revision] (default: the one the template links)")
	f.IntVar(&o.count, "count", 0, "number of tasks to spread (default: the service's desiredCount)")
	f.StringVar(&o.format, "format", "text", "output format: text or json")
	f.StringVar(&o.resource, "resource", "", "CloudFormation logical id of the service, when the template has several")
	f.StringArrayVar(&o.params, "param", nil, "CloudFormation parameter Name=Value (repeatable)")
	_ = cmd.MarkFlagRequired("service")
	return cmd
}

// planResult is the json output.
type planResult struct {
	Service     string               `json:"service"`
	File        string               `json:"file"`
	Count       int                  `json:"count"`
	Valid       bool                 `json:"valid"`
	Problems    []taskdef.Problem    `json:"problems"`
	Allocations []taskdef.Allocation `json:"allocations"`
	Note        string               `json:"note"`
}

func runPlan(ctx context.Context, o *planOptions, s streams) error {
	if o.format != "text" && o.format != "json" {
		return fmt.Errorf("unknown --format %q (want text or json)", o.format)
	}
	params, err := parseParams(o.params)
	if err != nil {
		return err
	}
	svc, err := taskdef.LoadService(ctx, o.service, taskdef.LoadOptions{Params: params, Resource: o.resource})
	if err != nil {
		return fmt.Errorf("reading service: %w", err)
	}
	td := svc.Task
	if o.taskdef != "" {
		if td, err = loadPlanTask(ctx, o.taskdef, params); err != nil {
			return err
		}
	}
	n := o.count
	if !o.countSet {
		if !svc.DesiredCount.Known() {
			return fmt.Errorf("%s: the service has no desiredCount; pass --count", o.service)
		}
		n = svc.DesiredCount.Value
	}
	if n < 0 {
		return fmt.Errorf("--count %d is negative", n)
	}
	if len(svc.CapacityProviderStrategy) == 0 {
		return fmt.Errorf("%s: the service has no capacityProviderStrategy (launchType %q); there is nothing to spread", o.service, svc.LaunchType.Value)
	}
	res := planResult{
		Service:     svc.Name.Value,
		File:        o.service,
		Count:       n,
		Problems:    taskdef.ValidateStrategy(svc.CapacityProviderStrategy, taskdef.StrategyContextFor(svc, td)),
		Allocations: taskdef.Spread(svc.CapacityProviderStrategy, n),
		Note:        spreadEstimateNote,
	}
	res.Valid = len(res.Problems) == 0
	if res.Problems == nil {
		res.Problems = []taskdef.Problem{}
	}
	if o.format == "json" {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else if err := writePlanText(s.out, res); err != nil {
		return err
	}
	if !res.Valid {
		reasons := make([]string, len(res.Problems))
		for i, p := range res.Problems {
			reasons[i] = p.String()
		}
		return findingsError("invalid capacity provider strategy: %s", strings.Join(reasons, "; "))
	}
	return nil
}

func loadPlanTask(ctx context.Context, ref string, params map[string]string) (*taskdef.TaskDefinition, error) {
	tds, err := openTaskdefs(ctx, "--taskdef", []string{ref}, taskdef.LoadOptions{Params: params})
	if err != nil {
		return nil, err
	}
	if len(tds) != 1 {
		return nil, fmt.Errorf("--taskdef %s: the directory holds %d task definitions; plan reads one", ref, len(tds))
	}
	return tds[0], nil
}

func parseParams(kvs []string) (map[string]string, error) {
	params, err := taskdef.ParseParams(kvs)
	if err != nil {
		return nil, fmt.Errorf("--param %w", err)
	}
	return params, nil
}

func writePlanText(w io.Writer, res planResult) error {
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
	_, err := fmt.Fprintln(w, spreadEstimateNote)
	return err
}
