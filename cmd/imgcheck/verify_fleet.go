package main

import (
	"context"
	"fmt"

	"github.com/imgcheck/imgcheck/platform"
	"github.com/imgcheck/imgcheck/taskdef"
	"github.com/imgcheck/imgcheck/verify"
)

// loadVerifyInputs turns the command line into one input per task
// definition. Several task definitions (repeated --taskdef, or a
// directory) verify a fleet in one run: each container with its own image.
func loadVerifyInputs(ctx context.Context, o *verifyOptions) ([]verify.Input, error) {
	lo, err := taskdefLoadOptions(o.params, o.resource)
	if err != nil {
		return nil, err
	}
	tds, err := openTaskdefs(ctx, "--taskdef", o.taskdefs, lo)
	if err != nil {
		return nil, err
	}
	if len(tds) <= 1 {
		var td *taskdef.TaskDefinition
		if len(tds) == 1 {
			td = tds[0]
		}
		in, err := loadVerifyInput(ctx, o, td, lo)
		return []verify.Input{in}, err
	}
	if len(o.images) > 0 || len(o.containers) > 0 || o.service != "" || len(o.platforms) > 0 {
		return nil, fmt.Errorf("with several task definitions each container is verified with its own image: IMAGE, --container, --service and --platform need a single --taskdef")
	}
	var inputs []verify.Input
	for _, td := range tds {
		in, err := loadVerifyInput(ctx, o, td, lo)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", td.Source.File, err)
		}
		inputs = append(inputs, in)
	}
	return inputs, nil
}

// loadVerifyInput is the input for one task definition (nil: none).
func loadVerifyInput(ctx context.Context, o *verifyOptions, td *taskdef.TaskDefinition, lo taskdef.LoadOptions) (verify.Input, error) {
	var in verify.Input
	var err error
	if o.service != "" {
		svc, err := taskdef.LoadService(ctx, o.service, lo)
		if err != nil {
			return in, fmt.Errorf("loading service: %w", err)
		}
		in.Service = svc
		in.TaskDef = svc.Task
	}
	if td != nil {
		in.TaskDef = td
		if td.Service != nil { // paired by taskdef.Open (ecspresso layout)
			if o.service != "" {
				return in, fmt.Errorf("--service %s: %s is already paired with service definition %s", o.service, td.Source.File, td.Service.Source.File)
			}
			in.Service = td.Service
		}
	}
	if len(o.platforms) > 0 {
		// With a task definition, verify takes them only for what the task
		// leaves to its EC2 or EXTERNAL instances, and says so otherwise.
		for _, p := range o.platforms {
			pl, err := platform.Parse(p)
			if err != nil {
				return in, fmt.Errorf("--platform: %w", err)
			}
			in.Platforms = append(in.Platforms, pl)
		}
	}
	in.Subjects, err = verify.PairImages(in.TaskDef, o.images, o.containers)
	return in, err
}
