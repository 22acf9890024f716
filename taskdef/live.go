package taskdef

import (
	"context"
	"fmt"
	"regexp"
)

// ECSDescriber reads a registered task definition from the ECS API.
// Package taskdef/ecsapi implements it with the AWS SDK; the interface keeps
// the SDK out of this package.
type ECSDescriber interface {
	// DescribeTaskDefinition returns the DescribeTaskDefinition response for
	// ref (an ARN or family[:revision]) as the API's JSON:
	// {"taskDefinition": {...}}.
	DescribeTaskDefinition(ctx context.Context, ref string) ([]byte, error)
}

// taskDefinitionARNRe matches an ECS task definition ARN.
var taskDefinitionARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition/[A-Za-z0-9_-]{1,255}(:\d+)?$`)

// familyRevisionRe matches family or family:revision (family names are up
// to 255 letters, digits, hyphens and underscores).
var familyRevisionRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}(:\d+)?$`)

// looksLive reports whether s has the form of a task definition in ECS (an
// ARN or family[:revision]). Open asks only when no such path exists.
func looksLive(s string) bool {
	return taskDefinitionARNRe.MatchString(s) || familyRevisionRe.MatchString(s)
}

// loadLive reads a task definition from the ECS API.
func loadLive(ctx context.Context, ref string, ecs ECSDescriber, opts LoadOptions) (*TaskDefinition, error) {
	if ecs == nil {
		return nil, fmt.Errorf("%s: no such file or directory, and reading registered task definitions from ECS is not enabled", ref)
	}
	data, err := ecs.DescribeTaskDefinition(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("describing task definition %s: %w", ref, err)
	}
	td, err := Parse(ref+".json", data, opts)
	if err != nil {
		return nil, fmt.Errorf("reading task definition %s from ECS: %w", ref, err)
	}
	if td.Source.Shape != ShapeDescribe {
		return nil, fmt.Errorf("reading task definition %s from ECS: the response is %s, not DescribeTaskDefinition output", ref, td.Source.Shape)
	}
	td.Source = Source{File: ref, Shape: ShapeLive, Format: "json"}
	td.doc.shape = ShapeLive
	return td, nil
}
