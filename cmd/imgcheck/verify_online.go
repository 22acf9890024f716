package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/imgcheck/imgcheck/online/awsonline"
	"github.com/imgcheck/imgcheck/verify"
)

// onlineFlags are verify's --online flags. Offline is the default: without
// them verify reads only the task definition and the registries.
type onlineFlags struct {
	enabled bool
	scan    bool
}

func (f *onlineFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.enabled, "online", false,
		"also check in AWS that what the task definition names exists: the execution and task roles (and that they trust ecs-tasks.amazonaws.com), "+
			"the secrets and parameters of secrets (never their values), the awslogs group, the service's target groups and the ECR images (rules IC5xx; needs AWS credentials)")
	fs.BoolVar(&f.scan, "online-scan", false, "with --online (implied), also report each ECR image's scan findings summary")
}

// options builds the online checks with the AWS SDK's default chain, the
// command being where the SDK is chosen; nil when they are off.
func (f *onlineFlags) options(ctx context.Context, progress io.Writer) (*verify.OnlineOptions, error) {
	if !f.enabled && !f.scan {
		return nil, nil
	}
	clients, err := awsonline.New(ctx, awsonline.Options{})
	if err != nil {
		return nil, fmt.Errorf("--online: %w", err)
	}
	fmt.Fprintln(progress, "checking in AWS what the task definitions name (--online)...")
	return &verify.OnlineOptions{Clients: clients, Scan: f.scan}, nil
}
