package online

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/imgcheck/imgcheck/registry"
)

// ARN is an Amazon Resource Name split into its fields:
// arn:partition:service:region:account:resource.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits s; ok is false when s is not an ARN.
func ParseARN(s string) (ARN, bool) {
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[1] == "" || f[2] == "" {
		return ARN{}, false
	}
	return ARN{Partition: f[1], Service: f[2], Region: f[3], Account: f[4], Resource: f[5]}, true
}

// RoleName returns the name GetRole takes for a task definition's
// executionRoleArn or taskRoleArn: an ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME)
// or a bare role name.
func RoleName(ref string) (string, error) {
	if a, ok := ParseARN(ref); ok {
		rest, isRole := strings.CutPrefix(a.Resource, "role/")
		if a.Service != "iam" || !isRole || rest == "" {
			return "", fmt.Errorf("%q is not an IAM role ARN", ref)
		}
		return rest[strings.LastIndex(rest, "/")+1:], nil
	}
	if ref == "" || strings.ContainsAny(ref, "/: ") {
		return "", fmt.Errorf("%q is neither an IAM role ARN nor a role name", ref)
	}
	return ref, nil
}

// Kinds of SecretRef.
const (
	KindSecret    = "secretsmanager" // a Secrets Manager secret
	KindParameter = "ssm"            // an SSM Parameter Store parameter
)

// SecretRef is where ECS reads a secret's value from: a container's
// secrets valueFrom, or repositoryCredentials.credentialsParameter.
type SecretRef struct {
	Kind    string // KindSecret or KindParameter
	Region  string // "" for the task's region
	Account string // "" when not named
	// ID is the secret's ARN (complete or partial) or name, without the
	// JSON key and version fields ECS accepts after it.
	ID string
	// Names are the parameter names an SSM reference can mean: an ARN
	// parameter/db is the parameter db or /db.
	Names []string
	// The fields ECS accepts after a Secrets Manager ARN:
	// ARN:json-key:version-stage:version-id, each optional.
	JSONKey, VersionStage, VersionID string
}

// secretsManagerRefPrefix is the SSM path that reads a Secrets Manager
// secret through Parameter Store.
const secretsManagerRefPrefix = "/aws/reference/secretsmanager/"

// ParseValueFrom reads a secret reference as ECS does: a Secrets Manager
// secret ARN (with optional :json-key:version-stage:version-id), an SSM
// parameter ARN, or else an SSM parameter name in the task's region.
func ParseValueFrom(s string) (SecretRef, error) {
	if s == "" {
		return SecretRef{}, fmt.Errorf("empty secret reference")
	}
	a, isARN := ParseARN(s)
	switch {
	case !isARN:
		if name, ok := strings.CutPrefix(s, secretsManagerRefPrefix); ok && name != "" {
			return SecretRef{Kind: KindSecret, ID: name}, nil
		}
		return SecretRef{Kind: KindParameter, Names: []string{s}}, nil
	case a.Service == "secretsmanager":
		// secret:NAME[:json-key[:version-stage[:version-id]]]; a secret
		// name has no colon.
		f := strings.Split(a.Resource, ":")
		if len(f) < 2 || len(f) > 5 || f[0] != "secret" || f[1] == "" {
			return SecretRef{}, fmt.Errorf("%q is not a Secrets Manager secret ARN (arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME[:json-key:version-stage:version-id])", s)
		}
		f = append(f, "", "", "")
		id := strings.Join([]string{"arn", a.Partition, a.Service, a.Region, a.Account, "secret", f[1]}, ":")
		return SecretRef{Kind: KindSecret, Region: a.Region, Account: a.Account, ID: id,
			JSONKey: f[2], VersionStage: f[3], VersionID: f[4]}, nil
	case a.Service == "ssm":
		name, ok := strings.CutPrefix(a.Resource, "parameter")
		if !ok || !strings.HasPrefix(name, "/") || name == "/" {
			return SecretRef{}, fmt.Errorf("%q is not an SSM parameter ARN (arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME)", s)
		}
		ref := SecretRef{Kind: KindParameter, Region: a.Region, Account: a.Account}
		if sm, ok := strings.CutPrefix(name, secretsManagerRefPrefix); ok && sm != "" {
			ref.Kind, ref.ID = KindSecret, sm
			return ref, nil
		}
		// A hierarchical name keeps its leading slash in the ARN's
		// "parameter/" separator; a single-level one may or may not have had one.
		if strings.Contains(name[1:], "/") {
			ref.Names = []string{name}
		} else {
			ref.Names = []string{name[1:], name}
		}
		return ref, nil
	}
	return SecretRef{}, fmt.Errorf("%q is an ARN of %s; ECS reads secrets from Secrets Manager or SSM Parameter Store", s, a.Service)
}

// TargetGroupRegion is the region of a target group ARN.
func TargetGroupRegion(arn string) (string, error) {
	a, ok := ParseARN(arn)
	if !ok || a.Service != "elasticloadbalancing" || !strings.HasPrefix(a.Resource, "targetgroup/") {
		return "", fmt.Errorf("%q is not a target group ARN (arn:PARTITION:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID)", arn)
	}
	return a.Region, nil
}

// ECRImage is an image in an ECR private repository.
type ECRImage struct {
	Region     string
	RegistryID string // the account
	Repository string
	Tag        string // "" when Digest is set
	Digest     string
}

func (i ECRImage) String() string {
	s := i.RegistryID + ":" + i.Repository
	if i.Digest != "" {
		return s + "@" + i.Digest
	}
	return s + ":" + i.Tag
}

// ParseECRImage reads a registry image reference; ok is false when it is
// not in an ECR private registry (or not a registry reference at all).
func ParseECRImage(ref string) (ECRImage, bool) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return ECRImage{}, false
	}
	host, ok := registry.ParseECRHost(r.Context().RegistryStr())
	if !ok {
		return ECRImage{}, false
	}
	img := ECRImage{Region: host.Region, RegistryID: host.Account, Repository: r.Context().RepositoryStr()}
	switch r := r.(type) {
	case name.Digest:
		img.Digest = r.DigestStr()
	case name.Tag:
		img.Tag = r.TagStr()
	}
	return img, true
}
