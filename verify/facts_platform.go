package verify

import (
	"fmt"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/platform"
	"github.com/imgcheck/imgcheck/taskdef"
)

// Where a task's CPU architecture comes from. runtimePlatform decides on
// every launch type. Without it, Fargate runs X86_64, while on EC2 and
// EXTERNAL the instance the task is placed on decides: placement
// constraints on attribute:ecs.cpu-architecture can narrow that down, and
// otherwise the caller must name the platforms (the image must run on
// each). Assuming X86_64 there could pass an image that dies with "exec
// format error" on a Graviton instance.

// taskPlatforms decides the platforms an image must offer for the task.
// asked are platforms named by the caller for what the task definition
// leaves to the instance. An error means the run cannot verify.
func taskPlatforms(f *taskFacts, asked []v1.Platform) (out []v1.Platform, err error) {
	td := f.td
	if td.RuntimePlatform.CPUArchitecture.Known() || f.windows {
		if len(asked) > 0 {
			return nil, fmt.Errorf("%w: its runtimePlatform does", ErrPlatformsNotNeeded)
		}
		return []v1.Platform{f.platform}, nil
	}
	fargate := f.launch.has(launchFargate)
	ec2 := slices.ContainsFunc(f.launch.types, func(lt string) bool { return lt != launchFargate })
	if fargate && !ec2 {
		if len(asked) > 0 {
			return nil, fmt.Errorf("%w: a Fargate task without runtimePlatform runs linux/amd64 (set runtimePlatform.cpuArchitecture for another)", ErrPlatformsNotNeeded)
		}
		return []v1.Platform{f.platform}, nil
	}
	if fargate {
		out = append(out, f.platform)
	}
	archs, where, err := constrainedArchitectures(td, f.svc)
	if err != nil {
		return nil, err
	}
	switch {
	case len(archs) == 0:
		return nil, fmt.Errorf("the placement constraints (%s) admit no CPU architecture: no EC2 instance can run the task", where)
	case len(archs) == 1:
		p := platform.FromECS(archs[0], f.osFamily)
		if !slices.ContainsFunc(out, func(q v1.Platform) bool { return platform.String(&q) == platform.String(&p) }) {
			out = append(out, p)
		}
		if len(asked) > 0 {
			return nil, fmt.Errorf("%w: the placement constraints (%s) decide the architecture", ErrPlatformsNotNeeded, where)
		}
		return out, nil
	}
	if len(asked) == 0 {
		return nil, fmt.Errorf("%w: the task can run on EC2 or EXTERNAL instances and has no runtimePlatform.cpuArchitecture and no placement constraint on attribute:ecs.cpu-architecture, so its CPU architecture is the instance's, which is not known here; set runtimePlatform.cpuArchitecture, add a memberOf constraint such as \"attribute:ecs.cpu-architecture == arm64\", or name the platforms the instances have", ErrInstanceArchitecture)
	}
	for _, p := range asked {
		if !slices.ContainsFunc(out, func(q v1.Platform) bool { return platform.String(&q) == platform.String(&p) }) {
			out = append(out, p)
		}
	}
	return out, nil
}

// constrainedArchitectures intersects what every memberOf placement
// constraint of the task and the service admits, and says where they are.
func constrainedArchitectures(td *taskdef.TaskDefinition, svc *taskdef.Service) ([]string, string, error) {
	archs := []string{taskdef.ArchX86_64, taskdef.ArchARM64}
	cs := slices.Clone(td.PlacementConstraints)
	if svc != nil {
		cs = append(cs, svc.PlacementConstraints...)
	}
	var where []string
	for _, c := range cs {
		allowed, err := c.Architectures()
		if err != nil {
			return nil, "", err
		}
		if len(allowed) < 2 {
			where = append(where, fmt.Sprintf("%q at %s", c.Expression.Value, c.Expression.Pos))
		}
		archs = slices.DeleteFunc(archs, func(a string) bool { return !slices.Contains(allowed, a) })
	}
	return archs, strings.Join(where, ", "), nil
}
