package verify

import (
	"context"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/taskdef"
)

// taskAndService has a placeholder for every task and service value a task
// or service rule reads; each test case replaces one with !Ref P (a
// parameter without a default) and the others with known values.
const taskAndService = `Parameters:
  P: {Type: String}
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      RequiresCompatibilities: [{{compat}}]
      NetworkMode: {{networkMode}}
      Cpu: {{cpu}}
      Memory: {{memory}}
      ExecutionRoleArn: arn:aws:iam::123456789012:role/exec
      EphemeralStorage: {SizeInGiB: {{storage}}}
      RuntimePlatform: {CpuArchitecture: {{arch}}, OperatingSystemFamily: {{os}}}
      PlacementConstraints: {{taskPlacement}}
      ContainerDefinitions:
        - Name: {{containerName}}
          Image: registry.example/app:v1
          Essential: {{essential}}
          PortMappings: [{ContainerPort: {{containerPort}}, HostPort: {{hostPort}}}]
          LogConfiguration: {LogDriver: {{logDriver}}, Options: {{logOptions}}}
  Cluster:
    Type: AWS::ECS::Cluster
    Properties:
      DefaultCapacityProviderStrategy: [{CapacityProvider: {{clusterProvider}}, Weight: 1}]
  TG:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {TargetType: {{targetType}}, HealthCheckPort: {{healthCheckPort}}, Protocol: HTTP, Port: 80}
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: !Ref Task
      {{launch}}
      PlatformVersion: {{platformVersion}}
      SchedulingStrategy: {{scheduling}}
      DeploymentController: {Type: {{controller}}}
      PlacementConstraints: {{svcPlacement}}
      NetworkConfiguration: {{netConfig}}
      LoadBalancers: [{ContainerName: {{lbName}}, ContainerPort: {{lbPort}}, TargetGroupArn: !Ref TG}]
`

var knownValues = map[string]string{
	"compat": "FARGATE", "networkMode": "awsvpc", "cpu": "256", "memory": "512", "storage": "21",
	"arch": "ARM64", "os": "LINUX", "essential": "true", "containerPort": "8080", "hostPort": "8080",
	"logDriver": "awslogs", "platformVersion": "LATEST", "lbName": "app", "lbPort": "8080",
	"launch":   "CapacityProviderStrategy: [{CapacityProvider: {{provider}}, Base: {{base}}, Weight: {{weight}}}]",
	"provider": "FARGATE", "base": "1", "weight": "1",
	"taskPlacement": "[]", "containerName": "app", "logOptions": "{awslogs-group: g, awslogs-region: us-east-1}",
	"clusterProvider": "FARGATE", "targetType": "ip", "healthCheckPort": "traffic-port",
	"scheduling": "DAEMON", "controller": "ECS", "svcPlacement": "[]",
	"netConfig": "{AwsvpcConfiguration: {Subnets: [subnet-1]}}",
}

