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
	}
	if td := n.get("taskDefinition"); td != nil && td.kind == kindUnresolved {
		s.TaskDefinitionResource = td.refTarget
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
	for _, it := range items(n.get("loadBalancers")) {
		s.LoadBalancers = append(s.LoadBalancers, LoadBalancer{
			TargetGroupArn:   stringOf(it.get("targetGroupArn")),
			LoadBalancerName: stringOf(it.get("loadBalancerName")),
			ContainerName:    stringOf(it.get("containerName")),
			ContainerPort:    intOf(it.get("containerPort")),
			Pos:              it.pos,
		})
	}
	if nc := n.get("networkConfiguration"); nc != nil && nc.kind == kindMap {
		if av := nc.get("awsvpcConfiguration"); av != nil && av.kind == kindMap {
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
