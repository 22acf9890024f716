package taskdef

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/internal/corpus"
	"github.com/imgcheck/imgcheck/platform"
)

// corpusCase is what SOURCES.md leads one to expect of a corpus file.
type corpusCase struct {
	file    string
	service bool // load with LoadService
	opts    LoadOptions
	wantErr string // substring of the expected error ("" = loads)
	why     string
	check   func(t *testing.T, td *TaskDefinition, svc *Service)
}

func image(td *TaskDefinition, i int) String { return td.Containers[i].Image }

var corpusCases = []corpusCase{
	{file: "2-chanhee-ecs-on-fargate-infrastructure-string-port-nulls.json", wantErr: `:12:38: containerDefinitions[0].portMappings[0].containerPort: want an integer, got string "3000"`,
		why: "containerPort is a string, a type mistake; the nulls are accepted as unset"},
	{file: "abdelali12-codes-ecs-opentelemetry-describe-output.json", why: "full describe output with read-only fields",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, td.Source.Shape == ShapeDescribe, "shape %s", td.Source.Shape)
			expect(t, len(td.ReadOnlyFields) == 7, "read-only fields %v", td.ReadOnlyFields)
			expect(t, td.CPU.Value == 1024 && td.Memory.Value == 3072, "cpu/mem %v %v", td.CPU, td.Memory)
			expect(t, td.Containers[0].PortMappings[0].HostPort.Value == 22, "port %+v", td.Containers[0].PortMappings)
		}},
	{file: "alexdiru-rust-backend-aws-hostport-mismatch.json", why: "bare describe object; hostPort 80 vs containerPort 8000 is for verify to report",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, td.Source.Shape == ShapeDescribe && hasField(td.ReadOnlyFields, "registeredAt"), "shape %s fields %v", td.Source.Shape, td.ReadOnlyFields)
			pm := td.Containers[0].PortMappings[0]
			expect(t, pm.HostPort.Value == 80 && pm.ContainerPort.Value == 8000 && td.NetworkMode.Value == "awsvpc", "ports %+v", pm)
		}},
	{file: "aws-cloudformation-templates-fargate-public-service.json", why: "Image !Ref ImageUrl defaults to nginx; Cpu/Memory from Number parameters",
		check: checkPublicService},
	{file: "aws-cloudformation-templates-fargate-public-service.yaml", why: "YAML twin must agree with the JSON one", check: checkPublicService},
	{file: "aws-cloudformation-templates-fargate-public-service.yaml", service: true, why: "service links to the task definition by Ref",
		check: func(t *testing.T, _ *TaskDefinition, svc *Service) {
			expect(t, svc.LaunchType.Value == "FARGATE" && svc.DesiredCount.Value == 2, "service %+v", svc)
			expect(t, svc.TaskDefinitionResource == "TaskDefinition" && svc.Task != nil && svc.Task.Containers[0].Image.Value == "nginx", "link %q %v", svc.TaskDefinitionResource, svc.Task)
			expect(t, svc.NetworkConfiguration != nil && svc.NetworkConfiguration.Subnets[0].Unresolved != "", "subnets %+v", svc.NetworkConfiguration)
		}},
	{file: "aws-docs-appmesh-container-dependency-cmd-shell.json", why: "placeholder images are plain strings; CMD-SHELL health check kept",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, image(td, 0).Value == "application_image", "image %v", image(td, 0))
			hc := td.Containers[1].HealthCheck
			expect(t, hc != nil && hc.Command.Values[0] == "CMD-SHELL" && hc.Interval.Value == 5, "health %+v", hc)
			expect(t, !td.CPU.Set && !td.Memory.Set, "no task cpu/memory")
		}},
	{file: "aws-docs-arm64-busybox.json", why: "Fargate ARM64",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			p := platformOf(td.RuntimePlatform)
			expect(t, p.OS == "linux" && p.Architecture == "arm64", "platform %s/%s", p.OS, p.Architecture)
			expect(t, strings.Join(td.Containers[0].EntryPoint.Values, " ") == "sh -c", "entrypoint %v", td.Containers[0].EntryPoint)
		}},
	{file: "aws-docs-cfn-cluster-taskdef-service.json", why: "camelCase properties in CloudFormation load with warnings",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, image(td, 0).Value == "httpd:2.4" && td.RuntimePlatform.OperatingSystemFamily.Value == "LINUX", "td %+v", td)
			expect(t, countWarnings(td.Warnings, WarnCloudFormationKeyCase) > 5, "warnings %v", td.Warnings)
		}},
	{file: "aws-docs-cfn-taskdef-first-run-task-env-mistake.yaml", why: "1 vCPU / 3 GB unit strings; entryPoint as env var stays an env var",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, td.CPU.Value == 1024 && td.CPU.Raw == "1 vCPU" && td.Memory.Value == 3072, "cpu %v mem %v", td.CPU, td.Memory)
			c := td.Containers[0]
			expect(t, !c.EntryPoint.Set && len(c.Environment) == 2 && c.Environment[0].Name.Value == "entryPoint", "container %+v", c)
		}},
	{file: "aws-docs-ec2-sleep360-busybox.json", why: "smallest input",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, td.Family.Value == "sleep360" && image(td, 0).Value == "busybox" && td.Containers[0].Essential.Value, "td %+v", td)
		}},
	{file: "aws-docs-ec2-sleep360-register-output.json", why: "minimal describe wrapper; the ec2 ARN is for verify to flag",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, td.Source.Shape == ShapeDescribe && len(td.ReadOnlyFields) == 2, "fields %v", td.ReadOnlyFields)
		}},
	{file: "aws-docs-ec2-windows-simple-iis.json", why: "Windows image without runtimePlatform: platform defaults to linux/amd64",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, !td.RuntimePlatform.Set && platformOf(td.RuntimePlatform).OS == "linux", "platform %v", td.RuntimePlatform)
		}},
	{file: "aws-docs-fargate-linux-httpd-webserver.json", why: "LINUX without cpuArchitecture",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, td.RuntimePlatform.Set && !td.RuntimePlatform.CPUArchitecture.Set, "platform %+v", td.RuntimePlatform)
		}},
	{file: "aws-docs-fargate-windows-2019-iis.json", why: "Windows 2019 Core on Fargate",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			fam := td.RuntimePlatform.OperatingSystemFamily.Value
			expect(t, platform.WindowsBuild(fam) == "10.0.17763" && ValidFargateWindows(td.RuntimePlatform, td.CPU.Value, td.Memory.Value) == nil, "family %s", fam)
			expect(t, strings.Contains(td.Containers[0].Command.Values[0], `C:\inetpub`), "command %v", td.Containers[0].Command)
		}},
	{file: "aws-docs-service-connect-nginx-create-service.json", service: true, why: "create-service input",
		check: func(t *testing.T, _ *TaskDefinition, svc *Service) {
			expect(t, svc.Source.Shape == ShapeCreateService && svc.TaskDefinition.Value == "service-connect-nginx" && svc.PlatformVersion.Value == "LATEST", "svc %+v", svc)
		}},
	{file: "aws-docs-service-connect-nginx-taskdef.json", why: "no requiresCompatibilities",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, len(td.RequiresCompatibilities) == 0 && td.Containers[0].PortMappings[0].Name.Value == "nginx", "td %+v", td)
		}},
	{file: "aws-docs-service-definition-template.json", service: true, why: "skeleton loads; launchType with a strategy is for ValidateStrategy",
		check: func(t *testing.T, _ *TaskDefinition, svc *Service) {
			ps := ValidateStrategy(svc.CapacityProviderStrategy, StrategyContextFor(svc, nil))
			expect(t, hasProblem(ps, "launch-type-and-strategy") && hasProblem(ps, "empty-provider") && hasProblem(ps, "all-weights-zero"), "problems %v", ps)
		}},
	{file: "aws-docs-splunk-logdriver-fragment-invalid.json", wantErr: ":1:23: invalid JSON", why: "a fragment, not a document"},
	{file: "aws-docs-task-definition-template-skeleton.json", why: "every field, empty: loads, image unresolved as empty",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, image(td, 0).Unresolved == "empty image" && !td.CPU.Set, "image %+v cpu %+v", image(td, 0), td.CPU)
			expect(t, td.RuntimePlatform.OperatingSystemFamily.Value == "WINDOWS_SERVER_20H2_CORE" && platform.WindowsBuild("WINDOWS_SERVER_20H2_CORE") != "", "platform %+v", td.RuntimePlatform)
			expect(t, countWarnings(td.Warnings, WarnEmptyValue) == 2, "warnings %v", td.Warnings)
		}},
	{file: "aws-samples-aws-containers-task-definitions-consul-server.json", why: "essential missing defaults to true",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			c := td.Containers[0]
			expect(t, c.Essential.Value && !c.Essential.Set && c.MemoryReservation.Value == 64, "container %+v", c)
		}},
	{file: "aws-samples-aws-containers-task-definitions-nginx-fargate.json", why: "awslogs without execution role is for verify",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, !td.ExecutionRoleArn.Set && td.Containers[0].LogConfiguration.LogDriver.Value == "awslogs", "td %+v", td)
		}},
	{file: "aws-samples-ecs-refarch-cloudformation-website-service.yaml", why: "EC2 bridge, literal image",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, strings.HasPrefix(image(td, 0).Value, "275396840892.dkr.ecr.us-east-1.amazonaws.com/") && !td.NetworkMode.Set, "td %+v", td)
		}},
	{file: "kayac-ecspresso-ci-service-def-capacity-providers.json", service: true, why: "FARGATE base 1 weight 1 + FARGATE_SPOT weight 2",
		check: func(t *testing.T, _ *TaskDefinition, svc *Service) {
			a := Spread(svc.CapacityProviderStrategy, 4)
			expect(t, len(a) == 2 && a[0].Tasks == 2 && a[1].Tasks == 2, "spread %+v", a)
			expect(t, svc.LoadBalancers[0].TargetGroupArn.Unresolved != "", "lb %+v", svc.LoadBalancers)
		}},
	{file: "kayac-ecspresso-ci-task-def-must-env.json", why: "{{ env }} / {{ must_env }} images are unresolved",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, image(td, 0).Unresolved != "" && image(td, 1).Unresolved != "" && td.ExecutionRoleArn.Unresolved != "", "images %v %v", image(td, 0), image(td, 1))
			expect(t, td.EphemeralStorageGiB.Value == 50, "ephemeral %v", td.EphemeralStorageGiB)
		}},
	{file: "kayac-ecspresso-task-def-tfstate-image.json", why: "whole image is a tfstate template",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, strings.Contains(image(td, 0).Unresolved, "tfstate"), "image %+v", image(td, 0))
		}},
	{file: "kayac-ecspresso-td-describe-wrapper.json", why: "partial describe wrapper; dangling proxy container is for verify",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, td.Source.Shape == ShapeDescribe && len(td.ReadOnlyFields) == 0 && td.ProxyContainerName.Value == "envoy", "td %+v", td)
			expect(t, image(td, 0).Unresolved != "" && td.EphemeralStorageGiB.Value == 25, "image %+v", image(td, 0))
		}},
	{file: "lvd-devops-cicd-demo-task-definition-envsubst.json", wantErr: ":8:20: invalid JSON: invalid character '$' looking for beginning of value (unquoted shell variable $ECS_CONTAINER_WEB_VCPU",
		why: "invalid JSON until envsubst runs"},
	{file: "nathanpeck-ecs-patterns-service-across-ec2-and-fargate.yml", why: "Image !Ref ImageURI has no default",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, strings.Contains(image(td, 0).Unresolved, "ImageURI has no Default") && td.CPU.Value == 256, "image %+v", image(td, 0))
		}},
	{file: "nathanpeck-ecs-patterns-service-across-ec2-and-fargate.yml", service: true, wantErr: "2 AWS::ECS::Service resources", why: "two services: --resource needed"},
	{file: "nathanpeck-ecs-patterns-service-across-ec2-and-fargate.yml", service: true, opts: LoadOptions{Resource: "Ec2Service", Params: map[string]string{"ImageURI": "nginx:1.27"}},
		why: "--resource picks one; its provider is a Ref to a resource",
		check: func(t *testing.T, _ *TaskDefinition, svc *Service) {
			expect(t, len(svc.CapacityProviderStrategy) == 1 && svc.CapacityProviderStrategy[0].Provider.Unresolved != "", "strategy %+v", svc.CapacityProviderStrategy)
			expect(t, svc.Task != nil && image(svc.Task, 0).Value == "nginx:1.27", "linked task %+v", svc.Task)
		}},
	{file: "nukoinu-test-win-batch-on-aws-windows-2022-ecs-stack.yaml", why: "Windows 2022; image from a resource attribute",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, strings.Contains(image(td, 0).Unresolved, "ECRRepository.RepositoryUri"), "image %+v", image(td, 0))
			expect(t, platform.WindowsBuild(td.RuntimePlatform.OperatingSystemFamily.Value) == "10.0.20348", "platform %+v", td.RuntimePlatform)
			expect(t, strings.Contains(td.ExecutionRoleArn.Unresolved, "GetAtt"), "role %+v", td.ExecutionRoleArn)
		}},
	{file: "nukoinu-test-win-batch-on-aws-windows-image-no-runtimeplatform.yaml", why: "Windows image default, no runtimePlatform",
		check: func(t *testing.T, td *TaskDefinition, _ *Service) {
			expect(t, image(td, 0).Value == "mcr.microsoft.com/windows/nanoserver:ltsc2022" && !td.RuntimePlatform.Set, "td %+v", td)
			expect(t, td.Containers[0].WorkingDirectory.Value == `C:\app`, "workdir %+v", td.Containers[0].WorkingDirectory)
		}},
}

