package verify

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"strings"

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
	f.windows = strings.HasPrefix(f.osFamily, "WINDOWS")
	return f
}

// loc turns a taskdef position into a report location.
func loc(p taskdef.Pos) *Location {
	if !p.IsValid() && p.File == "" {
		return nil
	}
	return &Location{File: p.File, Line: p.Line, Column: p.Column}
}

// ociPlatform is the platform an image must offer for the task. Windows
// tasks also ask for the OS build of their operatingSystemFamily.
func (f taskFacts) ociPlatform() v1.Platform {
	os, arch, variant := taskdef.PlatformFor(f.td.RuntimePlatform)
	if arch == "arm64" && variant == "v8" {
		variant = "" // v8 is what arm64 means; images rarely say it, and reports read better without it
	}
	p := v1.Platform{OS: os, Architecture: arch, Variant: variant}
	if f.windows {
		p.OSVersion = taskdef.WindowsBuild(f.osFamily)
	}
	return p
}
