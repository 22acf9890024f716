package online

import (
	"context"
	"errors"
)

// Errors the lookups wrap, for errors.Is.
var (
	// ErrNotFound: AWS answered that the resource does not exist.
	ErrNotFound = errors.New("does not exist")
	// ErrAccessDenied: the credentials may not make the call. The resource
	// may or may not exist: a check cannot tell.
	ErrAccessDenied = errors.New("access denied")
)

// Clients are the AWS lookups, one interface per service. A nil member
// makes its checks "could not verify".
type Clients struct {
	IAM            IAM
	SecretsManager SecretsManager
	SSM            SSM
	Logs           Logs
	ELB            ELB
	ECR            ECR
}

// Region "" in the lookups below is the region of the configuration (the
// one the task runs in); resources named by ARN carry their own.

// IAM looks roles up (GetRole).
type IAM interface {
	// GetRole returns the role called name (a name, not an ARN).
	GetRole(ctx context.Context, name string) (Role, error)
}

// Role is what a check reads of an IAM role.
type Role struct {
	ARN string
	// TrustPolicy is AssumeRolePolicyDocument as IAM returns it: URL-encoded
	// JSON (TrustsService decodes it).
	TrustPolicy string
}

// SecretsManager looks secrets up (DescribeSecret): metadata, never a value.
type SecretsManager interface {
	// DescribeSecret returns the secret id names (an ARN, complete or
	// partial, or a name).
	DescribeSecret(ctx context.Context, region, id string) (Secret, error)
}

// Secret is a secret's metadata.
type Secret struct {
	ARN  string
	Name string
	// Deleted is true when the secret is scheduled for deletion: ECS cannot
	// read it any more.
	Deleted bool
	// Versions maps each version ID to its staging labels (AWSCURRENT, ...).
	Versions map[string][]string
}

// SSM looks parameters up (DescribeParameters): metadata, never a value.
type SSM interface {
	// FindParameter returns the first parameter called one of names; shared
	// lists the parameters other accounts share with this one instead.
	FindParameter(ctx context.Context, region string, names []string, shared bool) (Parameter, error)
}

// Parameter is a parameter's metadata.
type Parameter struct {
	Name string
	ARN  string
	Type string // String, StringList or SecureString
}

// Logs looks CloudWatch Logs groups up (DescribeLogGroups).
type Logs interface {
	// LogGroup returns nil when the group called name exists.
	LogGroup(ctx context.Context, region, name string) error
}

// ELB looks Elastic Load Balancing v2 target groups up (DescribeTargetGroups).
type ELB interface {
	DescribeTargetGroup(ctx context.Context, region, arn string) (TargetGroup, error)
}

// TargetGroup is what a check reads of a target group.
type TargetGroup struct {
	ARN           string
	Name          string
	Protocol      string // HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE; "" for a Lambda target group
	Port          int
	TargetType    string // instance, ip, lambda or alb
	LoadBalancers []string
	// HealthCheckPort is "traffic-port" (the port each target is
	// registered with) or a port number.
	HealthCheckPort string
}

// ECR looks images up (DescribeImages).
type ECR interface {
	DescribeImage(ctx context.Context, img ECRImage) (ImageDetail, error)
}

// ImageDetail is what a check reads of an ECR image.
type ImageDetail struct {
	Digest string
	// Status is ACTIVE, ARCHIVED or ACTIVATING ("" when not reported): only
	// an active image can be pulled.
	Status string
	// ScanStatus is the status of its image scan (COMPLETE, IN_PROGRESS,
	// FAILED, ...); "" when it was never scanned.
	ScanStatus string
	// FindingCounts counts the scan's findings by severity (CRITICAL,
	// HIGH, MEDIUM, LOW, INFORMATIONAL, UNDEFINED).
	FindingCounts map[string]int
}
