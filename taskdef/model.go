package taskdef

// Shape is the form a definition was read from.
type Shape string

const (
	ShapeRegister         Shape = "register"          // RegisterTaskDefinition input (--cli-input-json)
	ShapeDescribe         Shape = "describe"          // DescribeTaskDefinition output, wrapped or bare
	ShapeCloudFormation   Shape = "cloudformation"    // a CloudFormation template, JSON or YAML
	ShapeLive             Shape = "live"              // read from the ECS API
	ShapeCreateService    Shape = "create-service"    // CreateService input (also ecspresso service definitions)
	ShapeDescribeServices Shape = "describe-services" // DescribeServices output
	ShapeEcspresso        Shape = "ecspresso"         // an ecspresso configuration (ecspresso.yml): names a task and a service definition
)

// Source says where a definition came from, so that findings can point at
// it and a pinned copy can be written back in the same shape.
type Source struct {
	File     string `json:"file"`
	Shape    Shape  `json:"shape"`
	Format   string `json:"format"`             // "json" or "yaml"
	Resource string `json:"resource,omitempty"` // CloudFormation logical id
}

// TaskDefinition is a normalized ECS task definition.
type TaskDefinition struct {
	Source                  Source                `json:"source"`
	Family                  String                `json:"family"`
	RequiresCompatibilities []String              `json:"requiresCompatibilities"`
	NetworkMode             String                `json:"networkMode"`
	CPU                     Int                   `json:"cpu"`    // CPU units ("1 vCPU" is 1024); Raw keeps the input
	Memory                  Int                   `json:"memory"` // MiB ("2 GB" is 2048); Raw keeps the input
	RuntimePlatform         RuntimePlatform       `json:"runtimePlatform"`
	ExecutionRoleArn        String                `json:"executionRoleArn"`
	TaskRoleArn             String                `json:"taskRoleArn"`
	EphemeralStorageGiB     Int                   `json:"ephemeralStorageGiB"` // not Set: the Fargate default of 20 GiB
	PidMode                 String                `json:"pidMode"`
	IpcMode                 String                `json:"ipcMode"`
	ProxyContainerName      String                `json:"proxyContainerName"` // proxyConfiguration.containerName
	PlacementConstraints    []PlacementConstraint `json:"placementConstraints,omitempty"`
	// Compatibilities is the describe-only list of launch types ECS found
	// the task definition valid for at registration; empty in other shapes.
	Compatibilities []String     `json:"compatibilities,omitempty"`
	Containers      []Container  `json:"containers"`
	ReadOnlyFields  []Field      `json:"readOnlyFields,omitempty"` // describe-only fields that register rejects
	Warnings        []Diagnostic `json:"warnings,omitempty"`
	Pos             Pos          `json:"pos"` // the task definition object
	// Service is the service definition that deploys this task definition
	// when the input pairs them (a directory holding both, or an ecspresso
	// configuration; see Open); nil otherwise.
	Service *Service `json:"-"`

	doc *document // the parsed source, kept for RewriteImages
}

// RuntimePlatform is the task's runtimePlatform. Set is false when the key
// is absent (ECS then assumes LINUX and X86_64 on Fargate).
type RuntimePlatform struct {
	CPUArchitecture       String `json:"cpuArchitecture"`
	OperatingSystemFamily String `json:"operatingSystemFamily"`
	Pos                   Pos    `json:"pos"`
	Set                   bool   `json:"set"`
}

// Container is one container definition.
type Container struct {
	Name                   String            `json:"name"`
	Image                  String            `json:"image"`
	EntryPoint             Strings           `json:"entryPoint"`
	Command                Strings           `json:"command"`
	WorkingDirectory       String            `json:"workingDirectory"`
	User                   String            `json:"user"`
	Environment            []KeyValue        `json:"environment,omitempty"`
	Secrets                []Secret          `json:"secrets,omitempty"`
	HealthCheck            *HealthCheck      `json:"healthCheck,omitempty"`
	PortMappings           []PortMapping     `json:"portMappings,omitempty"`
	Essential              Bool              `json:"essential"` // default true
	LogConfiguration       *LogConfiguration `json:"logConfiguration,omitempty"`
	ReadonlyRootFilesystem Bool              `json:"readonlyRootFilesystem"`
	RepositoryCredentials  String            `json:"repositoryCredentials"` // credentialsParameter
	CPU                    Int               `json:"cpu"`
	Memory                 Int               `json:"memory"`
	MemoryReservation      Int               `json:"memoryReservation"`
	DependsOn              []Dependency      `json:"dependsOn,omitempty"`
	// Privileged gives the container every capability (EC2 only).
	Privileged Bool `json:"privileged"`
	// Capabilities is linuxParameters.capabilities; nil when neither is set.
	Capabilities *KernelCapabilities `json:"capabilities,omitempty"`
	// RuntimePlatformMisplaced is where a runtimePlatform key sits inside this
	// container definition (ECS ignores it there); zero when absent.
	RuntimePlatformMisplaced Pos `json:"runtimePlatformMisplaced"`
	Pos                      Pos `json:"pos"`
}

