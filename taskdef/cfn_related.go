package taskdef

import "sort"

// Resources a service refers to in the same CloudFormation template. Their
// properties are not ECS API types, so they are read key by key (in
// CloudFormation's PascalCase) instead of through the generated schema;
// only the properties the service rules need are kept.
const (
	cfnTargetGroupType           = "AWS::ElasticLoadBalancingV2::TargetGroup"
	cfnClusterType               = "AWS::ECS::Cluster"
	cfnClusterProviderAssocsType = "AWS::ECS::ClusterCapacityProviderAssociations"
)

// TargetGroup is an AWS::ElasticLoadBalancingV2::TargetGroup of the
// template. A property that is absent has Set false; CloudFormation's
// defaults are then TargetType instance and HealthCheckPort traffic-port.
type TargetGroup struct {
	Resource            string `json:"resource"` // logical id
	TargetType          String `json:"targetType"`
	Protocol            String `json:"protocol"`
	Port                Int    `json:"port"`
	HealthCheckPort     String `json:"healthCheckPort"` // "traffic-port" or a port number
	HealthCheckProtocol String `json:"healthCheckProtocol"`
	Pos                 Pos    `json:"pos"` // the resource's Properties
}

// ClusterDefault is the default capacity provider strategy of a cluster the
// template defines. ECS uses it for a service that sets neither launchType
// nor capacityProviderStrategy; an empty Strategy means the cluster has
// none, and ECS then uses the EC2 launch type.
type ClusterDefault struct {
	Strategy []StrategyItem `json:"strategy,omitempty"`
	// From is the logical id of the resource that sets the strategy: the
	// cluster, or an AWS::ECS::ClusterCapacityProviderAssociations naming it.
	From string `json:"from"`
	Pos  Pos    `json:"pos"`
}

// cfnTargetGroup reads a target group resource, or returns nil when id is
// not one.
func cfnTargetGroup(t *cfnTemplate, id string) *TargetGroup {
	r, ok := t.resources[id]
	if !ok || r.getRaw("Type").str != cfnTargetGroupType {
		return nil
	}
	p := t.properties(id)
	return &TargetGroup{
		Resource:            id,
		TargetType:          stringOf(property(p, "TargetType")),
		Protocol:            stringOf(property(p, "Protocol")),
		Port:                intOf(property(p, "Port")),
		HealthCheckPort:     stringOf(property(p, "HealthCheckPort")),
		HealthCheckProtocol: stringOf(property(p, "HealthCheckProtocol")),
		Pos:                 p.pos,
	}
}

// cfnClusterDefault reads the default capacity provider strategy of the
// cluster resource id: from an AWS::ECS::ClusterCapacityProviderAssociations
// whose Cluster is a Ref to it or its ClusterName, else from the cluster's own
// DefaultCapacityProviderStrategy. An association whose Cluster is not
// known makes the strategy unknown. It returns nil when id is not a cluster.
func cfnClusterDefault(t *cfnTemplate, id string) *ClusterDefault {
	r, ok := t.resources[id]
	if !ok || r.getRaw("Type").str != cfnClusterType {
		return nil
	}
	ids := make([]string, 0, len(t.resources))
	for other := range t.resources {
		ids = append(ids, other)
	}
	sort.Strings(ids) // the first association wins, the same one every run
	own := t.properties(id)
	name := property(own, "ClusterName")
	for _, other := range ids {
		if t.resources[other].getRaw("Type").str != cfnClusterProviderAssocsType {
			continue
		}
		p := t.properties(other)
		c := property(p, "Cluster")
		switch {
		case c == nil:
			continue
		case c.refTarget == id, c.kind == kindString && name != nil && name.kind == kindString && c.str == name.str:
			return &ClusterDefault{Strategy: cfnStrategy(property(p, "DefaultCapacityProviderStrategy")), From: other, Pos: p.pos}
		case c.kind == kindUnresolved && c.refTarget == "":
			// Which cluster it sets is unknown: it may be this one.
			return &ClusterDefault{Strategy: cfnStrategy(c), From: other, Pos: p.pos}
		}
	}
	return &ClusterDefault{Strategy: cfnStrategy(property(own, "DefaultCapacityProviderStrategy")), From: id, Pos: own.pos}
}

// property returns the property key of resolved Properties p. When p is
// itself an unresolved expression (Properties: !If [...] on an unknown
// condition), every property is unknown: p is returned so that the value
// reads as unresolved instead of absent, which would mean its default.
func property(p *node, key string) *node {
	if p != nil && p.kind == kindUnresolved {
		return p
	}
	return p.getRaw(key)
}

// cfnStrategy reads a CloudFormation capacity provider strategy list. A
// list that is itself an unresolved expression becomes one item whose
// provider carries the reason, so that it is never taken for "no strategy".
func cfnStrategy(n *node) []StrategyItem {
	var out []StrategyItem
	for _, u := range unresolvedParts(n) {
		out = append(out, StrategyItem{Provider: stringOf(u), Pos: u.pos})
	}
	for _, it := range items(n) {
		out = append(out, StrategyItem{
			Provider: stringOf(it.getRaw("CapacityProvider")),
			Base:     intOf(it.getRaw("Base")),
			Weight:   intOf(it.getRaw("Weight")),
			Pos:      it.pos,
		})
	}
	return out
}
