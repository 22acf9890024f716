package taskdef

import (
	"strings"
	"testing"
)

const relatedStack = `Parameters:
  P: {Type: String}
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
    Properties:
      DefaultCapacityProviderStrategy:
        - CapacityProvider: FARGATE
          Base: 1
          Weight: 2
  TG:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: ip
      Protocol: HTTP
      Port: 80
      HealthCheckPort: "8081"
      HealthCheckProtocol: HTTP
  Role:
    Type: AWS::IAM::Role
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: app:1
      SchedulingStrategy: DAEMON
      DeploymentController: {Type: CODE_DEPLOY}
      LoadBalancers:
        - {ContainerName: app, ContainerPort: 80, TargetGroupArn: !Ref TG}
        - {ContainerName: app, ContainerPort: 81, TargetGroupArn: !Ref Role}
        - {ContainerName: app, ContainerPort: 82, TargetGroupArn: arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1}
`

func TestServiceReadsRelatedResources(t *testing.T) {
	svc, err := ParseService("stack.yaml", []byte(relatedStack), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, svc.Pos.Line == 24 && svc.Pos.Column == 7, "service pos %v", svc.Pos)
	expect(t, svc.SchedulingStrategy.Value == "DAEMON" && svc.SchedulingStrategy.Pos.Line == 26, "scheduling %+v", svc.SchedulingStrategy)
	expect(t, svc.DeploymentController.Value == "CODE_DEPLOY" && svc.DeploymentController.Pos.Line == 27, "controller %+v", svc.DeploymentController)

	expect(t, svc.ClusterResource == "Cluster" && svc.ClusterDefault != nil, "cluster %q %+v", svc.ClusterResource, svc.ClusterDefault)
	if cd := svc.ClusterDefault; cd != nil {
		expect(t, cd.From == "Cluster" && len(cd.Strategy) == 1, "cluster default %+v", cd)
		it := cd.Strategy[0]
		expect(t, it.Provider.Value == "FARGATE" && it.Base.Value == 1 && it.Weight.Value == 2 && it.Pos.Line == 8, "strategy item %+v", it)
	}

	lbs := svc.LoadBalancers
	if len(lbs) != 3 {
		t.Fatalf("load balancers %+v", lbs)
	}
	tg := lbs[0].TargetGroup
	expect(t, lbs[0].TargetGroupResource == "TG" && tg != nil, "first target group %q %+v", lbs[0].TargetGroupResource, tg)
	if tg != nil {
		expect(t, tg.Resource == "TG" && tg.TargetType.Value == "ip" && tg.TargetType.Pos.Line == 14, "target type %+v", tg.TargetType)
		expect(t, tg.Protocol.Value == "HTTP" && tg.Port.Value == 80 && tg.HealthCheckProtocol.Value == "HTTP", "target group %+v", tg)
		expect(t, tg.HealthCheckPort.Value == "8081" && tg.HealthCheckPort.Pos.Line == 17 && tg.HealthCheckPort.Pos.Column == 24, "health check port %+v", tg.HealthCheckPort)
	}
	expect(t, lbs[1].TargetGroupResource == "" && lbs[1].TargetGroup == nil, "a Ref to a role is no target group: %+v", lbs[1])
	expect(t, lbs[2].TargetGroupResource == "" && lbs[2].TargetGroup == nil, "an ARN is no target group of the template: %+v", lbs[2])
}

