package verify

import (
	"strings"
	"testing"
)

// at is where a rule's finding must point: "|" marks the spot in a piece
// of the named file.
type at struct{ id, file, marker string }

type serviceRuleCase struct {
	name    string
	stack   func(t *testing.T) string // CloudFormation YAML; nil: the API JSON shapes
	task    func(t *testing.T) string // register JSON
	service func(t *testing.T) string // create-service JSON ("" result: no service)
	params  map[string]string
	want    string   // rule IDs, sorted
	unknown string   // fields not known, joined by ";" (then no findings)
	at      []at     // positions to check
	_       struct{} // keyed literals only
}

func (tc serviceRuleCase) run(t *testing.T) ruleRun {
	if tc.stack != nil {
		return runStack(t, "stack.yaml", tc.stack(t), tc.params)
	}
	task, svc := fargateTaskJSON, fargateServiceJSON
	if tc.task != nil {
		task = tc.task(t)
	}
	if tc.service != nil {
		svc = tc.service(t)
	}
	return runAPI(t, task, svc)
}

func runServiceRuleCases(t *testing.T, cases []serviceRuleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.run(t)
			if got := strings.Join(r.unknown, ";"); got != tc.unknown {
				t.Fatalf("unknown %q, want %q", got, tc.unknown)
			}
			if got := r.ids(); got != tc.want {
				for _, f := range r.findings {
					t.Logf("%s: %s", f.RuleID, f.Message)
				}
				t.Fatalf("rules %q, want %q", got, tc.want)
			}
			for _, a := range tc.at {
				r.checkAt(t, a.id, a.file, a.marker)
			}
		})
	}
}

// stackWith edits fargateStack.
func stackWith(pairs ...string) func(t *testing.T) string {
	return func(t *testing.T) string { return edit(t, fargateStack, pairs...) }
}

func taskWith(pairs ...string) func(t *testing.T) string {
	return func(t *testing.T) string { return edit(t, fargateTaskJSON, pairs...) }
}

func serviceWith(pairs ...string) func(t *testing.T) string {
	return func(t *testing.T) string { return edit(t, fargateServiceJSON, pairs...) }
}

// Edits that turn the Fargate stack into an EC2 bridge one.
var (
	ec2Only      = []string{"RequiresCompatibilities: [FARGATE]", "RequiresCompatibilities: [EC2]"}
	noCPU        = []string{"      Cpu: \"256\"\n", ""}
	bridgeStack  = []string{"RequiresCompatibilities: [FARGATE]", "RequiresCompatibilities: [EC2]", "NetworkMode: awsvpc", "NetworkMode: bridge", "TargetType: ip", "TargetType: instance", "LaunchType: FARGATE", "LaunchType: EC2", "      NetworkConfiguration: {AwsvpcConfiguration: {Subnets: [subnet-1]}}\n", ""}
	ec2TaskJSON  = []string{`"requiresCompatibilities": ["FARGATE"]`, `"requiresCompatibilities": ["EC2"]`}
	noCPUJSON    = []string{`"cpu": "256",`, ""}
	withCluster  = "  Cluster:\n    Type: AWS::ECS::Cluster\n    Properties:\n      DefaultCapacityProviderStrategy:\n        - CapacityProvider: FARGATE\n          Weight: 1\n  Service:"
	clusterNoDef = "  Cluster:\n    Type: AWS::ECS::Cluster\n    Properties: {ClusterName: c}\n  Service:"
)

