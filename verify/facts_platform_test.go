package verify

import (
	"context"
	"errors"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/platform"
	"github.com/imgcheck/imgcheck/taskdef"
)

// TestEC2Platforms: on EC2 and EXTERNAL the instance decides the CPU
// architecture unless runtimePlatform does; imgcheck takes it from the
// placement constraints or the platforms it is given, and otherwise cannot
// verify, never assuming X86_64.
func TestEC2Platforms(t *testing.T) {
	reg := imagetest.Registry(t)
	amdOnly := reg.PushImage(t, "ec2/amd:v1", appImage(t, "amd64", false))
	armOnly := reg.PushImage(t, "ec2/arm:v1", appImage(t, "arm64", false))
	both := reg.PushIndex(t, "ec2/both:v1", imagetest.Index(t, false,
		imagetest.Child{Image: appImage(t, "amd64", false), Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}},
		imagetest.Child{Image: appImage(t, "arm64", false), Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}))
	const armConstraint = `, "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.cpu-architecture == arm64"}]`
	for _, tc := range []struct {
		name     string
		task     string // fields after family, starting with a comma
		service  string // create-service JSON; "" for none
		image    string
		asked    []string
		verdict  Verdict
		rules    []string
		problem  string // substring of the only problem
		class    error  // its class, when it has one
		platform []string
	}{
		{name: "EC2 arm64 constraint, amd64-only image", task: `, "requiresCompatibilities": ["EC2"]` + armConstraint, image: amdOnly,
			verdict: "fail", rules: []string{"IC102", "IC204"}, platform: []string{"linux/arm64"}},
		{name: "EC2 arm64 constraint, arm64 image", task: `, "requiresCompatibilities": ["EC2"]` + armConstraint, image: armOnly,
			verdict: "pass", platform: []string{"linux/arm64"}},
		{name: "no compatibilities means EC2", task: armConstraint, image: both, verdict: "pass", platform: []string{"linux/arm64"}},
		{name: "EC2 without any hint", task: `, "requiresCompatibilities": ["EC2"]`, image: both,
			verdict: "error", problem: "its CPU architecture is the instance's", class: ErrInstanceArchitecture},
		{name: "EXTERNAL without any hint", task: `, "requiresCompatibilities": ["EXTERNAL"]`, image: amdOnly,
			verdict: "error", problem: "its CPU architecture is the instance's"},
		{name: "EC2 with platforms given: each must run", task: `, "requiresCompatibilities": ["EC2"]`, image: amdOnly,
			asked: []string{"linux/amd64", "linux/arm64"}, verdict: "fail", rules: []string{"IC102", "IC204"}, platform: []string{"linux/amd64", "linux/arm64"}},
		{name: "EC2 with a platform given", task: `, "requiresCompatibilities": ["EC2"]`, image: amdOnly,
			asked: []string{"linux/amd64"}, verdict: "pass", platform: []string{"linux/amd64"}},
		{name: "runtimePlatform decides on EC2", task: `, "requiresCompatibilities": ["EC2"], "runtimePlatform": {"cpuArchitecture": "ARM64"}`,
			image: amdOnly, verdict: "fail", rules: []string{"IC102", "IC204"}, platform: []string{"linux/arm64"}},
		{name: "given platforms conflict with runtimePlatform", task: `, "requiresCompatibilities": ["EC2"], "runtimePlatform": {"cpuArchitecture": "ARM64"}`,
			image: armOnly, asked: []string{"linux/amd64"}, verdict: "error", problem: "its runtimePlatform does", class: ErrPlatformsNotNeeded},
		{name: "given platforms on a Fargate-only task", task: `, "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512"`,
			image: amdOnly, asked: []string{"linux/arm64"}, verdict: "error", problem: "runs linux/amd64", class: ErrPlatformsNotNeeded},
		{name: "given platforms where a constraint decides", task: `, "requiresCompatibilities": ["EC2"]` + armConstraint,
			image: armOnly, asked: []string{"linux/arm64"}, verdict: "error", problem: "placement constraints", class: ErrPlatformsNotNeeded},
		{name: "constraints admit nothing", task: `, "requiresCompatibilities": ["EC2"], "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.cpu-architecture == arm64 and attribute:ecs.cpu-architecture == x86_64"}]`,
			image: both, verdict: "error", problem: "admit no CPU architecture"},
		{name: "unreadable constraint", task: `, "requiresCompatibilities": ["EC2"], "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.cpu-architecture =="}]`,
			image: both, verdict: "error", problem: "placement expression"},
		{name: "Fargate and EC2: both platforms", task: `, "requiresCompatibilities": ["EC2", "FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512"` + armConstraint,
			image: armOnly, verdict: "fail", rules: []string{"IC317", "IC102", "IC204"}, platform: []string{"linux/amd64", "linux/arm64"}},
		{name: "Fargate only: X86_64 default", task: `, "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512"`,
			image: amdOnly, verdict: "pass", platform: []string{"linux/amd64"}},
		{name: "service launch type FARGATE on a dual task", task: `, "requiresCompatibilities": ["EC2", "FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512"`,
			service: `{"serviceName": "s", "launchType": "FARGATE", "taskDefinition": "f", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}}`,
			image:   amdOnly, verdict: "pass", platform: []string{"linux/amd64"}},
		{name: "service constraint on an EC2 service", task: `, "requiresCompatibilities": ["EC2"]`,
			service: `{"serviceName": "s", "launchType": "EC2", "taskDefinition": "f", "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.cpu-architecture in [arm64]"}]}`,
			image:   armOnly, verdict: "pass", platform: []string{"linux/arm64"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			td := parseTask(t, `{"family": "f"`+tc.task+`, "containerDefinitions": [{"name": "app", "image": "`+tc.image+`", "essential": true, "memory": 128}]}`)
			in := Input{TaskDef: td}
			if tc.service != "" {
				svc, err := taskdef.ParseService("svc.json", []byte(tc.service), taskdef.LoadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				in.Service = svc
			}
			for _, s := range tc.asked {
				p, err := platform.Parse(s)
				if err != nil {
					t.Fatal(err)
				}
				in.Platforms = append(in.Platforms, p)
			}
			subjects, err := PairImages(td, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			in.Subjects = subjects
			r := Run(context.Background(), in, Options{FailOn: Error})
			var rules, platforms []string
			for _, f := range r.Findings {
				if f.Severity == Error {
					rules = append(rules, f.RuleID)
				}
			}
			for _, tg := range r.Targets {
				platforms = append(platforms, tg.Platform)
			}
			if r.Verdict != tc.verdict || strings.Join(rules, ",") != strings.Join(tc.rules, ",") {
				t.Fatalf("verdict %s rules %v, want %s %v; errors %+v", r.Verdict, rules, tc.verdict, tc.rules, r.Errors)
			}
			if tc.problem != "" && (len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, tc.problem)) {
				t.Errorf("errors %+v, want one saying %q", r.Errors, tc.problem)
			}
			if tc.class != nil && (len(r.Errors) != 1 || !errors.Is(r.Errors[0].Cause, tc.class)) {
				t.Errorf("errors %+v, want one of class %v", r.Errors, tc.class)
			}
			if tc.problem == "" && strings.Join(platforms, ",") != strings.Join(tc.platform, ",") {
				t.Errorf("targets on %v, want %v", platforms, tc.platform)
			}
		})
	}
}
