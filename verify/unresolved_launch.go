package verify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/imgcheck/imgcheck/taskdef"
)

// launchAssumptionProblems covers a service that sets neither launchType
// nor capacityProviderStrategy on a cluster whose default capacity
// provider strategy is not known. ECS then uses that default, or the EC2
// launch type when there is none; the rules ran as if EC2. When a FARGATE
// default, or one of Auto Scaling group capacity providers, would add an
// error, the verdict depends on what is not known: could not verify.
func launchAssumptionProblems(f taskFacts) []unresolvedValue {
	if !f.launch.assumed {
		return nil
	}
	base := errorFindingKeys(taskLevelFindings(&f))
	var changes []string
	for _, hyp := range []struct {
		name     string
		provider string
	}{
		{"FARGATE", taskdef.ProviderFargate},
		{"Auto Scaling group capacity provider", "asg-provider"},
	} {
		svc := *f.svc
		svc.ClusterDefault = &taskdef.ClusterDefault{
			Strategy: []taskdef.StrategyItem{{
				Provider: taskdef.String{Value: hyp.provider, Set: true, Pos: svc.Pos},
				Weight:   taskdef.Int{Value: 1, Set: true},
				Pos:      svc.Pos,
			}},
			From: "a hypothetical default",
		}
		hf := newTaskFacts(f.td, &svc)
		var added []string
		for key, id := range errorFindingKeys(taskLevelFindings(&hf)) {
			if _, ok := base[key]; !ok && !slices.Contains(added, id) {
				added = append(added, id)
			}
		}
		slices.Sort(added)
		if len(added) > 0 {
			changes = append(changes, fmt.Sprintf("a %s default would add %s", hyp.name, strings.Join(added, ", ")))
		}
	}
	if len(changes) == 0 {
		return nil
	}
	pos := f.svc.Pos
	if f.svc.Cluster.Set {
		pos = f.svc.Cluster.Pos
	}
	return []unresolvedValue{{
		field: "the service's launch type",
		why:   "the service sets neither launchType nor capacityProviderStrategy, so ECS uses its cluster's default capacity provider strategy, which is not known here, or EC2 when there is none; " + strings.Join(changes, "; "),
		pos:   pos,
		fix:   "set launchType (or capacityProviderStrategy) on the service, or define the cluster in the same template",
	}}
}

// errorFindingKeys maps each error finding (rule, container and message)
// to its rule ID.
func errorFindingKeys(fs []Finding) map[string]string {
	keys := map[string]string{}
	for _, f := range fs {
		if f.Severity == Error {
			keys[f.RuleID+"\x00"+f.Container+"\x00"+f.Message] = f.RuleID
		}
	}
	return keys
}
