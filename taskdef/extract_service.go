package taskdef

// serviceOf turns a checked service node into the model.
func serviceOf(n *node) *Service {
	s := &Service{
		Name:            stringOf(n.get("serviceName")),
		Cluster:         stringOf(n.get("cluster")),
		LaunchType:      stringOf(n.get("launchType")),
		PlatformVersion: stringOf(n.get("platformVersion")),
		DesiredCount:    intOf(n.get("desiredCount")),
		TaskDefinition:  stringOf(n.get("taskDefinition")),
		Pos:             n.pos,

		SchedulingStrategy: stringOf(n.get("schedulingStrategy")),
	}
	if td := n.get("taskDefinition"); td != nil && td.kind == kindUnresolved {
		s.TaskDefinitionResource = td.refTarget
	}
	if c := n.get("cluster"); c != nil && c.kind == kindUnresolved {
		s.ClusterResource = c.refTarget
	}
	switch dc := n.get("deploymentController"); {
	case dc != nil && dc.kind == kindMap:
		s.DeploymentController = stringOf(dc.get("type"))
	case dc != nil && dc.kind == kindUnresolved:
		s.DeploymentController = stringOf(dc)
	}
	for _, u := range unresolvedParts(n.get("capacityProviderStrategy")) {
		s.CapacityProviderStrategy = append(s.CapacityProviderStrategy, StrategyItem{Provider: stringOf(u), Pos: u.pos})
	}
	for _, it := range items(n.get("capacityProviderStrategy")) {
		s.CapacityProviderStrategy = append(s.CapacityProviderStrategy, StrategyItem{
			Provider: stringOf(it.get("capacityProvider")),
			Base:     intOf(it.get("base")),
			Weight:   intOf(it.get("weight")),
			Pos:      it.pos,
		})
	}
	s.PlacementConstraints = placementConstraintsOf(n.get("placementConstraints"))
	for _, u := range unresolvedParts(n.get("loadBalancers")) {
		s.LoadBalancers = append(s.LoadBalancers, LoadBalancer{ContainerName: stringOf(u), Pos: u.pos})
	}
	for _, it := range items(n.get("loadBalancers")) {
		s.LoadBalancers = append(s.LoadBalancers, LoadBalancer{
			TargetGroupArn:   stringOf(it.get("targetGroupArn")),
			LoadBalancerName: stringOf(it.get("loadBalancerName")),
			ContainerName:    stringOf(it.get("containerName")),
			ContainerPort:    intOf(it.get("containerPort")),
			Pos:              it.pos,

			TargetGroupResource: refTargetOf(it.get("targetGroupArn")),
		})
	}
	nc := n.get("networkConfiguration")
	if nc != nil && nc.kind == kindUnresolved {
		s.NetworkConfiguration = &NetworkConfiguration{Pos: nc.pos, Unresolved: nc.unresolved}
	}
	if nc != nil && nc.kind == kindMap {
		if av := nc.get("awsvpcConfiguration"); av != nil && av.kind == kindUnresolved {
			s.NetworkConfiguration = &NetworkConfiguration{Pos: av.pos, Unresolved: av.unresolved}
		} else if av != nil && av.kind == kindMap {
			s.NetworkConfiguration = &NetworkConfiguration{
				Subnets:        stringListOf(av.get("subnets")),
				SecurityGroups: stringListOf(av.get("securityGroups")),
				AssignPublicIP: stringOf(av.get("assignPublicIp")),
				Pos:            av.pos,
			}
		}
	}
	return s
}

// refTargetOf returns the logical id an unresolved Ref to a resource of
// the same template names, or "".
func refTargetOf(n *node) string {
	if n == nil || n.kind != kindUnresolved {
		return ""
	}
	return n.refTarget
}
