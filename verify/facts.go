package verify

import (
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/platform"
	"github.com/imgcheck/imgcheck/taskdef"
)

// taskFacts are the properties of the task (and service) that many rules
// ask about, worked out once.
type taskFacts struct {
	td              *taskdef.TaskDefinition
	svc             *taskdef.Service // nil without --service
	fargate         bool
	windows         bool
	arch            string // X86_64 or ARM64 (ECS names)
	osFamily        string // LINUX, WINDOWS_SERVER_2022_CORE, ...
	platformVersion string // from the service; "" when unknown (ECS uses LATEST)
	// platform is what the image must offer for the task's runtimePlatform
	// (X86_64 when it has none); a Windows task also asks for the OS build
	// of its operatingSystemFamily.
	platform v1.Platform
	// platforms are the platforms the image is checked for: platform, or
	// what the placement constraints or the caller say for EC2 (see
	// taskPlatforms).
	platforms []v1.Platform
}

func newTaskFacts(td *taskdef.TaskDefinition, svc *taskdef.Service) taskFacts {
	f := taskFacts{td: td, svc: svc, arch: "X86_64", osFamily: "LINUX"}
	for _, c := range td.RequiresCompatibilities {
		if strings.EqualFold(c.Value, "FARGATE") {
			f.fargate = true
		}
	}
	if svc != nil {
		if strings.EqualFold(svc.LaunchType.Value, "FARGATE") {
			f.fargate = true
		}
		for _, s := range svc.CapacityProviderStrategy {
			if strings.HasPrefix(strings.ToUpper(s.Provider.Value), "FARGATE") {
				f.fargate = true
			}
		}
		f.platformVersion = svc.PlatformVersion.Value
	}
	if rp := td.RuntimePlatform; rp.Set {
		if rp.CPUArchitecture.Known() {
			f.arch = strings.ToUpper(rp.CPUArchitecture.Value)
		}
		if rp.OperatingSystemFamily.Known() {
			f.osFamily = strings.ToUpper(rp.OperatingSystemFamily.Value)
		}
	}
	f.windows = platform.IsWindowsFamily(f.osFamily)
	f.platform = platform.FromECS(f.arch, f.osFamily)
	return f
}

// loc turns a taskdef position into a report location.
func loc(p taskdef.Pos) *Location {
	if !p.IsValid() && p.File == "" {
		return nil
	}
	return &Location{File: p.File, Line: p.Line, Column: p.Column}
}