func checkPublicService(t *testing.T, td *TaskDefinition, _ *Service) {
	expect(t, image(td, 0).Value == "nginx" && td.Family.Value == "nginx", "image %+v family %+v", image(td, 0), td.Family)
	expect(t, td.CPU.Value == 256 && td.Memory.Value == 512, "cpu %v mem %v", td.CPU, td.Memory)
	expect(t, strings.Contains(td.ExecutionRoleArn.Unresolved, "Fn::ImportValue"), "role %+v", td.ExecutionRoleArn)
	// HasCustomRole is !Not [!Equals [!Ref Role, ""]] and Role defaults to
	// "": the !If takes AWS::NoValue, so the task has no task role.
	expect(t, !td.TaskRoleArn.Set, "task role %+v", td.TaskRoleArn)
}

func TestCorpus(t *testing.T) {
	dir := corpus.TaskdefsDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, tc := range corpusCases {
		covered[tc.file] = true
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			var td *TaskDefinition
			var svc *Service
			var err error
			if tc.service {
				svc, err = LoadService(context.Background(), path, tc.opts)
			} else {
				td, err = Load(context.Background(), path, tc.opts)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("%s: error = %v, want it to contain %q", tc.why, err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.file) {
					t.Errorf("error does not name the file: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.why, err)
			}
			tc.check(t, td, svc)
		})
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".md") && !covered[e.Name()] {
			t.Errorf("corpus file %s has no expectation in corpusCases", e.Name())
		}
	}
}

func expect(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Errorf("unexpected: "+format, args...)
	}
}

func countWarnings(ws []Diagnostic, code string) int {
	n := 0
	for _, w := range ws {
		if w.Code == code {
			n++
		}
	}
	return n
}

func hasProblem(ps []Problem, code string) bool {
	for _, p := range ps {
		if p.Code == code {
			return true
		}
	}
	return false
}
