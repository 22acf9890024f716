package verify

import (
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/taskdef"
)

func TestLaunchFacts(t *testing.T) {
	task := func(compat string) *taskdef.TaskDefinition {
		return parseTask(t, `{"family": "f", "requiresCompatibilities": `+compat+`, "containerDefinitions": [{"name": "app", "image": "nginx:1"}]}`)
	}
	cluster := "  Cluster:\n    Type: AWS::ECS::Cluster\n    Properties: {DefaultCapacityProviderStrategy: [{CapacityProvider: FARGATE_SPOT, Weight: 1}]}\n"
	assoc := "  Assoc:\n    Type: AWS::ECS::ClusterCapacityProviderAssociations\n    Properties: {Cluster: !Ref Cluster, CapacityProviders: [asg-cp], DefaultCapacityProviderStrategy: [{CapacityProvider: asg-cp, Weight: 1}]}\n"
	stack := func(resources, props string) string {
		return "Resources:\n" + resources + "  Service:\n    Type: AWS::ECS::Service\n    Properties: {TaskDefinition: app" + props + "}\n"
	}
	tests := []struct {
		name    string
		compat  string
		service string // "" for none; JSON or a template
		types   string
		from    string // a piece of the explanation
		flags   string // byProvider, cluster, assumed, daemon, as letters p c a d
		control string
	}{
		{"task only, no compatibilities", `[]`, "", "EC2", "requiresCompatibilities", "", "ECS"},
		{"task only, EC2 and FARGATE", `["FARGATE", "EC2"]`, "", "EC2,FARGATE", "requiresCompatibilities", "", "ECS"},
		{"launchType", `["FARGATE"]`, `{"serviceName": "s", "launchType": "EXTERNAL"}`, "EXTERNAL", "launchType EXTERNAL", "", "ECS"},
		{"launchType wins over a strategy", `[]`, `{"serviceName": "s", "launchType": "EC2", "capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]}`, "EC2", "launchType", "", "ECS"},
		{"strategy", `[]`, `{"serviceName": "s", "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}, {"capacityProvider": "my-asg", "weight": 1}]}`, "EC2,FARGATE", "capacityProviderStrategy", "p", "ECS"},
		{"no launch type, cluster unknown", `[]`, `{"serviceName": "s", "cluster": "prod"}`, "EC2", "assumed", "a", "ECS"},
		{"controller and DAEMON", `[]`, `{"serviceName": "s", "launchType": "EC2", "schedulingStrategy": "DAEMON", "deploymentController": {"type": "CODE_DEPLOY"}}`, "EC2", "launchType", "d", "CODE_DEPLOY"},
		{"cluster default in the template", `[]`, stack(cluster, ", Cluster: !Ref Cluster"), "FARGATE", "default capacity provider strategy of cluster Cluster", "pc", "ECS"},
		{"cluster default from an association", `[]`, stack(cluster+assoc, ", Cluster: !Ref Cluster"), "EC2", "set in Assoc", "pc", "ECS"},
		{"cluster in the template without a default", `[]`, stack("  Cluster:\n    Type: AWS::ECS::Cluster\n", ", Cluster: !Ref Cluster"), "EC2", "has no default capacity provider strategy", "", "ECS"},
		{"cluster outside the template", `[]`, stack("", ", Cluster: !ImportValue c"), "EC2", "assumed", "a", "ECS"},
		{"launchType over the cluster default", `[]`, stack(cluster, ", Cluster: !Ref Cluster, LaunchType: EC2"), "EC2", "launchType", "", "ECS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var svc *taskdef.Service
			if tt.service != "" {
				name := "svc.json"
				if strings.HasPrefix(tt.service, "Resources") {
					name = "stack.yaml"
				}
				var err error
				if svc, err = taskdef.ParseService(name, []byte(tt.service), taskdef.LoadOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			l := newTaskFacts(task(tt.compat), svc).launch
			flags := ""
			for _, f := range []struct {
				on     bool
				letter string
			}{{l.byProvider, "p"}, {l.cluster, "c"}, {l.assumed, "a"}, {l.daemon, "d"}} {
				if f.on {
					flags += f.letter
				}
			}
			if got := strings.Join(l.types, ","); got != tt.types || flags != tt.flags || l.controller != tt.control || !strings.Contains(l.from, tt.from) {
				t.Errorf("types %s flags %q controller %s from %q; want %s %q %s and a from naming %q", got, flags, l.controller, l.from, tt.types, tt.flags, tt.control, tt.from)
			}
		})
	}
}
