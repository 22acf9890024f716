// Package ecsapi reads task definitions from the Amazon ECS API with
// aws-sdk-go-v2. Its Describer implements taskdef.ECSDescriber; the commands
// inject it into taskdef.Open, so that package taskdef itself does not link
// the AWS SDK.
package ecsapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// Describer calls DescribeTaskDefinition with the default AWS configuration
// chain (environment, shared config and profiles, SSO, IMDS).
// AWS_ENDPOINT_URL_ECS points it at another endpoint. The zero value is
// ready to use; the configuration is loaded on each call, so a Describer
// that is never called costs nothing.
type Describer struct {
	// ConfigOptions are extra options for config.LoadDefaultConfig.
	ConfigOptions []func(*config.LoadOptions) error
}

// DescribeTaskDefinition implements taskdef.ECSDescriber: it returns the
// response as the AWS CLI prints it, {"taskDefinition": {...}}.
func (d Describer) DescribeTaskDefinition(ctx context.Context, ref string) ([]byte, error) {
	cfg, err := config.LoadDefaultConfig(ctx, d.ConfigOptions...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	out, err := ecs.NewFromConfig(cfg).DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref)})
	if err != nil {
		// The SDK's error already names the operation and the service.
		return nil, err
	}
	if out.TaskDefinition == nil {
		return nil, errors.New("the response holds no task definition")
	}
	data, err := apiJSON(map[string]any{"taskDefinition": out.TaskDefinition})
	if err != nil {
		return nil, fmt.Errorf("encoding the response: %w", err)
	}
	return data, nil
}
