// Package ecrrepo creates missing Amazon ECR repositories before a push, so
// that a first push does not fail with NAME_UNKNOWN (ko users must create
// them by hand).
package ecrrepo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go/logging"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/imgcheck/imgcheck/registry"
)

// ErrNotECR: repositories are created on Amazon ECR private registries
// only; other registries create them on push or not at all.
var ErrNotECR = errors.New("creating repositories works with Amazon ECR private registries only")

// API is the part of the ECR client Creator calls.
type API interface {
	DescribeRepositories(ctx context.Context, in *ecr.DescribeRepositoriesInput, opts ...func(*ecr.Options)) (*ecr.DescribeRepositoriesOutput, error)
	CreateRepository(ctx context.Context, in *ecr.CreateRepositoryInput, opts ...func(*ecr.Options)) (*ecr.CreateRepositoryOutput, error)
}

// Creator implements build.RepoCreator for ECR private registries.
type Creator struct {
	// NewClient returns a client for a region; nil uses the AWS SDK's
	// default config chain (AWS_ENDPOINT_URL_ECR is honoured).
	NewClient func(ctx context.Context, region string) (API, error)
}

// EnsureRepository creates repo when it does not exist, with image
// scanning on push enabled. Tag mutability is left at ECR's default for
// the user to choose. Registries other than ECR are refused (ErrNotECR):
// they create repositories on push or not at all.
func (c Creator) EnsureRepository(ctx context.Context, repo name.Repository) error {
	host, ok := registry.ParseECRHost(repo.RegistryStr())
	if !ok {
		return fmt.Errorf("%w; %s is not one", ErrNotECR, repo.RegistryStr())
	}
	newClient := c.NewClient
	if newClient == nil {
		newClient = sdkClient
	}
	client, err := newClient(ctx, host.Region)
	if err != nil {
		return err
	}
	repoName := repo.RepositoryStr()
	_, err = client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{
		RegistryId: aws.String(host.Account), RepositoryNames: []string{repoName},
	})
	var notFound *ecrtypes.RepositoryNotFoundException
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &notFound):
		return fmt.Errorf("ecr:DescribeRepositories %s in %s: %w", repoName, host.Region, err)
	}
	_, err = client.CreateRepository(ctx, &ecr.CreateRepositoryInput{
		RepositoryName:             aws.String(repoName),
		RegistryId:                 aws.String(host.Account),
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true},
	})
	var exists *ecrtypes.RepositoryAlreadyExistsException
	if err != nil && !errors.As(err, &exists) { // exists: another build won the race
		return fmt.Errorf("ecr:CreateRepository %s in %s: %w", repoName, host.Region, err)
	}
	return nil
}

func sdkClient(ctx context.Context, region string) (API, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region), awsconfig.WithLogger(logging.Nop{}))
	if err != nil {
		return nil, fmt.Errorf("loading AWS config: %w", err)
	}
	return ecr.NewFromConfig(cfg), nil
}
