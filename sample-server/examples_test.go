package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/imgcheck/imgcheck/sample-server/server"
)

// taskDefinition is the part of the register-task-definition input the
// examples use, with the field names of the ECS API; decoding with
// DisallowUnknownFields catches misspelled keys, which ECS would reject.
type taskDefinition struct {
	Family                  string   `json:"family"`
	RequiresCompatibilities []string `json:"requiresCompatibilities"`
	NetworkMode             string   `json:"networkMode"`
	CPU                     string   `json:"cpu"`
	Memory                  string   `json:"memory"`
	RuntimePlatform         struct {
		CPUArchitecture       string `json:"cpuArchitecture"`
		OperatingSystemFamily string `json:"operatingSystemFamily"`
	} `json:"runtimePlatform"`
	ExecutionRoleArn     string                `json:"executionRoleArn"`
	ContainerDefinitions []containerDefinition `json:"containerDefinitions"`
}

type containerDefinition struct {
	Name         string `json:"name"`
	Image        string `json:"image"`
	Essential    bool   `json:"essential"`
	PortMappings []struct {
		ContainerPort int    `json:"containerPort"`
		HostPort      int    `json:"hostPort"`
		Protocol      string `json:"protocol"`
	} `json:"portMappings"`
	Environment []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"environment"`
	LogConfiguration struct {
		LogDriver string            `json:"logDriver"`
		Options   map[string]string `json:"options"`
	} `json:"logConfiguration"`
	HealthCheck struct {
		Command     []string `json:"command"`
		Interval    int      `json:"interval"`
		Timeout     int      `json:"timeout"`
		Retries     int      `json:"retries"`
		StartPeriod int      `json:"startPeriod"`
	} `json:"healthCheck"`
	StopTimeout int `json:"stopTimeout"`
}

func readTaskDefinition(t *testing.T, path string) (taskDefinition, map[string]any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var td taskDefinition
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&td); err != nil {
		t.Fatal(decodeErrorAt(path, b, err))
	}
	var generic map[string]any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return td, generic
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(b []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(b)))
	before := b[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// decodeErrorAt locates a JSON decoding error in b as "path:line:col: ...",
// naming the key where encoding/json says which one it was.
func decodeErrorAt(path string, b []byte, err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		line, col := lineCol(b, syntax.Offset-1) // Offset is just past the bad byte
		return fmt.Sprintf("%s:%d:%d: %v", path, line, col, err)
	case errors.As(err, &typ):
		line, col := lineCol(b, typ.Offset)
		return fmt.Sprintf("%s:%d:%d: key %q: %v", path, line, col, typ.Field, err)
	}
	if key, ok := strings.CutPrefix(err.Error(), `json: unknown field "`); ok {
		key = strings.TrimSuffix(key, `"`)
		if i := bytes.Index(b, []byte(`"`+key+`"`)); i >= 0 {
			line, col := lineCol(b, int64(i))
			return fmt.Sprintf("%s:%d:%d: unknown key %q", path, line, col, key)
		}
	}
	return fmt.Sprintf("%s: %v", path, err)
}

func TestDecodeErrorAt(t *testing.T) {
	tests := []struct{ src, want string }{
		{"{\n  \"family\": \"a\",\n  \"famly\": 2\n}", `td.json:3:3: unknown key "famly"`},
		{"{\n  \"cpu\": 256\n}", `td.json:2:13: key "cpu"`},
		{"{\n  \"family\": \"a\",,\n}", "td.json:2:17: invalid character ','"},
		{"", "td.json: EOF"},
	}
	for _, tt := range tests {
		var td taskDefinition
		dec := json.NewDecoder(strings.NewReader(tt.src))
		dec.DisallowUnknownFields()
		err := dec.Decode(&td)
		if err == nil {
			t.Fatalf("%q decoded", tt.src)
		}
		if got := decodeErrorAt("td.json", []byte(tt.src), err); !strings.HasPrefix(got, tt.want) {
			t.Errorf("decodeErrorAt(%q) = %q, want prefix %q", tt.src, got, tt.want)
		}
	}
}

func TestExampleTaskDefinitions(t *testing.T) {
	tests := []struct {
		path, family string
		arch         ecstypes.CPUArchitecture
	}{
		{"../examples/taskdef-arm64.json", "sample-server-arm64", ecstypes.CPUArchitectureArm64},
		{"../examples/taskdef-x86_64.json", "sample-server", ecstypes.CPUArchitectureX8664},
	}
	generics := make([]map[string]any, len(tests))
	for i, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			td, generic := readTaskDefinition(t, tt.path)
			generics[i] = generic
			if td.Family != tt.family || td.RuntimePlatform.CPUArchitecture != string(tt.arch) {
				t.Errorf("family %q arch %q, want %q %q", td.Family, td.RuntimePlatform.CPUArchitecture, tt.family, tt.arch)
			}
			checkFargateTask(t, td)
		})
	}
	// Apart from family and cpuArchitecture the two files must be identical,
	// so that switching architecture changes nothing else.
	for _, g := range generics {
		if g == nil {
			t.Fatal("a task definition did not load")
		}
		delete(g, "family")
		delete(g["runtimePlatform"].(map[string]any), "cpuArchitecture")
	}
	if !reflect.DeepEqual(generics[0], generics[1]) {
		t.Errorf("task definitions differ in more than family and cpuArchitecture:\n%v\n%v", generics[0], generics[1])
	}
}