// KernelCapabilities is linuxParameters.capabilities: names added to and
// dropped from the runtime's default capabilities, each with its position.
// Unresolved is set when linuxParameters or capabilities is itself an
// expression, so that no list can be read.
type KernelCapabilities struct {
	Add        []String `json:"add,omitempty"`
	Drop       []String `json:"drop,omitempty"`
	Pos        Pos      `json:"pos"`
	Unresolved string   `json:"unresolved,omitempty"`
}

// KeyValue is an environment variable.
type KeyValue struct {
	Name  String `json:"name"`
	Value String `json:"value"`
}

// Secret is a secret injected as an environment variable.
type Secret struct {
	Name      String `json:"name"`
	ValueFrom String `json:"valueFrom"`
}

// HealthCheck is a container health check. Durations are seconds.
type HealthCheck struct {
	Command     Strings `json:"command"`
	Interval    Int     `json:"interval"`
	Timeout     Int     `json:"timeout"`
	Retries     Int     `json:"retries"`
	StartPeriod Int     `json:"startPeriod"`
	Pos         Pos     `json:"pos"`
}

// PortMapping is one port mapping.
type PortMapping struct {
	ContainerPort Int    `json:"containerPort"`
	HostPort      Int    `json:"hostPort"`
	Protocol      String `json:"protocol"`
	Name          String `json:"name"`
	AppProtocol   String `json:"appProtocol"`
	Pos           Pos    `json:"pos"`
}

// LogConfiguration is a container's log driver and options.
type LogConfiguration struct {
	LogDriver String            `json:"logDriver"`
	Options   map[string]String `json:"options,omitempty"`
	// OptionsUnknown is set when options is an expression that cannot be
	// known statically: which keys it holds is then unknown.
	OptionsUnknown String `json:"optionsUnknown"`
	Pos            Pos    `json:"pos"`
}

// Dependency is a dependsOn entry.
type Dependency struct {
	ContainerName String `json:"containerName"`
	Condition     String `json:"condition"`
}

// Service is a normalized ECS service definition.
type Service struct {
	Source                   Source                `json:"source"`
	Name                     String                `json:"serviceName"`
	Cluster                  String                `json:"cluster"`
	LaunchType               String                `json:"launchType"`
	CapacityProviderStrategy []StrategyItem        `json:"capacityProviderStrategy,omitempty"`
	PlatformVersion          String                `json:"platformVersion"`
	DesiredCount             Int                   `json:"desiredCount"`
	LoadBalancers            []LoadBalancer        `json:"loadBalancers,omitempty"`
	NetworkConfiguration     *NetworkConfiguration `json:"networkConfiguration,omitempty"`
	PlacementConstraints     []PlacementConstraint `json:"placementConstraints,omitempty"`
	SchedulingStrategy       String                `json:"schedulingStrategy"`   // REPLICA (default) or DAEMON
	DeploymentController     String                `json:"deploymentController"` // deploymentController.type: ECS (default), CODE_DEPLOY or EXTERNAL
	// ClusterResource is the logical id of the AWS::ECS::Cluster in the same
	// template that Cluster refers to, if any, and ClusterDefault that
	// cluster's default capacity provider strategy as the template sets it.
	ClusterResource string          `json:"clusterResource,omitempty"`
	ClusterDefault  *ClusterDefault `json:"clusterDefault,omitempty"`
	// TaskDefinition is the taskDefinition reference: a family, family:revision
	// or ARN, or (CloudFormation) an unresolved Ref.
	TaskDefinition String `json:"taskDefinition"`
	// TaskDefinitionResource is the logical id of the AWS::ECS::TaskDefinition
	// in the same template that TaskDefinition refers to, if any, and Task is
	// that task definition, loaded (or the one Open paired with the service).
	TaskDefinitionResource string          `json:"taskDefinitionResource,omitempty"`
	Task                   *TaskDefinition `json:"-"`
	Warnings               []Diagnostic    `json:"warnings,omitempty"`
	Pos                    Pos             `json:"pos"` // the service object (CloudFormation: its Properties)
}

// StrategyItem is one capacity provider in a strategy.
type StrategyItem struct {
	Provider String `json:"capacityProvider"`
	Base     Int    `json:"base"`
	Weight   Int    `json:"weight"`
	Pos      Pos    `json:"pos"`
}

// LoadBalancer is one loadBalancers entry.
type LoadBalancer struct {
	TargetGroupArn   String `json:"targetGroupArn"`
	LoadBalancerName String `json:"loadBalancerName"`
	ContainerName    String `json:"containerName"`
	ContainerPort    Int    `json:"containerPort"`
	Pos              Pos    `json:"pos"`
	// TargetGroupResource is the logical id of the target group in the same
	// template that TargetGroupArn refers to, if any, and TargetGroup its
	// properties; TargetGroup is nil when the target group is not known.
	TargetGroupResource string       `json:"targetGroupResource,omitempty"`
	TargetGroup         *TargetGroup `json:"targetGroup,omitempty"`
}

// NetworkConfiguration is the awsvpc configuration of a service.
type NetworkConfiguration struct {
	Subnets        []String `json:"subnets,omitempty"`
	SecurityGroups []String `json:"securityGroups,omitempty"`
	AssignPublicIP String   `json:"assignPublicIp"`
	Pos            Pos      `json:"pos"`
	// Unresolved is why the configuration is an expression that cannot be
	// known statically ("" when it is known): present, contents unknown.
	Unresolved string `json:"unresolved,omitempty"`
}
