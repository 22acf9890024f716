package taskdef

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustParse(t *testing.T, name, src string, opts LoadOptions) *TaskDefinition {
	t.Helper()
	td, err := Parse(name, []byte(src), opts)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return td
}

func TestParseShapes(t *testing.T) {
	tests := []struct {
		name, file, src string
		opts            LoadOptions
		wantShape       Shape
		wantImage       string
		wantUnresolved  string
	}{
		{name: "register", file: "r.json", wantShape: ShapeRegister, wantImage: "nginx:1",
			src: `{"family":"f","containerDefinitions":[{"name":"a","image":"nginx:1"}]}`},
		{name: "describe wrapped", file: "d.json", wantShape: ShapeDescribe, wantImage: "nginx:1",
			src: `{"taskDefinition":{"family":"f","revision":3,"status":"ACTIVE","containerDefinitions":[{"name":"a","image":"nginx:1"}]},"tags":[]}`},
		{name: "describe bare", file: "d.json", wantShape: ShapeDescribe, wantImage: "nginx:1",
			src: `{"taskDefinitionArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/f:1","family":"f","containerDefinitions":[{"name":"a","image":"nginx:1"}]}`},
		{name: "cloudformation json", file: "t.json", wantShape: ShapeCloudFormation, wantImage: "repo/app:2",
			opts: LoadOptions{Params: map[string]string{"Tag": "2"}},
			src:  `{"Parameters":{"Tag":{"Type":"String","Default":"1"}},"Resources":{"T":{"Type":"AWS::ECS::TaskDefinition","Properties":{"ContainerDefinitions":[{"Name":"a","Image":{"Fn::Sub":"repo/app:${Tag}"}}]}}}}`},
		{name: "cloudformation yaml default", file: "t.yaml", wantShape: ShapeCloudFormation, wantImage: "repo/app:1",
			src: "Parameters:\n  Tag: {Type: String, Default: '1'}\nResources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          Image: !Sub repo/app:${Tag}\n"},
		{name: "cloudformation join", file: "t.yaml", wantShape: ShapeCloudFormation, wantImage: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app",
			opts: LoadOptions{Params: map[string]string{"AWS::AccountId": "123456789012", "AWS::Region": "eu-west-1"}},
			src:  "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          Image: !Join ['', [!Ref 'AWS::AccountId', '.dkr.ecr.', !Ref 'AWS::Region', '.amazonaws.com/app']]\n"},
		{name: "cloudformation pseudo parameter not given", file: "t.yaml", wantShape: ShapeCloudFormation, wantUnresolved: "needs a parameter value",
			src: "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          Image: !Sub '${AWS::AccountId}.dkr.ecr.us-east-1.amazonaws.com/app'\n"},
		{name: "cloudformation getatt", file: "t.yaml", wantShape: ShapeCloudFormation, wantUnresolved: "Fn::GetAtt Repo.RepositoryUri",
			src: "Resources:\n  Repo: {Type: AWS::ECR::Repository}\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          Image: !GetAtt Repo.RepositoryUri\n"},
		{name: "cloudformation find in map", file: "t.json", wantShape: ShapeCloudFormation, wantUnresolved: "Fn::FindInMap",
			src: `{"Resources":{"T":{"Type":"AWS::ECS::TaskDefinition","Properties":{"ContainerDefinitions":[{"Name":"a","Image":{"Fn::FindInMap":["M","k","v"]}}]}}}}`},
		{name: "envsubst braces", file: "r.json", wantShape: ShapeRegister, wantUnresolved: "${TAG}",
			src: `{"containerDefinitions":[{"name":"a","image":"app:${TAG}"}]}`},
		{name: "docs placeholder", file: "r.json", wantShape: ShapeRegister, wantUnresolved: "<image-uri>",
			src: `{"containerDefinitions":[{"name":"a","image":"<image-uri>"}]}`},
		{name: "no extension sniffed as json", file: "td", wantShape: ShapeRegister, wantImage: "a",
			src: ` {"containerDefinitions":[{"name":"a","image":"a"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := mustParse(t, tt.file, tt.src, tt.opts)
			if td.Source.Shape != tt.wantShape {
				t.Errorf("shape = %s, want %s", td.Source.Shape, tt.wantShape)
			}
			img := td.Containers[0].Image
			if tt.wantUnresolved != "" {
				if !strings.Contains(img.Unresolved, tt.wantUnresolved) {
					t.Errorf("image %+v: want unresolved containing %q", img, tt.wantUnresolved)
				}
				return
			}
			if img.Value != tt.wantImage || img.Unresolved != "" {
				t.Errorf("image = %+v, want %q", img, tt.wantImage)
			}
			if img.Pos.Line < 1 || img.Pos.File != tt.file {
				t.Errorf("image position %v", img.Pos)
			}
		})
	}
}

func TestCPUMemoryForms(t *testing.T) {
	tests := []struct {
		cpu, mem         string // JSON values as written
		wantCPU, wantMem int
		wantErr          string
	}{
		{cpu: `"1 vCPU"`, mem: `"2 GB"`, wantCPU: 1024, wantMem: 2048},
		{cpu: `"0.25 vCPU"`, mem: `"0.5GB"`, wantCPU: 256, wantMem: 512},
		{cpu: `".5 vcpu"`, mem: `"4 gb"`, wantCPU: 512, wantMem: 4096},
		{cpu: `"2048"`, mem: `"4096"`, wantCPU: 2048, wantMem: 4096},
		{cpu: `256`, mem: `512`, wantCPU: 256, wantMem: 512},
		{cpu: `" 1024 "`, mem: `"3072"`, wantCPU: 1024, wantMem: 3072},
		{cpu: `"1 CPU"`, mem: `"2 GB"`, wantErr: `1:9: cpu: "1 CPU" is not a valid value`},
		{cpu: `"256"`, mem: `"512 MB"`, wantErr: `memory: "512 MB" is not a valid value`},
		{cpu: `"0.1 vCPU"`, mem: `"2 GB"`, wantErr: "not a whole number of units"},
		{cpu: `true`, mem: `"2 GB"`, wantErr: "cpu: want a string or a number, got boolean true"},
	}
	for _, tt := range tests {
		t.Run(tt.cpu+"/"+tt.mem, func(t *testing.T) {
			src := `{"cpu": ` + tt.cpu + `, "memory": ` + tt.mem + `, "containerDefinitions": [{"name": "a", "image": "b"}]}`
			td, err := Parse("td.json", []byte(src), LoadOptions{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if td.CPU.Value != tt.wantCPU || td.Memory.Value != tt.wantMem {
				t.Errorf("cpu %d mem %d, want %d %d", td.CPU.Value, td.Memory.Value, tt.wantCPU, tt.wantMem)
			}
			if td.CPU.Raw == "" || td.CPU.Pos.Line != 1 || td.CPU.Pos.Column != 9 {
				t.Errorf("cpu raw/pos = %q %v", td.CPU.Raw, td.CPU.Pos)
			}
		})
	}
}

func TestStrictness(t *testing.T) {
	tests := []struct {
		name, file, src, wantErr string
	}{
		{"unknown key with suggestion", "td.json", "{\n  \"runtimePlatform\": {\"cpuArchitecure\": \"ARM64\"},\n  \"containerDefinitions\": []\n}",
			"td.json:2:23: runtimePlatform.cpuArchitecure: unknown key (did you mean cpuArchitecture?)"},
		{"wrong case in API key", "td.json", `{"containerDefinitions": [{"Name": "a"}]}`,
			"td.json:1:28: containerDefinitions[0].Name: unknown key (did you mean name?)"},
		{"essential yes", "td.json", "{\"containerDefinitions\": [\n {\"name\": \"a\", \"essential\": \"yes\"}]}",
			`td.json:2:29: containerDefinitions[0].essential: want a boolean (true or false), got string "yes"`},
		{"command not a list", "td.json", `{"containerDefinitions": [{"name": "a", "command": "sleep 1"}]}`,
			`td.json:1:52: containerDefinitions[0].command: want an array, got string "sleep 1"`},
		{"float port", "td.json", `{"containerDefinitions": [{"name": "a", "portMappings": [{"containerPort": 80.5}]}]}`,
			"containerDefinitions[0].portMappings[0].containerPort: want an integer, got number 80.5"},
		{"big number", "td.json", `{"containerDefinitions": [{"name": "a", "memory": 123456789012345678901234567890}]}`,
			"containerDefinitions[0].memory: want an integer, got number 123456789012345678901234567890"},
		{"bad enum", "td.json", `{"networkMode": "awsvcp", "containerDefinitions": []}`,
			`td.json:1:17: networkMode: unknown value "awsvcp" (did you mean awsvpc?)`},
		{"duplicate key json", "td.json", "{\"family\": \"a\",\n \"family\": \"b\", \"containerDefinitions\": []}",
			"td.json:2:2: family: duplicate key (first at 1:2)"},
		{"duplicate key yaml", "t.yaml", "Resources:\n  A: {Type: X}\n  A: {Type: Y}\n",
			"t.yaml:3:3: A: duplicate key (first at 2:3)"},
		{"trailing comma", "td.json", "{\"family\": \"a\",\n}", "td.json:2:1: invalid JSON"},
		{"unbalanced", "td.json", `{"containerDefinitions": [`, "td.json:1:27: invalid JSON: unexpected end of file"},
		{"top-level array", "td.json", `[{"family": "a"}]`, "td.json:1:1: the top-level value is array"},
		{"not a task definition", "td.json", `{"containerDefinition": []}`, "td.json:1:2: containerDefinition: cannot tell what this file is: unknown key (did you mean containerDefinitions?)"},
		{"invalid utf8", "td.json", "{\"family\": \"\xff\"}", "td.json:1:13: file is not valid UTF-8"},
		{"cloudformation unknown property", "t.yaml", "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          Imgae: nginx\n",
			"t.yaml:7:11: Resources.T.Properties.ContainerDefinitions[0].Imgae: unknown property (did you mean Image?)"},
		{"cloudformation essential yes", "t.yaml", "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          Essential: yes\n",
			`t.yaml:7:22: Resources.T.Properties.ContainerDefinitions[0].Essential: want a boolean (true or false), got string "yes"`},
		{"cloudformation case duplicate", "t.yaml", "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Cpu: 256\n      cpu: 512\n",
			"t.yaml:6:7: Resources.T.Properties.cpu: same property as Cpu at 5:7 (keys differ only in case)"},
		{"yaml merge key", "t.yaml", "x: &x {a: 1}\nResources:\n  <<: *x\n", "t.yaml:3:3: <<: YAML merge keys are not supported"},
		{"several task definitions", "t.yaml", "Resources:\n  A: {Type: AWS::ECS::TaskDefinition}\n  B: {Type: AWS::ECS::TaskDefinition}\n",
			"t.yaml: the template has 2 AWS::ECS::TaskDefinition resources (A, B); choose one by name"},
		{"service file given as task", "s.json", `{"serviceName": "s", "desiredCount": 1}`, "s.json: this is a service definition (create-service)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.file, []byte(tt.src), LoadOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v\nwant it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestJSONSpecifics(t *testing.T) {
	// Surrogate-pair escapes, tabs, a very long line and nulls: all valid JSON
	// that yaml.v3 would mishandle or reject.
	long := strings.Repeat("x", 200_000)
	src := "{\n\t\"family\":\t\"f\\ud83d\\ude00\",\n\t\"taskRoleArn\": null,\n\t\"containerDefinitions\": [{\"name\": \"a\", \"image\": \"nginx\", \"environment\": [{\"name\": \"L\", \"value\": \"" + long + "\"}], \"user\": \"ü\"}]\n}"
	td := mustParse(t, "td.json", src, LoadOptions{})
	if td.Family.Value != "f😀" {
		t.Errorf("family = %q", td.Family.Value)
	}
	if td.TaskRoleArn.Set {
		t.Errorf("null taskRoleArn should be unset: %+v", td.TaskRoleArn)
	}
	if got := td.Containers[0].Environment[0].Value.Value; len(got) != len(long) {
		t.Errorf("long value length %d", len(got))
	}
	if p := td.Containers[0].User.Pos; p.Line != 4 || p.Column != 200_000+112 {
		t.Errorf("user position %v (columns count characters)", p)
	}
}

func TestWarnings(t *testing.T) {
	src := `{"runtimePlatform": {"cpuArchitecture": "arm64"}, "containerDefinitions": [
  {"name": "a", "image": "x", "runtimePlatform": {"cpuArchitecture": "ARM64"}},
  {"name": "a", "image": "y"}]}`
	td := mustParse(t, "td.json", src, LoadOptions{})
	for _, code := range []string{WarnEnumCase, WarnRuntimePlatformInContainer, WarnDuplicateContainerName} {
		if countWarnings(td.Warnings, code) != 1 {
			t.Errorf("want one %s warning, got %v", code, td.Warnings)
		}
	}
	if p := td.Containers[0].RuntimePlatformMisplaced; p.Line != 2 || p.Column != 31 {
		t.Errorf("misplaced runtimePlatform at %v", p)
	}
	if arch := platformOf(td.RuntimePlatform).Architecture; arch != "arm64" {
		t.Errorf("lower-case arm64 should still map to arm64, got %s", arch)
	}
}

func TestLimits(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, []byte(`{"family": "`+strings.Repeat("a", DefaultMaxBytes)+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(context.Background(), big, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "larger than 4194304 bytes") {
		t.Errorf("big file: %v", err)
	}
	deepJSON := strings.Repeat("[", 65) + strings.Repeat("]", 65)
	if _, err := Parse("deep.json", []byte(deepJSON), LoadOptions{}); err == nil || !strings.Contains(err.Error(), "deep.json:1:65: nesting deeper than 64") {
		t.Errorf("deep json: %v", err)
	}
	deepYAML := strings.Repeat("[", 70) + strings.Repeat("]", 70)
	if _, err := Parse("deep.yaml", []byte(deepYAML), LoadOptions{}); err == nil || !strings.Contains(err.Error(), "nesting deeper than 64") {
		t.Errorf("deep yaml: %v", err)
	}
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	if _, err := Parse("bomb.yaml", []byte(bomb), LoadOptions{}); err == nil || !strings.Contains(err.Error(), "alias bomb") {
		t.Errorf("alias bomb: %v", err)
	}
	if _, err := Parse("small.json", []byte(`{"containerDefinitions":[]}`), LoadOptions{MaxBytes: 10}); err == nil || !strings.Contains(err.Error(), "larger than 10 bytes") {
		t.Errorf("MaxBytes: %v", err)
	}
}
