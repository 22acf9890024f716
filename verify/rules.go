package verify

import (
	"cmp"
	"fmt"
	"slices"
)

// Rule describes one check. IDs are stable: IC + three digits, the first
// digit naming the family. docs/rules.md is generated from this table and a
// test keeps the two in step.
type Rule struct {
	ID       string
	Family   string
	Severity Severity
	Title    string
	Help     string // why it matters and how to fix it
}

// Rule families.
const (
	FamilyPlatform   = "platform"
	FamilyEntrypoint = "entrypoint"
	FamilyTask       = "task"
	FamilyService    = "service"
)

// ruleTable lists every rule. It is read-only data.
var ruleTable = []Rule{
	// Image against runtimePlatform.
	{"IC101", FamilyPlatform, Error, "No manifest for the task's platform",
		"The image index has no manifest for the task's runtimePlatform, so the pull fails with \"image Manifest does not contain descriptor matching platform\". Build the missing platform (imgcheck build --platform linux/amd64,linux/arm64) or change runtimePlatform.cpuArchitecture."},
	{"IC102", FamilyPlatform, Error, "Single-platform image of the wrong platform",
		"The image is a single manifest whose config declares another platform than the task runs. Build for the task's platform, or publish a multi-platform index."},
	{"IC103", FamilyPlatform, Error, "Index descriptor disagrees with the image config",
		"The index says one platform but the image config says another; the runtime pulls by the descriptor and then runs a binary for the other platform. Rebuild with a tool that sets both from the same source."},
	{"IC104", FamilyPlatform, Error, "Docker schema 1 manifest",
		"Schema 1 manifests are deprecated and not pulled by current runtimes. Push the image again with a current tool."},
	{"IC105", FamilyPlatform, Warning, "Mixed gzip and zstd layers",
		"Some layers are gzip and some zstd. Older runtimes do not support zstd; keep one compression."},
	{"IC106", FamilyPlatform, Error, "Windows image does not match the task's OS family",
		"Windows containers must match the host's build: the image's os.version build must be the one of the task's operatingSystemFamily (2019 = 10.0.17763, 2022 = 10.0.20348)."},
	{"IC107", FamilyPlatform, Error, "Windows task on ARM64",
		"Windows containers on ECS run only on X86_64. Set cpuArchitecture to X86_64."},

	// Entrypoint.
	{"IC201", FamilyEntrypoint, Error, "Nothing to run",
		"Neither the task (entryPoint, command) nor the image (ENTRYPOINT, CMD) says what to run; the container fails to start. Set an entrypoint in the image or entryPoint/command in the container definition."},
	{"IC202", FamilyEntrypoint, Error, "Executable not found",
		"The entrypoint does not exist in the image (or a whiteout in an upper layer removed it): the runtime fails with \"executable file not found\" or \"no such file or directory\". Fix the path or the image."},
	{"IC203", FamilyEntrypoint, Error, "Executable has no execute permission",
		"The entrypoint exists but is not executable (\"permission denied\"). Set mode 0755 when adding it."},
	{"IC204", FamilyEntrypoint, Error, "Binary built for another architecture",
		"The entrypoint's ELF machine differs from the task's cpuArchitecture: the container dies with \"exec format error\". Build for the task's platform (GOARCH) or change runtimePlatform."},
	{"IC205", FamilyEntrypoint, Error, "Dynamic binary without its ELF interpreter",
		"The binary is dynamically linked and its interpreter (PT_INTERP) is missing from the image: the container dies with \"no such file or directory\". Build with CGO_ENABLED=0, or use a base image with the matching libc."},
	{"IC206", FamilyEntrypoint, Error, "Script interpreter missing",
		"The entrypoint is a #! script whose interpreter is not in the image (\"no such file or directory\"). Add the interpreter or use a binary."},
	{"IC207", FamilyEntrypoint, Error, "Script interpreter built for another architecture",
		"The #! interpreter of the entrypoint script is a binary for another architecture (\"exec format error\")."},
	{"IC208", FamilyEntrypoint, Warning, "Go binary needs GOAMD64 v3 or higher",
		"The binary was built with GOAMD64=v3 or higher; not every x86-64 host guarantees those instructions. Build with the default GOAMD64=v1 unless you control the hosts."},
	{"IC209", FamilyEntrypoint, Info, "Go binary built with cgo",
		"CGO_ENABLED=1 ties the binary to the libc of the image. Prefer CGO_ENABLED=0 for scratch and distroless static images."},
	{"IC210", FamilyEntrypoint, Error, "Entrypoint is not an executable format",
		"The entrypoint is neither an ELF binary nor a #! script; the runtime fails with \"exec format error\"."},
	{"IC211", FamilyEntrypoint, Error, "Entrypoint is a Windows binary on a Linux task, or the reverse",
		"The entrypoint's executable format belongs to another operating system than the task's operatingSystemFamily."},

	// Task definition.
	{"IC301", FamilyTask, Error, "Invalid Fargate cpu/memory combination",
		"Fargate accepts only documented cpu/memory pairs; registration or task launch fails. Pick a valid pair (see docs/taskdef.md)."},
	{"IC302", FamilyTask, Error, "Windows on Fargate below 1 vCPU / 2 GiB",
		"Windows tasks on Fargate need at least 1 vCPU (1024) and 2 GiB (2048)."},
	{"IC303", FamilyTask, Error, "ARM64 needs Fargate platform version 1.4.0",
		"ARM64 tasks on Fargate need platformVersion 1.4.0 or LATEST."},
	{"IC304", FamilyTask, Error, "awsvpc hostPort differs from containerPort",
		"With networkMode awsvpc, hostPort must be empty or equal to containerPort; registration fails otherwise."},
	{"IC305", FamilyTask, Error, "Private ECR image without executionRoleArn",
		"Fargate pulls private ECR images with the task execution role; without executionRoleArn the pull fails (CannotPullContainerError)."},
	{"IC306", FamilyTask, Error, "awslogs on Fargate without executionRoleArn",
		"The awslogs driver on Fargate writes with the task execution role; without it the task fails to start."},
	{"IC307", FamilyTask, Error, "No essential container",
		"A task needs at least one essential container."},
	{"IC308", FamilyTask, Error, "CMD-SHELL health check without /bin/sh",
		"CMD-SHELL runs the command with /bin/sh -c; the image has no /bin/sh, so the health check never passes and ECS replaces the task. Use the CMD form with a binary in the image (for example [\"CMD\", \"/ko-app/app\", \"-healthcheck\"])."},
	{"IC309", FamilyTask, Error, "Health check executable missing or of another architecture",
		"The CMD health check runs a program that is not in the image or cannot run on the task's architecture; the check never passes."},
	{"IC310", FamilyTask, Error, "User name not in /etc/passwd",
		"The container user is a name the image's /etc/passwd does not define; the runtime cannot resolve it and the container fails to start. Use a numeric UID or add the user."},
	{"IC311", FamilyTask, Warning, "runtimePlatform inside a container definition",
		"ECS ignores runtimePlatform inside a container definition; it belongs at the task level."},
	{"IC312", FamilyTask, Warning, "Read-only describe fields present",
		"The file is describe-task-definition output; register-task-definition rejects fields such as taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt, registeredBy. Use --pin-out to write register input."},
	{"IC313", FamilyTask, Info, "Image referenced by tag",
		"A tag can move after verification. Reference the image by digest (imgcheck verify --pin-out) so that what deploys is what was verified."},
	{"IC314", FamilyTask, Warning, "Image larger than the task's ephemeral storage",
		"The image's uncompressed size exceeds the task's ephemeral storage (20 GiB by default on Fargate); the pull can fail. Raise ephemeralStorage.sizeInGiB or shrink the image."},

	// Service.
	{"IC401", FamilyService, Error, "Invalid capacity provider strategy",
		"The service's capacity provider strategy breaks an ECS rule (see imgcheck plan)."},
	{"IC402", FamilyService, Error, "FARGATE_SPOT with a Windows task",
		"FARGATE_SPOT does not run Windows tasks."},
	{"IC403", FamilyService, Error, "FARGATE_SPOT ARM64 below platform 1.4.0",
		"ARM64 tasks on FARGATE_SPOT need platform version 1.4.0 or LATEST."},
	{"IC404", FamilyService, Error, "Load balancer target not in the task definition",
		"The service's loadBalancers name a containerName/containerPort the task definition does not have; service creation fails."},
}

// LookupRule returns the rule with the given ID.
func LookupRule(id string) (Rule, bool) {
	i := slices.IndexFunc(ruleTable, func(r Rule) bool { return r.ID == id })
	if i < 0 {
		return Rule{}, false
	}
	return ruleTable[i], true
}

// Rules returns every rule, sorted by ID.
func Rules() []Rule {
	return slices.SortedFunc(slices.Values(ruleTable), func(a, b Rule) int { return cmp.Compare(a.ID, b.ID) })
}

// newFinding is the one place a finding gets its rule ID and severity:
// both come from ruleTable, so a rule's severity is written once. f carries
// what the rule saw (message, evidence, fix, location). An ID missing from
// the table is a programming error that TestRuleIDsInCodeAreInTheTable
// catches; at run time it panics rather than invent a severity.
func newFinding(id string, f Finding) Finding {
	r, ok := describeRule(id) // the rule table, or an input rule
	if !ok {
		panic(fmt.Sprintf("verify: rule %s is not in ruleTable", id))
	}
	f.RuleID, f.Severity = r.ID, r.Severity
	return f
}
