package main

import "encoding/json"

// taskContainer is a container of the task definitions the benchmarks
// verify.
type taskContainer struct {
	Name        string       `json:"name"`
	Image       string       `json:"image"`
	Essential   bool         `json:"essential"`
	HealthCheck *healthCheck `json:"healthCheck,omitempty"`
}

// fargateTaskDef is a Fargate task definition (256 CPU units, 512 MiB) on
// arch running containers.
func fargateTaskDef(family, arch string, containers []taskContainer) []byte {
	td := struct {
		Family                  string            `json:"family"`
		RequiresCompatibilities []string          `json:"requiresCompatibilities"`
		NetworkMode             string            `json:"networkMode"`
		CPU                     string            `json:"cpu"`
		Memory                  string            `json:"memory"`
		RuntimePlatform         map[string]string `json:"runtimePlatform"`
		ContainerDefinitions    []taskContainer   `json:"containerDefinitions"`
	}{
		Family: family, RequiresCompatibilities: []string{"FARGATE"}, NetworkMode: "awsvpc", CPU: "256", Memory: "512",
		RuntimePlatform:      map[string]string{"cpuArchitecture": arch, "operatingSystemFamily": "LINUX"},
		ContainerDefinitions: containers,
	}
	b, _ := json.MarshalIndent(td, "", "  ")
	return b
}

// healthCheck is a container health check, its command as ECS takes it
// (["CMD-SHELL", "..."]).
type healthCheck struct {
	Command []string `json:"command"`
}
