package taskdef

import (
	"context"
	"fmt"
	"os"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// taskDefinitionARNRe matches an ECS task definition ARN.
var taskDefinitionARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition/[A-Za-z0-9_-]{1,255}(:\d+)?$`)

// familyRevisionRe matches family or family:revision (family names are up
// to 255 letters, digits, hyphens and underscores).
var familyRevisionRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}(:\d+)?$`)

// IsLiveRef reports whether s names a task definition in ECS (an ARN or
// family[:revision]) rather than a file. A path that exists always wins.
func IsLiveRef(s string) bool {
	if _, err := os.Stat(s); err == nil {
		return false
	}
	return taskDefinitionARNRe.MatchString(s) || familyRevisionRe.MatchString(s)
}

// LoadLive reads a task definition from the ECS API with
// DescribeTaskDefinition, using the default AWS configuration chain
// (environment, shared config and profiles, SSO, IMDS). AWS_ENDPOINT_URL_ECS
// points it at another endpoint.
func LoadLive(ctx context.Context, ref string, opts LoadOptions) (*TaskDefinition, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration to describe task definition %s: %w", ref, err)
	}
	client := ecs.NewFromConfig(cfg)
	out, err := client.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref)})
	if err != nil {
		return nil, fmt.Errorf("describing task definition %s: %w", ref, err)
	}
	if out.TaskDefinition == nil {
		return nil, fmt.Errorf("describing task definition %s: the response holds no task definition", ref)
	}
	data, err := apiJSON(map[string]any{"taskDefinition": out.TaskDefinition})
	if err != nil {
		return nil, fmt.Errorf("encoding task definition %s: %w", ref, err)
	}
	td, err := Parse(ref+".json", data, opts)
	if err != nil {
		return nil, fmt.Errorf("reading task definition %s from ECS: %w", ref, err)
	}
	td.Source = Source{File: ref, Shape: ShapeLive, Format: "json"}
	td.doc.shape = ShapeLive
	return td, nil
}
