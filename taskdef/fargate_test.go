package taskdef

import (
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/platform"
)

func TestValidFargateSize(t *testing.T) {
	tests := []struct {
		cpu, mem int
		pv       string
		wantErr  string
	}{
		{256, 512, "", ""}, {256, 2048, "", ""}, {256, 3072, "", "memory 3072 MiB is not valid with cpu 256"},
		{512, 1024, "", ""}, {512, 4096, "", ""}, {512, 5120, "", "1024 to 4096"},
		{1024, 2048, "", ""}, {1024, 8192, "", ""}, {1024, 1024, "", "not valid"},
		{2048, 16384, "", ""}, {2048, 4500, "", "steps of 1024"},
		{4096, 30720, "", ""}, {4096, 31744, "", "not valid"},
		{8192, 16384, "LATEST", ""}, {8192, 20480, "1.4.0", ""}, {8192, 17408, "", "steps of 4096"}, {8192, 16384, "1.3.0", "needs Fargate platform version 1.4.0"},
		{16384, 122880, "", ""}, {16384, 40960, "", ""}, {16384, 36864, "", "steps of 8192"},
		{128, 512, "", "cpu 128 is not a Fargate task size"},
	}
	for _, tt := range tests {
		err := ValidFargateSize(tt.cpu, tt.mem, tt.pv)
		if (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("ValidFargateSize(%d, %d, %q) = %v, want %q", tt.cpu, tt.mem, tt.pv, err, tt.wantErr)
		}
	}
}

func TestPlatformFacts(t *testing.T) {
	rp := func(arch, os string) RuntimePlatform {
		return RuntimePlatform{CPUArchitecture: String{Value: arch, Set: arch != ""}, OperatingSystemFamily: String{Value: os, Set: os != ""}, Set: true}
	}
	for _, fam := range OperatingSystemFamilies() {
		if platform.IsWindowsFamily(fam) && platform.WindowsBuild(fam) == "" {
			t.Errorf("no build number for %s", fam)
		}
	}
	if err := ValidFargateWindows(rp("", "WINDOWS_SERVER_2019_CORE"), 1024, 2048); err != nil {
		t.Errorf("2019 core 1 vCPU 2 GiB: %v", err)
	}
	for _, c := range []struct {
		rp       RuntimePlatform
		cpu, mem int
		want     string
	}{
		{rp("", "WINDOWS_SERVER_2025_CORE"), 1024, 2048, "does not run on Fargate"},
		{rp("ARM64", "WINDOWS_SERVER_2022_CORE"), 1024, 2048, "X86_64 only"},
		{rp("", "WINDOWS_SERVER_2022_FULL"), 512, 2048, "at least 1024 CPU units"},
	} {
		if err := ValidFargateWindows(c.rp, c.cpu, c.mem); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ValidFargateWindows(%+v, %d, %d) = %v, want %q", c.rp, c.cpu, c.mem, err, c.want)
		}
	}
	if err := ValidPlatformVersion("1.2.0", false); err == nil {
		t.Error("1.2.0 is not a Fargate Linux platform version")
	}
	if err := ValidPlatformVersion("1.0.0", true); err != nil {
		t.Error(err)
	}
}

func TestServiceShapes(t *testing.T) {
	src := `{"services": [{"serviceName": "a", "serviceArn": "arn:x", "runningCount": 2, "desiredCount": 2, "launchType": "FARGATE", "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/a:3", "deployments": []},
  {"serviceName": "b", "desiredCount": 1, "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}], "failures": []}`
	if _, err := ParseService("s.json", []byte(src), LoadOptions{}); err == nil || !strings.Contains(err.Error(), "2 services (a, b); choose one by name") {
		t.Errorf("several services: %v", err)
	}
	svc, err := ParseService("s.json", []byte(src), LoadOptions{Resource: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Source.Shape != ShapeDescribeServices || svc.Name.Value != "b" || svc.CapacityProviderStrategy[0].Provider.Value != "FARGATE_SPOT" {
		t.Errorf("service %+v", svc)
	}
	if svc.CapacityProviderStrategy[0].Pos.Line != 2 {
		t.Errorf("strategy position %v", svc.CapacityProviderStrategy[0].Pos)
	}
}

// platformOf is the platform a task's image must offer.
func platformOf(rp RuntimePlatform) v1.Platform {
	return platform.FromECS(rp.CPUArchitecture.Value, rp.OperatingSystemFamily.Value)
}
