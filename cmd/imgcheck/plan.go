package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

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

func runPlan(ctx context.Context, o *planOptions, s streams) error {
	if o.format != "text" && o.format != "json" {
		return fmt.Errorf("unknown --format %q (want text or json)", o.format)
	}
	if o.countSet && o.count < 0 {
		return fmt.Errorf("--count %d is negative", o.count)
	}
	params, err := parseParams(o.params)
	if err != nil {
		return err
	}
	svc, err := taskdef.LoadService(ctx, o.service, taskdef.LoadOptions{Params: params, Resource: o.resource})
	if err != nil {
		return fmt.Errorf("reading service: %w", err)
	}
	var td *taskdef.TaskDefinition
	if o.taskdef != "" {
		if td, err = loadPlanTask(ctx, o.taskdef, params); err != nil {
			return err
		}
	}
	count := -1 // the service's desiredCount
	if o.countSet {
		count = o.count
	}
	plan, err := taskdef.PlanSpread(svc, td, count)
	if err != nil {
		return err
	}
	if o.format == "json" {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		err = enc.Encode(plan)
	} else {
		err = writePlanText(s.out, plan)
	}
	if err != nil {
		return err
	}
	if !plan.Valid {
		reasons := make([]string, len(plan.Problems))
		for i, p := range plan.Problems {
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