func TestUnresolvedTaskValuesCannotVerify(t *testing.T) {
	cases := map[string]string{ // placeholder -> field named in the problem
		"compat": "requiresCompatibilities", "networkMode": "networkMode", "cpu": "cpu", "memory": "memory",
		"storage": "ephemeralStorage.sizeInGiB", "arch": "runtimePlatform.cpuArchitecture",
		"os": "runtimePlatform.operatingSystemFamily", "essential": `container "app" essential`,
		"containerPort": `container "app" portMappings.containerPort`, "hostPort": `container "app" portMappings.hostPort`,
		"logDriver": `container "app" logConfiguration.logDriver`, "platformVersion": "service platformVersion",
		"lbName": "service loadBalancers.containerName", "lbPort": "service loadBalancers.containerPort",
		"provider": "service capacityProviderStrategy.capacityProvider", "base": "service capacityProviderStrategy.base",
		"weight": "service capacityProviderStrategy.weight", "launchType": "service launchType",
		"taskPlacement": "placementConstraints", "containerName": "container name",
		"logOptions": `container "app" logConfiguration.options`, "clusterProvider": "cluster Cluster default capacity provider",
		"targetType": "target group TG TargetType", "healthCheckPort": "target group TG HealthCheckPort",
		"scheduling": "service schedulingStrategy", "controller": "service deploymentController.type",
		"svcPlacement": "service placementConstraints", "netConfig": "service networkConfiguration",
	}
	run := func(t *testing.T, unknown string) *Report {
		src := taskAndService
		switch unknown {
		case "launchType":
			src = strings.Replace(src, "{{launch}}", "LaunchType: !Ref P", 1)
		case "clusterProvider": // the cluster's default is read only without launchType and strategy
			src = strings.Replace(src, "{{launch}}", "", 1)
		}
		src = strings.Replace(src, "{{launch}}", knownValues["launch"], 1)
		for k, v := range knownValues {
			if k == unknown {
				v = "!Ref P"
			}
			src = strings.ReplaceAll(src, "{{"+k+"}}", v)
		}
		svc, err := taskdef.ParseService("stack.yaml", []byte(src), taskdef.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// The image is never read when a task value is unknown: a registry
		// that cannot be reached would add a different problem.
		in := Input{TaskDef: svc.Task, Service: svc, Subjects: []Subject{{Container: "app", Ref: "127.0.0.1:1/app:v1"}}}
		return Run(context.Background(), in, Options{FailOn: Error})
	}
	t.Run("all known", func(t *testing.T) {
		r := run(t, "")
		for _, p := range r.Errors {
			if strings.Contains(p.Message, "is not known") {
				t.Errorf("problem with every value known: %s", p.Message)
			}
		}
	})
	for placeholder, field := range cases {
		t.Run(placeholder, func(t *testing.T) {
			r := run(t, placeholder)
			if r.Verdict != VerdictCouldNotVerify || len(r.Targets) != 0 {
				t.Fatalf("verdict %s with %d targets, want could not verify and no image checked; errors %+v findings %+v", r.Verdict, len(r.Targets), r.Errors, r.Findings)
			}
			if len(r.Errors) != 1 || !strings.HasPrefix(r.Errors[0].Message, field+" is not known") || !strings.Contains(r.Errors[0].Message, "stack.yaml:") {
				t.Errorf("errors %+v, want one naming %s with its position", r.Errors, field)
			}
		})
	}
}

// The values the template above cannot hold: describe compatibilities,
// the port of a bridge task behind a load balancer, and the launch type of
// a service that names none on a cluster that is not known.
func TestUnresolvedServiceInputsOutsideTheTemplate(t *testing.T) {
	run := func(t *testing.T, td *taskdef.TaskDefinition, svc *taskdef.Service) *Report {
		in := Input{TaskDef: td, Service: svc, Subjects: []Subject{{Container: "app", Ref: "127.0.0.1:1/app:v1"}}}
		return Run(context.Background(), in, Options{FailOn: Error})
	}
	bridge := strings.NewReplacer("RequiresCompatibilities: [FARGATE]", "RequiresCompatibilities: [EC2]", "NetworkMode: awsvpc", "NetworkMode: bridge",
		"TargetType: ip", "TargetType: instance", "      NetworkConfiguration: {AwsvpcConfiguration: {Subnets: [subnet-1]}}\n", "")
	cases := []struct {
		name, field string
		load        func(t *testing.T) (*taskdef.TaskDefinition, *taskdef.Service)
	}{
		{"describe compatibilities", "compatibilities", func(t *testing.T) (*taskdef.TaskDefinition, *taskdef.Service) {
			td := parseTask(t, strings.Replace(fargateTaskJSON, `"family": "app",`, `"family": "app", "revision": 3, "compatibilities": ["${COMPAT}"],`, 1))
			svc, err := taskdef.ParseService("svc.json", []byte(fargateServiceJSON), taskdef.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return td, svc
		}},
		{"bridge port behind a load balancer", `container "app" portMappings.containerPort`, func(t *testing.T) (*taskdef.TaskDefinition, *taskdef.Service) {
			src := strings.Replace(bridge.Replace(fargateStack), "- ContainerPort: 8080", "- ContainerPort: !Ref P", 1)
			svc, err := taskdef.ParseService("stack.yaml", []byte(src), taskdef.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return svc.Task, svc
		}},
		{"launch type on an unknown cluster", "the service's launch type", func(t *testing.T) (*taskdef.TaskDefinition, *taskdef.Service) {
			src := strings.Replace(bridge.Replace(fargateStack), "      LaunchType: FARGATE\n", "", 1)
			svc, err := taskdef.ParseService("stack.yaml", []byte(src), taskdef.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return svc.Task, svc
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			td, svc := tc.load(t)
			r := run(t, td, svc)
			if r.Verdict != VerdictCouldNotVerify || len(r.Targets) != 0 {
				t.Fatalf("verdict %s with %d targets, want could not verify and no image checked; errors %+v findings %+v", r.Verdict, len(r.Targets), r.Errors, r.Findings)
			}
			if len(r.Errors) != 1 || !strings.HasPrefix(r.Errors[0].Message, tc.field+" is not known") {
				t.Errorf("errors %+v, want one naming %s", r.Errors, tc.field)
			}
		})
	}
}
