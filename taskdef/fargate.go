package taskdef

// Fargate facts, as data. Each table names the AWS documentation page it
// was taken from; docs/taskdef.md lists the same sources.

// fargateSize is one row of the task cpu/memory table: for CPU units cpu,
// memory may be MinMiB..MaxMiB in steps of StepMiB, or exactly one of
// Choices when Choices is set.
type fargateSize struct {
	CPU                     int
	Choices                 []int
	MinMiB, MaxMiB, StepMiB int
	MinLinuxPlatform        string // "" when every platform version has it
}

// fargateSizes is from "Amazon ECS task definition parameters for Fargate",
// section Task size, and "Troubleshoot Amazon ECS task definition invalid
// CPU or memory errors":
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
// https://docs.aws.amazon.com/AmazonECS/latest/userguide/task-cpu-memory-error.html
var fargateSizes = []fargateSize{
	{CPU: 256, Choices: []int{512, 1024, 2048}},
	{CPU: 512, MinMiB: 1024, MaxMiB: 4096, StepMiB: 1024},
	{CPU: 1024, MinMiB: 2048, MaxMiB: 8192, StepMiB: 1024},
	{CPU: 2048, MinMiB: 4096, MaxMiB: 16384, StepMiB: 1024},
	{CPU: 4096, MinMiB: 8192, MaxMiB: 30720, StepMiB: 1024},
	{CPU: 8192, MinMiB: 16384, MaxMiB: 61440, StepMiB: 4096, MinLinuxPlatform: "1.4.0"},
	{CPU: 16384, MinMiB: 32768, MaxMiB: 122880, StepMiB: 8192, MinLinuxPlatform: "1.4.0"},
}

// Windows on Fargate, from "Amazon ECS task definition parameters for
// Fargate" (Operating system, Task size) and "Fargate Windows platform
// versions":
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#runtime-platform
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-windows-fargate.html
const (
	fargateWindowsMinCPU    = 1024 // "at least 1 vCPU"
	fargateWindowsMinMemory = 2048 // 2 GiB
)

// fargateWindowsFamilies are the OS families Fargate runs (platform 1.0.0).
var fargateWindowsFamilies = []string{
	"WINDOWS_SERVER_2019_FULL", "WINDOWS_SERVER_2019_CORE",
	"WINDOWS_SERVER_2022_FULL", "WINDOWS_SERVER_2022_CORE",
}

// operatingSystemFamilies are the values of runtimePlatform.operatingSystemFamily,
// from the API reference, RuntimePlatform:
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RuntimePlatform.html
var operatingSystemFamilies = []string{
	"LINUX",
	"WINDOWS_SERVER_2016_FULL",
	"WINDOWS_SERVER_2019_FULL", "WINDOWS_SERVER_2019_CORE",
	"WINDOWS_SERVER_2022_FULL", "WINDOWS_SERVER_2022_CORE",
	"WINDOWS_SERVER_2025_FULL", "WINDOWS_SERVER_2025_CORE",
	"WINDOWS_SERVER_2004_CORE", "WINDOWS_SERVER_20H2_CORE",
}

// Fargate platform versions, from "Fargate Linux platform versions" and
// "Fargate Windows platform versions". LATEST is 1.4.0 on Linux and 1.0.0 on
// Windows.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-linux-fargate.html
var (
	linuxPlatformVersions   = []string{"1.3.0", "1.4.0", "LATEST"}
	windowsPlatformVersions = []string{"1.0.0", "LATEST"}
)

const (
	latestLinuxPlatform   = "1.4.0"
	latestWindowsPlatform = "1.0.0"
	// ARM64 on Fargate needs Linux platform 1.4.0 or later, from "Amazon ECS
	// task definitions for 64-bit ARM workloads":
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-arm64.html
	MinARM64Platform = "1.4.0"
)

// Ephemeral storage on Fargate, from "Fargate task ephemeral storage for
// Amazon ECS": default 20 GiB, sizeInGiB 21 to 200.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html
const (
	DefaultEphemeralStorageGiB = 20
	MinEphemeralStorageGiB     = 21
	MaxEphemeralStorageGiB     = 200
)

// Capacity provider strategy limits, from the API reference,
// CapacityProviderStrategyItem, and CreateService:
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
const (
	MaxStrategyProviders = 6
	MaxStrategyBase      = 100000
	MaxStrategyWeight    = 1000
)

// Fargate capacity providers and what FARGATE_SPOT runs, from "Amazon ECS
// clusters for Fargate" (Fargate capacity providers): FARGATE_SPOT runs
// Linux X86_64 tasks on platform 1.3.0 or later and Linux ARM64 tasks on
// 1.4.0 or later; it does not run Windows tasks.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
const (
	ProviderFargate     = "FARGATE"
	ProviderFargateSpot = "FARGATE_SPOT"
	minSpotX86Platform  = "1.3.0"
	minSpotARMPlatform  = "1.4.0"
)
