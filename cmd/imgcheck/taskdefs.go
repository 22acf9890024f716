package main

import (
	"context"
	"fmt"

	"github.com/imgcheck/imgcheck/taskdef"
	"github.com/imgcheck/imgcheck/taskdef/ecsapi"
)

// openTaskdefs reads every task definition the references name (a file, a
// directory of them, or an ARN or family[:revision] registered in ECS, read
// through the AWS SDK). flag is the flag the references came from, for
// error messages.
func openTaskdefs(ctx context.Context, flag string, refs []string, lo taskdef.LoadOptions) ([]*taskdef.TaskDefinition, error) {
	opts := taskdef.OpenOptions{LoadOptions: lo, ECS: ecsapi.Describer{}}
	var out []*taskdef.TaskDefinition
	for _, ref := range refs {
		tds, err := taskdef.Open(ctx, ref, opts)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", flag, ref, err)
		}
		out = append(out, tds...)
	}
	return out, nil
}

// taskdefLoadOptions turns --param and --resource into load options.
func taskdefLoadOptions(params []string, resource string) (taskdef.LoadOptions, error) {
	p, err := parseParams(params)
	if err != nil {
		return taskdef.LoadOptions{}, err
	}
	return taskdef.LoadOptions{Params: p, Resource: resource}, nil
}

// parseParams reads --param Name=Value flags.
func parseParams(kvs []string) (map[string]string, error) {
	params, err := taskdef.ParseParams(kvs)
	if err != nil {
		return nil, fmt.Errorf("--param %w", err)
	}
	return params, nil
}
