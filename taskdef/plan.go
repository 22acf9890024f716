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
	ErrNoDesiredCount = errors.New("the service has no desiredCount and no task count was given")
	ErrNoStrategy     = errors.New("the service has no capacityProviderStrategy; there is nothing to spread")
)

// SpreadPlan is a service's capacity provider strategy checked against the
// ECS limits and its task definition, and how Count tasks spread over it.
type SpreadPlan struct {
	Service     string       `json:"service"`
	File        string       `json:"file"`
	Count       int          `json:"count"`
	Valid       bool         `json:"valid"`
	Problems    []Problem    `json:"problems"`
	Allocations []Allocation `json:"allocations"`
	Note        string       `json:"note"`
}

// PlanSpread plans count tasks of svc (a negative count: the service's
// desiredCount) under td, or the task definition the service links when td
// is nil. An invalid strategy is a plan with Valid false, not an error.
func PlanSpread(svc *Service, td *TaskDefinition, count int) (*SpreadPlan, error) {
	if td == nil {
		td = svc.Task
	}
	if count < 0 {
		if !svc.DesiredCount.Known() {
			return nil, fmt.Errorf("%s: %w", svc.Source.File, ErrNoDesiredCount)
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
		Service:     svc.Name.Value,
		File:        svc.Source.File,
		Count:       count,
		Problems:    ValidateStrategy(svc.CapacityProviderStrategy, StrategyContextFor(svc, td)),
		Allocations: Spread(svc.CapacityProviderStrategy, count),
		Note:        SpreadEstimateNote,
	}
	p.Valid = len(p.Problems) == 0
	if p.Problems == nil {
		p.Problems = []Problem{}
	}
	return p, nil
}