func join(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestLaunchTypeRules(t *testing.T) {
	runServiceRuleCases(t, []serviceRuleCase{
		{name: "fargate stack is clean", stack: stackWith()},
		{name: "fargate API shapes are clean"},
		{name: "FARGATE launch, EC2-only task without cpu (yaml)", stack: stackWith(join(ec2Only, noCPU)...),
			want: "IC405", at: []at{{"IC405", "stack.yaml", "LaunchType: |FARGATE"}}},
		{name: "FARGATE launch, EC2-only task without cpu (json)", task: taskWith(join(ec2TaskJSON, noCPUJSON)...),
			want: "IC405", at: []at{{"IC405", "svc.json", `"launchType": |"FARGATE"`}}},
		{name: "FARGATE launch, EC2-only task valid for Fargate: a warning", stack: stackWith(ec2Only...),
			want: "IC406", at: []at{{"IC406", "stack.yaml", "LaunchType: |FARGATE"}}},
		{name: "FARGATE launch, task lists EC2 and FARGATE", stack: stackWith("[FARGATE]", "[EC2, FARGATE]")},
		{name: "EC2 launch, FARGATE-only task: a warning", stack: stackWith("LaunchType: FARGATE", "LaunchType: EC2"),
			want: "IC406", at: []at{{"IC406", "stack.yaml", "LaunchType: |EC2"}}},
		{name: "EC2 provider, FARGATE-only task: IC401 says it", stack: stackWith("LaunchType: FARGATE", "CapacityProviderStrategy: [{CapacityProvider: my-asg, Weight: 1}]"),
			want: "IC401"},
		{name: "EC2 provider, EXTERNAL-only task: a warning", stack: stackWith("[FARGATE]", "[EXTERNAL]", "LaunchType: FARGATE", "CapacityProviderStrategy: [{CapacityProvider: my-asg, Weight: 1}]"),
			want: "IC406"},
		{name: "EC2 launch, task without requiresCompatibilities", stack: stackWith("      RequiresCompatibilities: [FARGATE]\n", "", "LaunchType: FARGATE", "LaunchType: EC2")},
		{name: "EXTERNAL launch, FARGATE-only task", task: taskWith(`"awslogs-region": "us-east-1"`, `"awslogs-region": "eu-west-1"`),
			service: serviceWith(`"launchType": "FARGATE"`, `"launchType": "EXTERNAL"`),
			want:    "IC406", at: []at{{"IC406", "svc.json", `"launchType": |"EXTERNAL"`}}},
		{name: "describe compatibilities without FARGATE", task: func(t *testing.T) string {
			return edit(t, fargateTaskJSON, `"family": "app",`, `"family": "app", "revision": 3, "compatibilities": ["EC2"],`)
		}, want: "IC312,IC405", at: []at{{"IC405", "svc.json", `"launchType": |"FARGATE"`}}},
		{name: "describe compatibilities with FARGATE", task: func(t *testing.T) string {
			return edit(t, fargateTaskJSON, `"family": "app",`, `"family": "app", "revision": 3, "compatibilities": ["EC2", "FARGATE"],`)
		}, want: "IC312"},
		{name: "describe compatibilities from a template", task: func(t *testing.T) string {
			return edit(t, fargateTaskJSON, `"family": "app",`, `"family": "app", "revision": 3, "compatibilities": ["{{ must_env `+"`COMPAT`"+` }}"],`)
		}, unknown: "compatibilities"},
		{name: "FARGATE_SPOT provider, EC2-only task without cpu", stack: stackWith(join(ec2Only, noCPU,
			[]string{"LaunchType: FARGATE", "CapacityProviderStrategy: [{CapacityProvider: FARGATE_SPOT, Weight: 1}]"})...),
			want: "IC405", at: []at{{"IC405", "stack.yaml", "CapacityProviderStrategy: [|{CapacityProvider"}}},
		{name: "cluster default FARGATE, EC2-only task without cpu", stack: stackWith(join(ec2Only, noCPU,
			[]string{"  Service:", withCluster, "      LaunchType: FARGATE\n", "      Cluster: !Ref Cluster\n"})...),
			want: "IC405", at: []at{{"IC405", "stack.yaml", "        - |CapacityProvider: FARGATE"}}},
		{name: "cluster without default: EC2 for a bridge task", stack: stackWith(join(bridgeStack,
			[]string{"  Service:", clusterNoDef, "      LaunchType: EC2\n", "      Cluster: !Ref Cluster\n"})...)},
		{name: "launch type from a parameter", stack: stackWith(join(ec2Only, noCPU, []string{"LaunchType: FARGATE", "LaunchType: !Ref P"})...),
			params: map[string]string{"P": "FARGATE"}, want: "IC405", at: []at{{"IC405", "stack.yaml", "LaunchType: |!Ref P"}}},
		{name: "launch type from an unresolved parameter", stack: stackWith(join(ec2Only, noCPU, []string{"LaunchType: FARGATE", "LaunchType: !Ref P"})...),
			unknown: "service launchType"},
		{name: "no launch type, unknown cluster, EC2 bridge task", stack: stackWith(join(bridgeStack, []string{"      LaunchType: EC2\n", ""})...),
			unknown: "the service's launch type"},
		{name: "no launch type, unknown cluster, task valid everywhere", stack: stackWith("[FARGATE]", "[EC2, FARGATE]", "      LaunchType: FARGATE\n", "")},
	})
}

func TestNetworkConfigurationAndPlacementRules(t *testing.T) {
	runServiceRuleCases(t, []serviceRuleCase{
		{name: "awsvpc without networkConfiguration (yaml)", stack: stackWith("      NetworkConfiguration: {AwsvpcConfiguration: {Subnets: [subnet-1]}}\n", ""),
			want: "IC407", at: []at{{"IC407", "stack.yaml", "    Properties:\n      |TaskDefinition: !Ref Task"}}},
		{name: "awsvpc without networkConfiguration (json)", service: serviceWith(`"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}},`, ""),
			want: "IC407", at: []at{{"IC407", "svc.json", "|{\n  \"serviceName\""}}},
		{name: "bridge without networkConfiguration", stack: stackWith(bridgeStack...)},
		{name: "networkConfiguration from an unresolved parameter", stack: stackWith("NetworkConfiguration: {AwsvpcConfiguration: {Subnets: [subnet-1]}}", "NetworkConfiguration: !Ref P"),
			unknown: "service networkConfiguration"},
		{name: "service placementConstraints on Fargate", stack: stackWith("      LaunchType: FARGATE\n", "      LaunchType: FARGATE\n      PlacementConstraints: [{Type: memberOf, Expression: attribute:ecs.os-type == linux}]\n"),
			want: "IC408", at: []at{{"IC408", "stack.yaml", "PlacementConstraints: [|{Type: memberOf"}}},
		{name: "service placementConstraints on Fargate (json)", service: serviceWith(`"launchType": "FARGATE",`, `"launchType": "FARGATE", "placementConstraints": [{"type": "distinctInstance"}],`),
			want: "IC408", at: []at{{"IC408", "svc.json", `"placementConstraints": [|{"type"`}}},
		{name: "service placementConstraints on EC2", stack: stackWith("[FARGATE]", "[EC2, FARGATE]", "      LaunchType: FARGATE\n", "      LaunchType: EC2\n      PlacementConstraints: [{Type: distinctInstance}]\n")},
		{name: "service placementConstraints from an unresolved parameter on Fargate", stack: stackWith("      LaunchType: FARGATE\n", "      LaunchType: FARGATE\n      PlacementConstraints: !Ref P\n"),
			unknown: "service placementConstraints"},
	})
}

func TestDaemonRules(t *testing.T) {
	daemonEC2 := []string{"[FARGATE]", "[EC2, FARGATE]", "LaunchType: FARGATE", "LaunchType: EC2\n      SchedulingStrategy: DAEMON"}
	runServiceRuleCases(t, []serviceRuleCase{
		{name: "DAEMON on Fargate", stack: stackWith("LaunchType: FARGATE", "LaunchType: FARGATE\n      SchedulingStrategy: DAEMON"),
			want: "IC409", at: []at{{"IC409", "stack.yaml", "LaunchType: |FARGATE"}}},
		{name: "DAEMON on Fargate (json)", service: serviceWith(`"launchType": "FARGATE",`, `"launchType": "FARGATE", "schedulingStrategy": "DAEMON",`),
			want: "IC409", at: []at{{"IC409", "svc.json", `"launchType": |"FARGATE"`}}},
		{name: "DAEMON on EC2", stack: stackWith(daemonEC2...)},
		{name: "DAEMON with CODE_DEPLOY", stack: stackWith(join(daemonEC2, []string{"SchedulingStrategy: DAEMON", "SchedulingStrategy: DAEMON\n      DeploymentController: {Type: CODE_DEPLOY}"})...),
			want: "IC409", at: []at{{"IC409", "stack.yaml", "{Type: |CODE_DEPLOY}"}}},
		{name: "DAEMON with the EXTERNAL controller (json)", service: serviceWith(`"launchType": "FARGATE",`, `"launchType": "EC2", "schedulingStrategy": "DAEMON", "deploymentController": {"type": "EXTERNAL"},`),
			task: taskWith(`["FARGATE"]`, `["EC2", "FARGATE"]`),
			want: "IC409", at: []at{{"IC409", "svc.json", `{"type": |"EXTERNAL"}`}}},
		{name: "REPLICA with CODE_DEPLOY", stack: stackWith("LaunchType: FARGATE", "LaunchType: FARGATE\n      DeploymentController: {Type: CODE_DEPLOY}")},
		{name: "DAEMON with a capacity provider strategy", stack: stackWith("LaunchType: FARGATE", "SchedulingStrategy: DAEMON\n      CapacityProviderStrategy: [{CapacityProvider: FARGATE, Weight: 1}]"),
			want: "IC409", at: []at{{"IC409", "stack.yaml", "CapacityProviderStrategy: [|{"}}},
		{name: "DAEMON on the cluster's default strategy", stack: stackWith("[FARGATE]", "[EC2, FARGATE]", "  Service:", withCluster,
			"      LaunchType: FARGATE\n", "      Cluster: !Ref Cluster\n      SchedulingStrategy: DAEMON\n"),
			want: "IC409", at: []at{{"IC409", "stack.yaml", "        - |CapacityProvider: FARGATE"}}},
		{name: "DAEMON without a launch type on an unknown cluster", stack: stackWith("[FARGATE]", "[EC2, FARGATE]", "      LaunchType: FARGATE\n", "      SchedulingStrategy: DAEMON\n"),
			unknown: "the service's launch type"},
		{name: "DAEMON with an unresolved controller", stack: stackWith(join(daemonEC2, []string{"SchedulingStrategy: DAEMON", "SchedulingStrategy: DAEMON\n      DeploymentController: {Type: !Ref P}"})...),
			unknown: "service deploymentController.type"},
		{name: "REPLICA with an unresolved controller", stack: stackWith("LaunchType: FARGATE", "LaunchType: FARGATE\n      DeploymentController: {Type: !Ref P}")},
		{name: "unresolved scheduling strategy", stack: stackWith("LaunchType: FARGATE", "LaunchType: FARGATE\n      SchedulingStrategy: !Ref P"),
			unknown: "service schedulingStrategy"},
		{name: "scheduling strategy from a parameter", stack: stackWith("LaunchType: FARGATE", "LaunchType: FARGATE\n      SchedulingStrategy: !Ref P"),
			params: map[string]string{"P": "DAEMON"}, want: "IC409"},
	})
}

func TestTargetGroupRules(t *testing.T) {
	fixedHealthPort := []string{"      Protocol: HTTP\n", "      Protocol: HTTP\n      HealthCheckPort: \"80\"\n"}
	runServiceRuleCases(t, []serviceRuleCase{
		{name: "bridge dynamic port, fixed health check port", stack: stackWith(join(bridgeStack, fixedHealthPort)...),
			want: "IC410", at: []at{{"IC410", "stack.yaml", "HealthCheckPort: |\"80\""}}},
		{name: "bridge dynamic port, hostPort 0", stack: stackWith(join(bridgeStack, fixedHealthPort, []string{"- ContainerPort: 8080", "- {ContainerPort: 8080, HostPort: 0}"})...),
			want: "IC410"},
		{name: "bridge fixed hostPort", stack: stackWith(join(bridgeStack, fixedHealthPort, []string{"- ContainerPort: 8080", "- {ContainerPort: 8080, HostPort: 8080}"})...)},
		{name: "bridge dynamic port, traffic-port", stack: stackWith(join(bridgeStack, []string{"      Protocol: HTTP\n", "      Protocol: HTTP\n      HealthCheckPort: traffic-port\n"})...)},
		{name: "awsvpc, fixed health check port", stack: stackWith(fixedHealthPort...)},
		{name: "health check port from a parameter", stack: stackWith(join(bridgeStack, []string{"      Protocol: HTTP\n", "      Protocol: HTTP\n      HealthCheckPort: !Ref P\n"})...),
			params: map[string]string{"P": "80"}, want: "IC410", at: []at{{"IC410", "stack.yaml", "HealthCheckPort: |!Ref P"}}},
		{name: "health check port from an unresolved parameter", stack: stackWith(join(bridgeStack, []string{"      Protocol: HTTP\n", "      Protocol: HTTP\n      HealthCheckPort: !Ref P\n"})...),
			unknown: "target group TG HealthCheckPort"},
		{name: "bridge hostPort from an unresolved parameter", stack: stackWith(join(bridgeStack, fixedHealthPort, []string{"- ContainerPort: 8080", "- {ContainerPort: 8080, HostPort: !Ref P}"})...),
			unknown: `container "app" portMappings.hostPort`},
		{name: "awsvpc with target type instance", stack: stackWith("TargetType: ip", "TargetType: instance"),
			want: "IC411", at: []at{{"IC411", "stack.yaml", "TargetType: |instance"}}},
		{name: "awsvpc without target type (instance by default)", stack: stackWith("      TargetType: ip\n", ""),
			want: "IC411", at: []at{{"IC411", "stack.yaml", "    Properties:\n      |Port: 80"}}},
		{name: "bridge with target type ip", stack: stackWith(join(bridgeStack, []string{"TargetType: instance", "TargetType: ip"})...),
			want: "IC411", at: []at{{"IC411", "stack.yaml", "TargetType: |ip"}}},
		{name: "lambda target type", stack: stackWith("TargetType: ip", "TargetType: lambda"), want: "IC411"},
		{name: "target type from a parameter", stack: stackWith("TargetType: ip", "TargetType: !Ref P"), params: map[string]string{"P": "instance"},
			want: "IC411", at: []at{{"IC411", "stack.yaml", "TargetType: |!Ref P"}}},
		{name: "target type from an unresolved parameter", stack: stackWith("TargetType: ip", "TargetType: !Ref P"),
			unknown: "target group TG TargetType"},
		{name: "target group outside the template", stack: stackWith("TargetType: ip", "TargetType: instance", "TargetGroupArn: !Ref TG", "TargetGroupArn: !ImportValue tg-arn")},
	})
}

// A load balancer's container or port given as an unresolved parameter
// may be the one it names: that is "could not verify", never IC404.
func TestLoadBalancerTargetGivenAsParameter(t *testing.T) {
	runServiceRuleCases(t, []serviceRuleCase{
		{name: "container name unresolved", stack: stackWith("- Name: app", "- Name: !Ref P"), unknown: "container name"},
		{name: "container name resolved to the load balancer's", stack: stackWith("- Name: app", "- Name: !Ref P"), params: map[string]string{"P": "app"}},
		{name: "container name resolved to another", stack: stackWith("- Name: app", "- Name: !Ref P"), params: map[string]string{"P": "web"},
			want: "IC404", at: []at{{"IC404", "stack.yaml", "- ContainerName: |app"}}},
		{name: "bridge container port unresolved", stack: stackWith(join(bridgeStack, []string{"- ContainerPort: 8080", "- ContainerPort: !Ref P"})...),
			unknown: `container "app" portMappings.containerPort`},
		{name: "bridge container port resolved", stack: stackWith(join(bridgeStack, []string{"- ContainerPort: 8080", "- ContainerPort: !Ref P"})...),
			params: map[string]string{"P": "8080"}},
		{name: "bridge container port resolved to another", stack: stackWith(join(bridgeStack, []string{"- ContainerPort: 8080", "- ContainerPort: !Ref P"})...),
			params: map[string]string{"P": "9090"}, want: "IC404"},
		{name: "another container's name unresolved, the named one known", stack: stackWith("awslogs-region: us-east-1}\n", "awslogs-region: us-east-1}\n        - {Name: !Ref P, Image: nginx@sha256:"+strings.Repeat("b", 64)+", Essential: false}\n")},
	})
}