func TestClusterDefaultFromAssociations(t *testing.T) {
	src := `Resources:
  Cluster:
    Type: AWS::ECS::Cluster
    Properties: {DefaultCapacityProviderStrategy: [{CapacityProvider: FARGATE, Weight: 1}]}
  Assoc:
    Type: AWS::ECS::ClusterCapacityProviderAssociations
    Properties:
      Cluster: !Ref Cluster
      CapacityProviders: [!Ref CP]
      DefaultCapacityProviderStrategy: [{CapacityProvider: !Ref CP, Weight: 1}]
  CP:
    Type: AWS::ECS::CapacityProvider
  Service:
    Type: AWS::ECS::Service
    Properties: {Cluster: !Ref Cluster, TaskDefinition: app}
`
	svc, err := ParseService("stack.yaml", []byte(src), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cd := svc.ClusterDefault
	if cd == nil || cd.From != "Assoc" || len(cd.Strategy) != 1 {
		t.Fatalf("cluster default %+v, want the association's", cd)
	}
	expect(t, cd.Strategy[0].Provider.Unresolved != "", "a Ref to a capacity provider resource is not known statically: %+v", cd.Strategy[0].Provider)

	noDefault := `Resources:
  Cluster: {Type: AWS::ECS::Cluster}
  Service:
    Type: AWS::ECS::Service
    Properties: {Cluster: !Ref Cluster, TaskDefinition: app}
`
	if svc, err = ParseService("stack.yaml", []byte(noDefault), LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	expect(t, svc.ClusterDefault != nil && len(svc.ClusterDefault.Strategy) == 0, "a cluster without a default: %+v", svc.ClusterDefault)
}

// Values that are expressions stay "present, not known": never absent.
func TestUnresolvedServiceListsStayUnknown(t *testing.T) {
	src := `Parameters:
  P: {Type: String}
Resources:
  Service:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: app
      CapacityProviderStrategy: !Ref P
      LoadBalancers: !Ref P
      NetworkConfiguration: !Ref P
      DeploymentController: !Ref P
`
	svc, err := ParseService("stack.yaml", []byte(src), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, len(svc.CapacityProviderStrategy) == 1 && svc.CapacityProviderStrategy[0].Provider.Unresolved != "", "strategy %+v", svc.CapacityProviderStrategy)
	expect(t, len(svc.LoadBalancers) == 1 && svc.LoadBalancers[0].ContainerName.Unresolved != "", "load balancers %+v", svc.LoadBalancers)
	expect(t, svc.NetworkConfiguration != nil && svc.NetworkConfiguration.Unresolved != "" && svc.NetworkConfiguration.Pos.Line == 10, "network %+v", svc.NetworkConfiguration)
	expect(t, svc.DeploymentController.Unresolved != "", "controller %+v", svc.DeploymentController)

}

func TestTaskReadsCompatibilitiesAndUnknownLogOptions(t *testing.T) {
	td, err := Parse("td.json", []byte(`{"taskDefinition": {"family": "f", "revision": 1, "compatibilities": ["EC2", "FARGATE"],
  "containerDefinitions": [{"name": "app", "image": "nginx:1", "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g"}}}]}}`), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, len(td.Compatibilities) == 2 && td.Compatibilities[1].Value == "FARGATE", "compatibilities %+v", td.Compatibilities)
	expect(t, td.Pos.Line == 1 && td.Pos.Column == 20, "task pos %v", td.Pos)
	lc := td.Containers[0].LogConfiguration
	expect(t, lc.Options["awslogs-group"].Value == "g" && !lc.OptionsUnknown.Set, "options %+v", lc)

	tmpl := `Parameters:
  P: {Type: String}
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: app
          Image: nginx:1
          LogConfiguration: {LogDriver: awslogs, Options: !Ref P}
`
	if td, err = Parse("stack.yaml", []byte(tmpl), LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	lc = td.Containers[0].LogConfiguration
	expect(t, lc.Options == nil && lc.OptionsUnknown.Set && lc.OptionsUnknown.Unresolved != "" && lc.OptionsUnknown.Pos.Line == 10, "options %+v", lc)
}

// Properties that are an expression on an unknown condition must read as
// unresolved, never as absent (which would mean CloudFormation's defaults).
func TestRelatedResourcesWithUnresolvedProperties(t *testing.T) {
	src := `Parameters:
  P: {Type: String}
Conditions:
  C: !Equals [!Ref P, x]
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
    Properties: !If [C, {DefaultCapacityProviderStrategy: [{CapacityProvider: FARGATE, Weight: 1}]}, {}]
  TG:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: !If [C, {TargetType: ip}, {TargetType: instance}]
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: app:1
      LoadBalancers:
        - {ContainerName: app, ContainerPort: 80, TargetGroupArn: !Ref TG}
`
	svc, err := ParseService("stack.yaml", []byte(src), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(svc.LoadBalancers) != 1 || svc.LoadBalancers[0].TargetGroup == nil {
		t.Fatalf("load balancers %+v", svc.LoadBalancers)
	}
	tg := svc.LoadBalancers[0].TargetGroup
	for name, v := range map[string]String{"TargetType": tg.TargetType, "HealthCheckPort": tg.HealthCheckPort, "Protocol": tg.Protocol} {
		expect(t, v.Set && v.Unresolved != "", "%s must be unresolved, got %+v", name, v)
	}
	expect(t, tg.Port.Set && tg.Port.Unresolved != "", "Port must be unresolved, got %+v", tg.Port)
	cd := svc.ClusterDefault
	if cd == nil || len(cd.Strategy) != 1 {
		t.Fatalf("cluster default must hold one unresolved item, got %+v", cd)
	}
	expect(t, cd.Strategy[0].Provider.Unresolved != "", "cluster strategy %+v", cd.Strategy[0])
}

// An association naming the cluster by its ClusterName sets its default; one
// whose Cluster is not known may set it, so the default is unknown rather
// than the cluster's own (which would be guessed).
func TestClusterDefaultAssociationByNameOrUnknown(t *testing.T) {
	const stack = `Parameters:
  Name: {Type: String}
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
    Properties: {ClusterName: web}
  Assoc:
    Type: AWS::ECS::ClusterCapacityProviderAssociations
    Properties:
      Cluster: CLUSTER
      CapacityProviders: [FARGATE]
      DefaultCapacityProviderStrategy: [{CapacityProvider: FARGATE, Weight: 1}]
  Service:
    Type: AWS::ECS::Service
    Properties: {Cluster: !Ref Cluster, TaskDefinition: app:1}
`
	byName, err := ParseService("stack.yaml", []byte(strings.Replace(stack, "CLUSTER", "web", 1)), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cd := byName.ClusterDefault
	expect(t, cd != nil && cd.From == "Assoc" && len(cd.Strategy) == 1 && cd.Strategy[0].Provider.Value == "FARGATE", "by name: %+v", cd)

	unknown, err := ParseService("stack.yaml", []byte(strings.Replace(stack, "CLUSTER", "!Ref Name", 1)), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cd = unknown.ClusterDefault
	expect(t, cd != nil && cd.From == "Assoc" && len(cd.Strategy) == 1 && cd.Strategy[0].Provider.Unresolved != "", "unknown cluster: %+v", cd)
}
