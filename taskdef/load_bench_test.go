package taskdef

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// benchInputs are task definitions of realistic size in each shape verify
// reads; the register one is the repository's own example.
func benchInputs(b *testing.B) []struct{ name, file string } {
	b.Helper()
	register, err := os.ReadFile(filepath.Join("..", "examples", "taskdef-arm64.json"))
	if err != nil {
		b.Fatalf("reading the example task definition: %v", err)
	}
	describe := append(append([]byte(`{"taskDefinition":`), register[:len(register)-2]...),
		[]byte(`,"revision":7,"status":"ACTIVE","taskDefinitionArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/sample-server-arm64:7"}}`)...)
	cfn := []byte(`Parameters:
  Tag: {Type: String, Default: v1}
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: sample-server-arm64
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: '256'
      Memory: '512'
      RuntimePlatform: {CpuArchitecture: ARM64, OperatingSystemFamily: LINUX}
      ExecutionRoleArn: !Sub 'arn:aws:iam::${AWS::AccountId}:role/ecsTaskExecutionRole'
      ContainerDefinitions:
        - Name: sample-server
          Image: !Sub '${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/sample-server:${Tag}'
          Essential: true
          PortMappings: [{ContainerPort: 8080, Protocol: tcp}]
          Environment: [{Name: PORT, Value: '8080'}]
          HealthCheck:
            Command: [CMD, /ko-app/sample-server, -healthcheck]
            Interval: 30
            Timeout: 5
            Retries: 3
`)
	dir := b.TempDir()
	inputs := []struct{ name, file string }{
		{"register", filepath.Join(dir, "register.json")},
		{"describe", filepath.Join(dir, "describe.json")},
		{"cloudformation", filepath.Join(dir, "stack.yaml")},
	}
	for i, data := range [][]byte{register, describe, cfn} {
		if err := os.WriteFile(inputs[i].file, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return inputs
}

// BenchmarkLoad measures reading and parsing a task definition file, the
// first step of every verify run.
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	opts := LoadOptions{Params: map[string]string{"AWS::AccountId": "123456789012", "AWS::Region": "us-east-1"}}
	for _, in := range benchInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			var td *TaskDefinition
			for b.Loop() {
				var err error
				if td, err = Load(ctx, in.file, opts); err != nil {
					b.Fatal(err)
				}
			}
			if got := td.RuntimePlatform.CPUArchitecture.Value; got != "ARM64" || len(td.Containers) != 1 {
				b.Fatalf("loaded %s: cpuArchitecture %q and %d containers, want ARM64 and 1", in.name, got, len(td.Containers))
			}
		})
	}
}