// checkFargateTask checks values against the SDK's enums, the Fargate size
// table and the sample server's own defaults.
func checkFargateTask(t *testing.T, td taskDefinition) {
	t.Helper()
	if !slices.Equal(td.RequiresCompatibilities, []string{string(ecstypes.CompatibilityFargate)}) {
		t.Errorf("requiresCompatibilities = %q", td.RequiresCompatibilities)
	}
	if td.NetworkMode != string(ecstypes.NetworkModeAwsvpc) {
		t.Errorf("networkMode = %q, Fargate needs awsvpc", td.NetworkMode)
	}
	if !slices.Contains(ecstypes.CPUArchitecture("").Values(), ecstypes.CPUArchitecture(td.RuntimePlatform.CPUArchitecture)) {
		t.Errorf("cpuArchitecture %q is not an ECS value", td.RuntimePlatform.CPUArchitecture)
	}
	if td.RuntimePlatform.OperatingSystemFamily != string(ecstypes.OSFamilyLinux) {
		t.Errorf("operatingSystemFamily = %q", td.RuntimePlatform.OperatingSystemFamily)
	}
	// 0.25 vCPU allows 512, 1024 or 2048 MiB on Fargate.
	if td.CPU != "256" || !slices.Contains([]string{"512", "1024", "2048"}, td.Memory) {
		t.Errorf("cpu %q memory %q is not a Fargate size", td.CPU, td.Memory)
	}
	if td.ExecutionRoleArn != "arn:aws:iam::123456789012:role/ecsTaskExecutionRole" {
		t.Errorf("executionRoleArn = %q (needed to pull from ECR and write awslogs)", td.ExecutionRoleArn)
	}
	if len(td.ContainerDefinitions) != 1 {
		t.Fatalf("%d containers, want 1", len(td.ContainerDefinitions))
	}
	c := td.ContainerDefinitions[0]
	if c.Name != "sample-server" || !c.Essential || c.Image != "123456789012.dkr.ecr.us-east-1.amazonaws.com/sample-server:latest" {
		t.Errorf("container %q essential=%v image %q", c.Name, c.Essential, c.Image)
	}
	port := strconv.Itoa(server.DefaultConfig().Port)
	if len(c.PortMappings) != 1 || strconv.Itoa(c.PortMappings[0].ContainerPort) != port ||
		c.PortMappings[0].HostPort != c.PortMappings[0].ContainerPort || c.PortMappings[0].Protocol != string(ecstypes.TransportProtocolTcp) {
		t.Errorf("portMappings = %+v, want %s/tcp with hostPort equal (awsvpc)", c.PortMappings, port)
	}
	if len(c.Environment) != 1 || c.Environment[0].Name != "PORT" || c.Environment[0].Value != port {
		t.Errorf("environment = %+v, want PORT=%s", c.Environment, port)
	}
	lc := c.LogConfiguration
	if lc.LogDriver != string(ecstypes.LogDriverAwslogs) || lc.Options["awslogs-group"] != "/ecs/sample-server" ||
		lc.Options["awslogs-region"] != "us-east-1" || lc.Options["awslogs-stream-prefix"] == "" {
		t.Errorf("logConfiguration = %+v", lc)
	}
	// The health check runs the binary itself: the image has no shell, so
	// CMD-SHELL or curl would never pass. Path as in the Dockerfile and ko.
	hc := c.HealthCheck
	if !slices.Equal(hc.Command, []string{"CMD", "/ko-app/sample-server", "-healthcheck"}) {
		t.Errorf("healthCheck.command = %q", hc.Command)
	}
	// ECS limits: interval 5-300, timeout 2-120, retries 1-10, startPeriod 0-300.
	if hc.Interval != 30 || hc.Timeout != 5 || hc.Retries != 3 || hc.StartPeriod != 10 || hc.Timeout >= hc.Interval {
		t.Errorf("healthCheck = %+v, want 30/5/3/10", hc)
	}
	// ECS sends SIGKILL stopTimeout seconds after SIGTERM: the server's own
	// shutdown timeout must end first.
	stop := time.Duration(c.StopTimeout) * time.Second
	if c.StopTimeout != 30 || stop <= server.DefaultConfig().ShutdownTimeout {
		t.Errorf("stopTimeout %s must be 30s and above the server's shutdown timeout %s", stop, server.DefaultConfig().ShutdownTimeout)
	}
}
