package taskdef

import "testing"

// An entry of a list that is an !If on an unknown condition must not vanish:
// a strategy or load balancer list missing it would be judged as complete.
func TestUnresolvedListEntriesAreKept(t *testing.T) {
	src := `Parameters:
  P: {Type: String}
Conditions:
  C: !Equals [!Ref P, x]
Resources:
  Service:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: app:1
      LoadBalancers:
        - {ContainerName: app, ContainerPort: 80, TargetGroupArn: arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1}
        - !If [C, {ContainerName: app, ContainerPort: 81, TargetGroupArn: x}, !Ref AWS::NoValue]
      CapacityProviderStrategy:
        - !If [C, {CapacityProvider: FARGATE_SPOT, Weight: 1}, !Ref AWS::NoValue]
        - {CapacityProvider: FARGATE, Weight: 1}
      PlacementConstraints:
        - !If [C, {Type: memberOf, Expression: "attribute:ecs.cpu-architecture == arm64"}, !Ref AWS::NoValue]
`
	svc, err := ParseService("stack.yaml", []byte(src), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lbs := svc.LoadBalancers
	if len(lbs) != 2 {
		t.Fatalf("want 2 load balancers, got %+v", lbs)
	}
	expect(t, lbs[0].ContainerName.Unresolved != "" && lbs[0].Pos.Line == 12, "unresolved load balancer %+v", lbs[0])
	cps := svc.CapacityProviderStrategy
	if len(cps) != 2 {
		t.Fatalf("want 2 strategy items, got %+v", cps)
	}
	expect(t, cps[0].Provider.Unresolved != "" && cps[0].Pos.Line == 14, "unresolved strategy item %+v", cps[0])
	pcs := svc.PlacementConstraints
	if len(pcs) != 1 {
		t.Fatalf("want 1 placement constraint, got %+v", pcs)
	}
	expect(t, pcs[0].Type.Unresolved != "", "unresolved constraint %+v", pcs[0])
}

// A container definition that is an !If on an unknown condition must stay a
// container, every field unknown: dropped, its image would never be checked.
func TestUnresolvedContainerDefinitionIsKept(t *testing.T) {
	td := parseConditionalTask(t, `      ContainerDefinitions:
        - !If [C, {Name: side, Image: side:1}, !Ref AWS::NoValue]
        - {Name: app, Image: app:1}
`)
	if len(td.Containers) != 2 {
		t.Fatalf("want 2 containers, got %+v", td.Containers)
	}
	expect(t, td.Containers[0].Name.Value == "app", "known containers keep their order first: %+v", td.Containers[0])
	side := td.Containers[1]
	expect(t, side.Name.Unresolved != "" && side.Image.Unresolved != "" && side.Essential.Unresolved != "" && side.Pos.Line == 10,
		"unresolved container %+v", side)
}

// A port mapping that is an expression is kept with unknown ports.
func TestUnresolvedPortMappingIsKept(t *testing.T) {
	td := parseConditionalTask(t, `      ContainerDefinitions:
        - Name: app
          Image: app:1
          PortMappings: [!If [C, {ContainerPort: 80}, !Ref AWS::NoValue]]
`)
	pms := td.Containers[0].PortMappings
	if len(pms) != 1 {
		t.Fatalf("want 1 port mapping, got %+v", pms)
	}
	expect(t, pms[0].ContainerPort.Unresolved != "" && pms[0].HostPort.Unresolved != "" && pms[0].Pos.Line == 12, "port mapping %+v", pms[0])
}

// A logConfiguration that is an expression is not "no logConfiguration".
func TestUnresolvedLogConfigurationIsKept(t *testing.T) {
	td := parseConditionalTask(t, `      ContainerDefinitions:
        - Name: app
          Image: app:1
          LogConfiguration: !If [C, {LogDriver: awslogs, Options: {awslogs-group: g}}, !Ref AWS::NoValue]
`)
	lc := td.Containers[0].LogConfiguration
	if lc == nil {
		t.Fatal("logConfiguration dropped")
	}
	expect(t, lc.LogDriver.Unresolved != "" && lc.OptionsUnknown.Unresolved != "" && lc.Pos.Line == 12, "log configuration %+v", lc)
}

// A runtimePlatform that is an expression must not read as the default
// platform (X86_64, LINUX): both fields are unknown.
func TestUnresolvedRuntimePlatform(t *testing.T) {
	src := `Parameters:
  P: {Type: String}
Conditions:
  Arm: !Equals [!Ref P, arm]
Resources:
  TD:
    Type: AWS::ECS::TaskDefinition
    Properties:
      RuntimePlatform: !If [Arm, {CpuArchitecture: ARM64}, !Ref AWS::NoValue]
      ContainerDefinitions:
        - {Name: app, Image: app:1}
`
	td, err := Parse("stack.yaml", []byte(src), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rp := td.RuntimePlatform
	expect(t, rp.Set && rp.CPUArchitecture.Set && rp.CPUArchitecture.Unresolved != "" && rp.OperatingSystemFamily.Unresolved != "" && rp.Pos.Line == 9,
		"runtime platform %+v", rp)
}

// Environment and secrets entries, and repositoryCredentials, that are
// expressions are kept unknown: dropped, the start emulation ran without
// the variable and the online checks skipped the secret.
func TestUnresolvedEnvironmentSecretsAndCredentials(t *testing.T) {
	td := parseConditionalTask(t, `      ContainerDefinitions:
        - Name: app
          Image: app:1
          Environment: [!If [C, {Name: LD_PRELOAD, Value: /x.so}, !Ref AWS::NoValue]]
          Secrets: !If [C, [{Name: S, ValueFrom: arn:aws:secretsmanager:us-east-1:111111111111:secret:s}], !Ref AWS::NoValue]
          RepositoryCredentials: !If [C, {CredentialsParameter: creds}, !Ref AWS::NoValue]
`)
	c := td.Containers[0]
	if len(c.Environment) != 1 || len(c.Secrets) != 1 {
		t.Fatalf("environment %+v secrets %+v", c.Environment, c.Secrets)
	}
	expect(t, c.Environment[0].Name.Unresolved != "" && c.Environment[0].Name.Pos.Line == 12, "environment %+v", c.Environment[0])
	expect(t, c.Secrets[0].ValueFrom.Unresolved != "" && c.Secrets[0].ValueFrom.Pos.Line == 13, "secret %+v", c.Secrets[0])
	expect(t, c.RepositoryCredentials.Unresolved != "" && c.RepositoryCredentials.Pos.Line == 14, "credentials %+v", c.RepositoryCredentials)
}

// A healthCheck that is an expression is not "no health check".
func TestUnresolvedHealthCheck(t *testing.T) {
	td := parseConditionalTask(t, `      ContainerDefinitions:
        - Name: app
          Image: app:1
          HealthCheck: !If [C, {Command: [CMD, /healthz]}, !Ref AWS::NoValue]
`)
	hc := td.Containers[0].HealthCheck
	if hc == nil {
		t.Fatal("healthCheck dropped")
	}
	expect(t, hc.Command.Set && hc.Command.Unresolved != "" && hc.Pos.Line == 12, "health check %+v", hc)
}

// parseConditionalTask parses a template whose task definition's
// Properties are props, with a parameter P and a condition C on it (line 10
// of the template is the first line of props).
func parseConditionalTask(t *testing.T, props string) *TaskDefinition {
	t.Helper()
	td, err := Parse("stack.yaml", []byte(`Parameters:
  P: {Type: String}
Conditions:
  C: !Equals [!Ref P, x]
Resources:
  TD:
    Type: AWS::ECS::TaskDefinition
    Properties:
`+props), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return td
}
