package taskdef

import (
	"errors"
	"fmt"
)

// SpreadEstimateNote goes with every SpreadPlan: ECS does not document how
// it rounds a weighted split, so the figures are an estimate.
const SpreadEstimateNote = "estimate: ECS places the base first, then splits the rest by weight; it does not publish its rounding, so this uses floors with leftover tasks going to the largest remainders (ties to the provider listed first)"

// Reasons PlanSpread cannot plan a service.
var (
	ErrNoDesiredCount = errors.New("no task count was given and the service's desiredCount is not known")
	ErrNoStrategy     = errors.New("the service has no capacityProviderStrategy; there is nothing to spread")
)

// SpreadPlanSchemaVersion versions the JSON of a SpreadPlan (imgcheck plan
// --format json); bump it on breaking changes.
const SpreadPlanSchemaVersion = 1

// SpreadPlan is a service's capacity provider strategy checked against the
// ECS limits and its task definition, and how Count tasks spread over it.
type SpreadPlan struct {
	SchemaVersion int          `json:"schemaVersion"`
	Service       string       `json:"service"`
	File          string       `json:"file"`
	Count         int          `json:"count"`
	Valid         bool         `json:"valid"`
	Problems      []Problem    `json:"problems"`
	Allocations   []Allocation `json:"allocations"`
	Note          string       `json:"note"`
}

// PlanSpread plans count tasks of svc (a negative count: the service's
// desiredCount) under td, or the task definition the service links when td
// is nil. An invalid strategy is a plan with Valid false, not an error.
func PlanSpread(svc *Service, td *TaskDefinition, count int) (*SpreadPlan, error) {
	if td == nil {
		td = svc.Task
	}
	if count < 0 {
		if dc := svc.DesiredCount; dc.Unresolved != "" {
			return nil, fmt.Errorf("%s: desiredCount is not known statically (%s): %w", dc.Pos, dc.Unresolved, ErrNoDesiredCount)
		} else if !dc.Known() {
			return nil, fmt.Errorf("%s: the service sets no desiredCount: %w", svc.Source.File, ErrNoDesiredCount)
		}
		count = svc.DesiredCount.Value
		if count < 0 {
			return nil, fmt.Errorf("%s: desiredCount %d is negative", svc.Source.File, count)
		}
	}
	if len(svc.CapacityProviderStrategy) == 0 {
		return nil, fmt.Errorf("%s: %w (launchType %q)", svc.Source.File, ErrNoStrategy, svc.LaunchType.Value)
	}
	p := &SpreadPlan{
		SchemaVersion: SpreadPlanSchemaVersion,
		Service:       svc.Name.Value,
		File:          svc.Source.File,
		Count:         count,
		Problems:      ValidateStrategy(svc.CapacityProviderStrategy, StrategyContextFor(svc, td)),
		Allocations:   Spread(svc.CapacityProviderStrategy, count),
		Note:          SpreadEstimateNote,
	}
	p.Valid = len(p.Problems) == 0
	if p.Problems == nil {
		p.Problems = []Problem{}
	}
	return p, nil
}
