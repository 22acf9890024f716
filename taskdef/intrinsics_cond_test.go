package taskdef

import (
	"strings"
	"testing"
)

const conditionalTemplate = `Parameters:
  Arch:
    Type: String
%s
Conditions:
  IsArm: !Equals [!Ref Arch, arm]
  IsNotArm: !Not [!Condition IsArm]
  Big: !And [!Condition IsArm, !Equals [!Ref Arch, arm]]
  Loop: !Or [!Condition Loop, !Condition Loop]
Mappings:
  Sizes:
    arm: {Cpu: "1024", Memory: "2048"}
    x86: {Cpu: "512", Memory: "1024"}
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: !FindInMap [Sizes, !Ref Arch, Cpu]
      Memory: %s
      RuntimePlatform:
        CpuArchitecture: %s
        OperatingSystemFamily: LINUX
      ContainerDefinitions:
        - Name: app
          Image: registry.example/app:v1
`

func TestConditionsAndMappings(t *testing.T) {
	for _, tc := range []struct {
		name               string
		dflt, memory, arch string
		params             map[string]string
		wantArch, wantCPU  string // "" with unresolved* set
		unresolvedArch     string // substring of the reason
		unresolvedCPU      string
	}{
		{name: "param arm", arch: "!If [IsArm, ARM64, X86_64]", params: map[string]string{"Arch": "arm"}, wantArch: "ARM64", wantCPU: "1024"},
		{name: "param x86", arch: "!If [IsArm, ARM64, X86_64]", params: map[string]string{"Arch": "x86"}, wantArch: "X86_64", wantCPU: "512"},
		{name: "default arm", dflt: "    Default: arm", arch: "!If [IsArm, ARM64, X86_64]", wantArch: "ARM64", wantCPU: "1024"},
		{name: "no value", arch: "!If [IsArm, ARM64, X86_64]", unresolvedArch: "parameter Arch has no Default", unresolvedCPU: "parameter Arch"},
		{name: "not", arch: "!If [IsNotArm, X86_64, ARM64]", params: map[string]string{"Arch": "arm"}, wantArch: "ARM64", wantCPU: "1024"},
		{name: "and", arch: "!If [Big, ARM64, X86_64]", params: map[string]string{"Arch": "arm"}, wantArch: "ARM64", wantCPU: "1024"},
		{name: "long form", arch: `{"Fn::If": ["IsArm", "ARM64", "X86_64"]}`, params: map[string]string{"Arch": "x86"}, wantArch: "X86_64", wantCPU: "512"},
		{name: "cycle", arch: "!If [Loop, ARM64, X86_64]", params: map[string]string{"Arch": "arm"}, unresolvedArch: "a cycle", wantCPU: "1024"},
		{name: "unknown condition", arch: "!If [Nope, ARM64, X86_64]", params: map[string]string{"Arch": "arm"}, unresolvedArch: "no condition Nope", wantCPU: "1024"},
		{name: "missing mapping key", arch: "ARM64", params: map[string]string{"Arch": "riscv"}, wantArch: "ARM64", unresolvedCPU: "mapping Sizes has no riscv.Cpu"},
		{name: "malformed if", arch: "!If [IsArm, ARM64]", params: map[string]string{"Arch": "arm"}, unresolvedArch: "Fn::If takes", wantCPU: "1024"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := tc.memory
			if mem == "" {
				mem = "!FindInMap [Sizes, !Ref Arch, Memory]"
			}
			src := strings.Replace(conditionalTemplate, "%s", tc.dflt, 1)
			src = strings.Replace(src, "%s", mem, 1)
			src = strings.Replace(src, "%s", tc.arch, 1)
			td, err := Parse("template.yaml", []byte(src), LoadOptions{Params: tc.params})
			if err != nil {
				t.Fatal(err)
			}
			arch := td.RuntimePlatform.CPUArchitecture
			if tc.unresolvedArch != "" {
				if arch.Known() || !strings.Contains(arch.Unresolved, tc.unresolvedArch) {
					t.Errorf("cpuArchitecture = %+v, want unresolved with %q", arch, tc.unresolvedArch)
				}
			} else if !arch.Known() || arch.Value != tc.wantArch {
				t.Errorf("cpuArchitecture = %+v, want %s", arch, tc.wantArch)
			}
			if arch.Pos.Line == 0 {
				t.Errorf("cpuArchitecture has no position: %+v", arch)
			}
			cpu := td.CPU
			if tc.unresolvedCPU != "" {
				if cpu.Known() || !strings.Contains(cpu.Unresolved, tc.unresolvedCPU) {
					t.Errorf("cpu = %+v, want unresolved with %q", cpu, tc.unresolvedCPU)
				}
			} else if !cpu.Known() || cpu.Raw != tc.wantCPU {
				t.Errorf("cpu = %+v, want %s", cpu, tc.wantCPU)
			}
		})
	}
}
