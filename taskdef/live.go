package taskdef

import (
	"context"
	"fmt"
	"regexp"
	"strings"
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

// taskDefinitionARNPrefix matches the part of an ECS task definition ARN
// before family[:revision].
var taskDefinitionARNPrefix = regexp.MustCompile(`^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition/`)

// looksLive reports whether s has the form of a task definition in ECS (an
// ARN or family[:revision]). Open asks only when no such path exists.
func looksLive(s string) bool {
	if loc := taskDefinitionARNPrefix.FindStringIndex(s); loc != nil {
		s = s[loc[1]:]
	}
	return isFamilyRevision(s)
}

// isFamilyRevision reports whether s is family or family:revision: family
// names are 1 to 255 letters, digits, hyphens and underscores. (Checked by
// hand: {1,255} compiles to a large regexp program at every start.)
func isFamilyRevision(s string) bool {
	family, revision, hasRevision := strings.Cut(s, ":")
	if len(family) == 0 || len(family) > 255 || (hasRevision && revision == "") {
		return false
	}
	for _, c := range []byte(family) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	for _, c := range []byte(revision) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
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
