package taskdef

// PlacementConstraint is a placementConstraints entry of a task definition
// or a service. On EC2 and EXTERNAL the instance a task lands on decides its
// CPU architecture when runtimePlatform does not, and a memberOf expression
// on attribute:ecs.cpu-architecture is how a definition narrows it.
type PlacementConstraint struct {
	Type       String `json:"type"`       // memberOf or distinctInstance
	Expression String `json:"expression"` // cluster query language
	Pos        Pos    `json:"pos"`
}

// placementConstraintsOf reads a placementConstraints list. A list that is
// itself an unresolved expression becomes one entry whose Type carries the
// reason, so it can never be mistaken for "no constraints"; so does an
// entry that is one (see unresolvedParts).
func placementConstraintsOf(n *node) []PlacementConstraint {
	var out []PlacementConstraint
	for _, u := range unresolvedParts(n) {
		out = append(out, PlacementConstraint{Type: stringOf(u), Pos: u.pos})
	}
	for _, it := range items(n) {
		out = append(out, PlacementConstraint{
			Type:       stringOf(it.get("type")),
			Expression: stringOf(it.get("expression")),
			Pos:        it.pos,
		})
	}
	return out
}
