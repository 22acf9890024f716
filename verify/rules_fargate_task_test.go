package verify

import (
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/taskdef"
)

// runStackTask loads the task definition of a template on its own (no
// service), as verify --taskdef does.
func runStackTask(t *testing.T, src string, params map[string]string) ruleRun {
	t.Helper()
	td, err := taskdef.Parse("stack.yaml", []byte(src), taskdef.LoadOptions{Params: params, Resource: "Task"})
	if err != nil {
		t.Fatalf("task definition: %v", err)
	}
	return runRules(t, td, nil, map[string]string{"stack.yaml": src})
}

func TestFargateRegistrationAndLogRules(t *testing.T) {
	type tc struct {
		name    string
		yaml    []string // edits of fargateStack, task alone
		json    []string // edits of fargateTaskJSON; nil: YAML case
		service string   // edits of the service JSON as "old=>new"; with json only
		params  map[string]string
		want    string
		unknown string
		at      *at
	}
	cases := []tc{
		{name: "clean task (yaml)", yaml: []string{}},
		{name: "clean task (json)", json: []string{}},
		{name: "bridge on Fargate (yaml)", yaml: []string{"NetworkMode: awsvpc", "NetworkMode: bridge"},
			want: "IC315", at: &at{"IC315", "stack.yaml", "NetworkMode: |bridge"}},
		{name: "bridge on Fargate (json)", json: []string{`"networkMode": "awsvpc"`, `"networkMode": "bridge"`},
			want: "IC315", at: &at{"IC315", "td.json", `"networkMode": |"bridge"`}},
		{name: "no networkMode on Fargate", json: []string{`"networkMode": "awsvpc",`, ""},
			want: "IC315", at: &at{"IC315", "td.json", `[|"FARGATE"]`}},
		{name: "bridge on EC2", json: []string{`["FARGATE"]`, `["EC2"]`, `"networkMode": "awsvpc"`, `"networkMode": "bridge"`}},
		{name: "networkMode from a parameter", yaml: []string{"NetworkMode: awsvpc", "NetworkMode: !Ref P"}, params: map[string]string{"P": "host"},
			want: "IC315", at: &at{"IC315", "stack.yaml", "NetworkMode: |!Ref P"}},
		{name: "networkMode from an unresolved parameter", yaml: []string{"NetworkMode: awsvpc", "NetworkMode: !Ref P"}, unknown: "networkMode"},
		{name: "no task cpu on Fargate (yaml)", yaml: []string{"      Cpu: \"256\"\n", ""},
			want: "IC316", at: &at{"IC316", "stack.yaml", "RequiresCompatibilities: [|FARGATE]"}},
		{name: "no task memory on Fargate (json)", json: []string{`"memory": "512",`, ""}, want: "IC316"},
		{name: "no task cpu or memory on EC2", json: []string{`["FARGATE"]`, `["EC2"]`, `"memory": "512",`, "", `"cpu": "256",`, ""}},
		{name: "task placementConstraints on Fargate (yaml)", yaml: []string{"      ContainerDefinitions:", "      PlacementConstraints:\n        - Type: memberOf\n          Expression: attribute:ecs.instance-type =~ t3.*\n      ContainerDefinitions:"},
			want: "IC317", at: &at{"IC317", "stack.yaml", "        - |Type: memberOf"}},
		{name: "task placementConstraints on Fargate (json)", json: []string{`"containerDefinitions"`, `"placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.os-type == linux"}], "containerDefinitions"`},
			want: "IC317", at: &at{"IC317", "td.json", `"placementConstraints": [|{"type"`}},
		{name: "task placementConstraints on EC2", json: []string{`["FARGATE"]`, `["EC2"]`, `"containerDefinitions"`, `"placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.os-type == linux"}], "containerDefinitions"`}},
		{name: "task placementConstraints from an unresolved parameter", yaml: []string{"      ContainerDefinitions:", "      PlacementConstraints: !Ref P\n      ContainerDefinitions:"},
			unknown: "placementConstraints"},
		{name: "json-file on Fargate (yaml)", yaml: []string{"LogDriver: awslogs", "LogDriver: json-file"},
			want: "IC318", at: &at{"IC318", "stack.yaml", "LogDriver: |json-file"}},
		{name: "syslog on Fargate (json)", json: []string{`"logDriver": "awslogs"`, `"logDriver": "syslog"`},
			want: "IC318", at: &at{"IC318", "td.json", `"logDriver": |"syslog"`}},
		{name: "splunk on Fargate", json: []string{`"logDriver": "awslogs", "options": {"awslogs-group": "g", "awslogs-region": "us-east-1"}`, `"logDriver": "splunk", "options": {"splunk-url": "https://splunk.example"}`}},
		{name: "json-file on EC2", json: []string{`["FARGATE"]`, `["EC2"]`, `"logDriver": "awslogs"`, `"logDriver": "json-file"`}},
		{name: "log driver from a parameter", yaml: []string{"LogDriver: awslogs", "LogDriver: !Ref P"}, params: map[string]string{"P": "gelf"}, want: "IC318"},
		{name: "awslogs without a group (yaml)", yaml: []string{"awslogs-group: g, ", ""},
			want: "IC319", at: &at{"IC319", "stack.yaml", "LogDriver: |awslogs"}},
		{name: "awslogs without a region on Fargate (json)", json: []string{`, "awslogs-region": "us-east-1"`, ""},
			want: "IC319", at: &at{"IC319", "td.json", `"logDriver": |"awslogs"`}},
		{name: "awslogs without a region on EC2", json: []string{`["FARGATE"]`, `["EC2"]`, `, "awslogs-region": "us-east-1"`, ""}},
		{name: "awslogs without a region, EXTERNAL service", json: []string{`["FARGATE"]`, `["EXTERNAL"]`, `, "awslogs-region": "us-east-1"`, "", `"networkMode": "awsvpc",`, `"networkMode": "bridge",`},
			service: `"launchType": "FARGATE",=>"launchType": "EXTERNAL",`, want: "IC319"},
		{name: "awslogs without a region, EC2 service of a Fargate-and-EC2 task", json: []string{`["FARGATE"]`, `["EC2", "FARGATE"]`, `, "awslogs-region": "us-east-1"`, ""},
			service: `"launchType": "FARGATE",=>"launchType": "EC2",`},
		{name: "awslogs options from an unresolved parameter", yaml: []string{"Options: {awslogs-group: g, awslogs-region: us-east-1}", "Options: !Ref P"},
			unknown: `container "app" logConfiguration.options`},
		{name: "awslogs group value from an unresolved parameter", yaml: []string{"awslogs-group: g", "awslogs-group: !Ref P"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r ruleRun
			switch {
			case c.json == nil:
				r = runStackTask(t, edit(t, fargateStack, c.yaml...), c.params)
			case c.service != "":
				old, repl, _ := strings.Cut(c.service, "=>")
				r = runAPI(t, edit(t, fargateTaskJSON, c.json...), edit(t, fargateServiceJSON, old, repl))
			default:
				r = runAPI(t, edit(t, fargateTaskJSON, c.json...), "")
			}
			if got := strings.Join(r.unknown, ";"); got != c.unknown {
				t.Fatalf("unknown %q, want %q", got, c.unknown)
			}
			if got := r.ids(); got != c.want {
				for _, f := range r.findings {
					t.Logf("%s: %s", f.RuleID, f.Message)
				}
				t.Fatalf("rules %q, want %q", got, c.want)
			}
			if c.at != nil {
				r.checkAt(t, c.at.id, c.at.file, c.at.marker)
			}
		})
	}
}
