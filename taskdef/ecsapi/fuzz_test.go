package ecsapi

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/imgcheck/imgcheck/internal/fakeaws"
	"github.com/imgcheck/imgcheck/taskdef"
)

// cannedDescriber is the real Describer, its SDK client answered by body.
func cannedDescriber(body []byte) Describer {
	return Describer{ConfigOptions: append([]func(*config.LoadOptions) error{config.WithRegion("eu-west-1")}, fakeaws.CannedConfig(body)...)}
}

func TestCannedDescribeResponse(t *testing.T) {
	fakeaws.IsolateEnv(t)
	body := []byte(`{"taskDefinition":` + liveTaskJSON + `}`)
	tds, err := taskdef.Open(context.Background(), "web:3", taskdef.OpenOptions{ECS: cannedDescriber(body)})
	if err != nil || len(tds) != 1 || len(tds[0].Containers) != 1 || tds[0].RuntimePlatform.CPUArchitecture.Value != "ARM64" {
		t.Fatalf("got %v, %v", tds, err)
	}
}

// FuzzDescribeResponse feeds arbitrary DescribeTaskDefinition response
// bodies through the real SDK client, the conversion to the API's JSON
// and the task definition parser: the conversion gives valid JSON, and
// what parses is a live task definition with every container the SDK read.
func FuzzDescribeResponse(f *testing.F) {
	fakeaws.IsolateEnv(f)
	f.Add([]byte(`{"taskDefinition":` + liveTaskJSON + `}`))
	f.Add([]byte(`{"taskDefinition":{"containerDefinitions":[{"name":"a","image":"x","entryPoint":["/bin/sh","-c"],"environment":[{"name":"K","value":"V"}]}],"registeredAt":"2024-01-01T00:00:00Z"}}`))
	f.Add([]byte(`{"taskDefinition":null}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"taskDefinition":{"cpu":12,"memory":"x","runtimePlatform":{"cpuArchitecture":"ARM64"},"volumes":[{"name":"v","efsVolumeConfiguration":{"fileSystemId":"fs"}}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		d := cannedDescriber(body)
		data, err := d.DescribeTaskDefinition(ctx, "web:3")
		if err != nil {
			return
		}
		var out struct {
			TaskDefinition struct {
				ContainerDefinitions []json.RawMessage `json:"containerDefinitions"`
			} `json:"taskDefinition"`
		}
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("the conversion is not the API's JSON: %v\n%s", err, data)
		}
		tds, err := taskdef.Open(ctx, "web:3", taskdef.OpenOptions{ECS: d})
		if err != nil {
			return
		}
		if len(tds) != 1 || tds[0].Source.Shape != taskdef.ShapeLive {
			t.Fatalf("got %d task definitions, shape %v", len(tds), tds[0].Source.Shape)
		}
		if got, want := len(tds[0].Containers), len(out.TaskDefinition.ContainerDefinitions); got != want {
			t.Fatalf("%d containers parsed, the response has %d\n%s", got, want, data)
		}
	})
}
