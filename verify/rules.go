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
	FamilyOnline     = "online" // verify --online: what the task definition names, asked of AWS
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
	// IC212 is retired: never reuse it.
	{"IC213", FamilyEntrypoint, Error, "Run user may not execute the entrypoint",
		"The process runs as the task's user (or else the image's USER, or else root) and the kernel's permission check refuses it: the entrypoint has no execute bit for that user's class (owner, group, other), or a directory on its path has no search bit. runc fails with \"permission denied\". Give the file and its directories the bits the user needs (for example 0755), change their owner, or run as another user."},
	{"IC214", FamilyEntrypoint, Error, "Run user may not execute an interpreter",
		"The #! interpreter of the entrypoint script, or the ELF interpreter (PT_INTERP, the dynamic loader) of a binary, is not executable by the user the process runs as, or a directory on its path is not searchable: execve fails with \"permission denied\". Give the interpreter and its directories the bits the user needs (0755 for the interpreter)."},
	{"IC215", FamilyEntrypoint, Error, "Run user may not read a file the start needs",
		"The kernel runs a #! script without reading it, but its interpreter must then open it; the dynamic loader must open every shared library. A file the user may not read is \"Permission denied\" (a library so refused is passed over and then reported as not found). Make the script or library readable (0644, 0755 for scripts) or run as a user who may read it."},
	{"IC216", FamilyEntrypoint, Error, "Shared library not found",
		"A shared library the program needs (DT_NEEDED) is in no directory the dynamic loader searches (DT_RPATH, LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.cache, the default directories; musl: LD_LIBRARY_PATH, RPATH/RUNPATH, its path file): the process exits 127 with \"error while loading shared libraries: X: cannot open shared object file: No such file or directory\" (musl: \"Error loading shared library X: No such file or directory\"). Install the library in the image, point RUNPATH or LD_LIBRARY_PATH at it, or build statically (CGO_ENABLED=0)."},
	{"IC217", FamilyEntrypoint, Error, "Shared library or interpreter for another architecture, or not loadable",
		"The dynamic loader found a file under the needed name but cannot use it: a library of another ELF class or machine is passed over (glibc says \"wrong ELF class\" when nothing else is found, otherwise \"cannot open shared object file\"), a file that is not a valid shared object is refused, and an ELF interpreter of another class or machine fails execve. Install the library built for the image's platform."},
	{"IC218", FamilyEntrypoint, Error, "Symbol version not found",
		"A library lacks a symbol version the program (or another library) was linked against, typically a binary built against a newer glibc (GLIBC_2.34), libstdc++ (GLIBCXX_3.4.30) or OpenSSL than the image has: glibc's loader stops with \"version `GLIBC_2.34' not found (required by ...)\" and the process exits 1. Build against the libraries of the image's distribution release (or an older one), or use a newer base image."},
	{"IC219", FamilyEntrypoint, Error, "File capabilities the container cannot have",
		"A file the container executes (entrypoint, script interpreter, health check program) has file capabilities (security.capability, as ko's linux_capabilities or setcap write them) with the effective bit, and asks for capabilities the container's bounding set lacks: the runtime's default set, minus linuxParameters.capabilities.drop, plus add. execve fails with \"operation not permitted\" and the container never starts. Keep the capabilities in the container, or build the binary without the effective bit (ko: linux_capabilities: net_bind_service, which is =p) and raise them in the program."},
	{"IC220", FamilyEntrypoint, Warning, "File capabilities the process will not get",
		"A file the container executes asks for capabilities without the effective bit, and the container's bounding set lacks some of them: a non-root process starts, but without those capabilities, and fails when it needs them (binding a port below 1024 without NET_BIND_SERVICE). Keep them in the container or leave them out of the file."},

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
	{"IC310", FamilyTask, Error, "User or group not in /etc/passwd or /etc/group",
		"The container user (the task's user, or else the image's USER) is a name the image's /etc/passwd does not define, a group /etc/group does not define, or an id out of range: the runtime cannot resolve it (\"unable to find user app: no matching entries in passwd file\") and the container fails to start. Numeric ids need no entry. Use a numeric UID:GID or add the entry."},
	{"IC311", FamilyTask, Warning, "runtimePlatform inside a container definition",
		"ECS ignores runtimePlatform inside a container definition; it belongs at the task level."},
	{"IC312", FamilyTask, Warning, "Read-only describe fields present",
		"The file is describe-task-definition output; register-task-definition rejects fields such as taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt, registeredBy. Use --pin-out to write register input."},
	{"IC313", FamilyTask, Info, "Image referenced by tag",
		"A tag can move after verification. Reference the image by digest (imgcheck verify --pin-out) so that what deploys is what was verified."},
	{"IC314", FamilyTask, Warning, "Image larger than the task's ephemeral storage",
		"The image's uncompressed size exceeds the task's ephemeral storage (20 GiB by default on Fargate); the pull can fail. Raise ephemeralStorage.sizeInGiB or shrink the image."},
	{"IC315", FamilyTask, Error, "Fargate task without networkMode awsvpc",
		"A task definition that lists FARGATE in requiresCompatibilities must use networkMode awsvpc (without networkMode ECS uses bridge); registration fails with \"Fargate only supports network mode 'awsvpc'.\" Set \"networkMode\": \"awsvpc\"."},
	{"IC316", FamilyTask, Error, "Fargate task without task-level cpu or memory",
		"A task definition that lists FARGATE in requiresCompatibilities needs cpu and memory at the task level, not only on containers; registration fails with \"Fargate requires that 'cpu' be defined at the task level.\" (or 'memory'). Set a valid Fargate pair, for example cpu 256 with memory 512."},
	{"IC317", FamilyTask, Error, "Task placementConstraints on Fargate",
		"Fargate places tasks itself: placementConstraints are not valid in a task definition that lists FARGATE in requiresCompatibilities. Remove them, or drop FARGATE if the task runs on EC2 only."},
	{"IC318", FamilyTask, Error, "Log driver Fargate does not support",
		"\"For tasks on AWS Fargate, the supported log drivers are awslogs, splunk, and awsfirelens.\" A task that lists FARGATE with another driver (json-file, syslog, journald, gelf, fluentd) is refused. Use awslogs, splunk, or awsfirelens (FireLens forwards to the others)."},
	{"IC319", FamilyTask, Error, "awslogs without awslogs-group or awslogs-region",
		"The awslogs log driver needs the awslogs-group option, and awslogs-region where there is no EC2 instance metadata to read the region from (Fargate, EXTERNAL); without them the container fails to start (Docker: \"must specify a value for log opt 'awslogs-group'\"). Add the missing options."},
	{"IC320", FamilyTask, Error, "Run user may not run the health check program",
		"ECS runs the health check as the container's user. The CMD program (or /bin/sh of CMD-SHELL), its ELF interpreter or a library it loads is not executable or readable by that user, or a directory on the way is not searchable: \"permission denied\", the check never passes and ECS replaces the task. Give the files the bits the user needs."},
	{"IC321", FamilyTask, Error, "Health check program cannot be loaded",
		"The CMD health check program (or /bin/sh of CMD-SHELL) is dynamically linked and its ELF interpreter is missing or of another architecture, a shared library it needs is not found, or a symbol version is missing; the loader's own message is quoted. The check never passes and ECS replaces the task. Install what is missing or use a static program."},
	{"IC322", FamilyTask, Error, "Fargate container adds a capability other than SYS_PTRACE",
		"\"Tasks launched on Fargate only support adding the SYS_PTRACE kernel capability\" (ECS API reference, KernelCapabilities), and ECS validates a task definition against the compatibilities it requires: registering it for FARGATE fails with a ClientException. Remove the capability from linuxParameters.capabilities.add, or run the task on EC2."},

	// Service.
	{"IC401", FamilyService, Error, "Invalid capacity provider strategy",
		"The service's capacity provider strategy breaks an ECS rule (see imgcheck plan)."},
	{"IC402", FamilyService, Error, "FARGATE_SPOT with a Windows task",
		"FARGATE_SPOT does not run Windows tasks."},
	{"IC403", FamilyService, Error, "FARGATE_SPOT ARM64 below platform 1.4.0",
		"ARM64 tasks on FARGATE_SPOT need platform version 1.4.0 or LATEST."},
	{"IC404", FamilyService, Error, "Load balancer target not in the task definition",
		"The service's loadBalancers name a containerName/containerPort the task definition does not have; service creation fails."},
	{"IC405", FamilyService, Error, "Task definition does not support the service's launch type",
		"The service places tasks with a launch type (launchType, a capacity provider, or the cluster's default strategy) the task definition is not compatible with: its describe compatibilities lack it, or it lacks FARGATE in requiresCompatibilities and breaks a Fargate requirement (networkMode, task cpu/memory, placementConstraints, log driver). ECS refuses the service with \"Task definition does not support launch_type FARGATE.\" (EC2, EXTERNAL likewise). Add the launch type to requiresCompatibilities and meet its requirements, or launch with a supported type."},
	{"IC406", FamilyService, Warning, "Service launch type not in requiresCompatibilities",
		"The service launches with a type requiresCompatibilities does not list, so registration did not validate the task for it; ECS accepts the service only if it found the task compatible by itself (describe-task-definition shows that as compatibilities), else \"Task definition does not support launch_type ...\". List the launch type in requiresCompatibilities."},
	{"IC407", FamilyService, Error, "awsvpc task without the service's networkConfiguration",
		"An awsvpc task gets its own network interface, in subnets the service must name; without networkConfiguration ECS refuses the service with \"Network Configuration must be provided when networkMode 'awsvpc' is specified.\" Add networkConfiguration.awsvpcConfiguration with subnets and security groups."},
	{"IC408", FamilyService, Error, "Service placementConstraints on Fargate",
		"Fargate places tasks itself; a service with placementConstraints that launches on Fargate is refused with \"Placement constraints are not supported with FARGATE launch type.\" Remove the service's placementConstraints."},
	{"IC409", FamilyService, Error, "DAEMON scheduling with Fargate, a capacity provider strategy, or the CODE_DEPLOY or EXTERNAL deployment controller",
		"The DAEMON scheduler runs one task on each container instance with the ECS deployment controller: \"Tasks using the Fargate launch type or the CODE_DEPLOY or EXTERNAL deployment controller types don't support the daemon scheduling strategy.\" A capacity provider strategy, including the cluster's default one, is refused too (\"Specifying a capacity provider strategy is not supported when you create a service using the DAEMON scheduling strategy.\"). Use launch type EC2 (or EXTERNAL) and the ECS controller, or the REPLICA strategy."},
	{"IC410", FamilyService, Error, "Dynamic host port behind a fixed health check port",
		"In bridge mode a port mapping without hostPort (or hostPort 0) gets a dynamic host port, which is the port the target is registered with; a target group whose HealthCheckPort is a fixed number probes another port, the target never becomes healthy (\"Health checks failed\") and ECS keeps replacing the task. Checked when the target group is in the same template. Remove HealthCheckPort (traffic-port is the default) or set a fixed hostPort."},
	{"IC411", FamilyService, Error, "Target group target type does not match the network mode",
		"ECS registers awsvpc tasks by IP address and bridge or host tasks by instance, and refuses a service whose target group has the other target type (\"The provided target group ... has target type instance, which is incompatible with the awsvpc network mode specified in the task definition.\"); CloudFormation's default is instance. Checked when the target group is in the same template. Set TargetType ip for awsvpc, instance otherwise."},

	// Online (verify --online): what the task definition names, asked of AWS.
	{"IC501", FamilyOnline, Error, "IAM role not found",
		"executionRoleArn or taskRoleArn names a role that does not exist in the account (iam:GetRole): ECS cannot start the task. Create the role or fix the ARN."},
	{"IC502", FamilyOnline, Error, "IAM role does not trust ecs-tasks.amazonaws.com",
		"The role's trust policy has no Allow of sts:AssumeRole for the service principal ecs-tasks.amazonaws.com (or a Deny of it), so ECS cannot assume it: \"ECS was unable to assume the role\". Add the statement {\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"ecs-tasks.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}."},
	{"IC503", FamilyOnline, Error, "Secrets Manager secret not found",
		"A secrets valueFrom (or repositoryCredentials) names a Secrets Manager secret that does not exist, is scheduled for deletion, or lacks the version stage or version ID the reference names (secretsmanager:DescribeSecret; the value is never read, so a JSON key is not checked). The task fails with ResourceInitializationError. Create the secret in the task's account and region, or fix the ARN."},
	{"IC504", FamilyOnline, Error, "SSM parameter not found",
		"A secrets valueFrom names an SSM Parameter Store parameter that does not exist (ssm:DescribeParameters; the value is never read). A name without an ARN is looked up in the task's region. The task fails with ResourceInitializationError. Create the parameter, or name it by ARN in its region."},
	{"IC505", FamilyOnline, Error, "awslogs log group not found",
		"The awslogs driver writes to a log group that does not exist (logs:DescribeLogGroups in awslogs-region) and awslogs-create-group is not \"true\": the container fails to start. Create the group, or set awslogs-create-group to \"true\" and give the execution role logs:CreateLogGroup."},
	{"IC506", FamilyOnline, Error, "Target group not found",
		"A service loadBalancers entry names a target group that does not exist (elasticloadbalancing:DescribeTargetGroups): creating or updating the service fails. Create it or fix targetGroupArn."},
	{"IC507", FamilyOnline, Error, "Target group not attached to a load balancer",
		"ECS refuses a target group that no load balancer listener forwards to. Add a listener or listener rule for it."},
	{"IC508", FamilyOnline, Error, "Target group does not fit the task",
		"The target group's target type or protocol cannot take the container: awsvpc tasks need target type ip and bridge or host tasks instance; a UDP target group needs a udp port mapping and TCP, TLS, HTTP and HTTPS a tcp one. Use a matching target group. (The target group's own port does not matter: ECS registers each task with its port.) IC411 judges the target type of a target group of the same template, offline."},
	{"IC509", FamilyOnline, Warning, "Target group health check port not mapped by the task",
		"With awsvpc the health check goes to the task's IP; a fixed health check port that no container maps never answers, so every task is marked unhealthy and replaced. Use traffic-port or a mapped port. (IC410 covers bridge tasks with dynamic host ports.)"},
	{"IC510", FamilyOnline, Error, "ECR image not found",
		"The image is not in its ECR repository (ecr:DescribeImages), or is archived: the pull fails with CannotPullContainerError. Push the image, restore it, or fix the reference."},
	{"IC511", FamilyOnline, Warning, "ECR scan found critical or high vulnerabilities",
		"With --online-scan: the image's ECR scan findings summary counts critical or high severity findings. Rebuild on patched bases and dependencies; aws ecr describe-image-scan-findings lists them."},
	{"IC512", FamilyOnline, Info, "ECR image has no completed scan",
		"With --online-scan: the image has no completed ECR scan, so nothing is known of its vulnerabilities. Turn on scan on push, or start a scan."},
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
	r, ok := LookupRule(id)
	if !ok {
		panic(fmt.Sprintf("verify: rule %s is not in ruleTable", id))
	}
	f.RuleID, f.Severity = r.ID, r.Severity
	return f
}
