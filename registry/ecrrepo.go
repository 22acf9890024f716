package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go/logging"
	"github.com/google/go-containerregistry/pkg/name"
)

// ECRRepoCreator creates missing ECR repositories before a push, so that
// a first push does not fail with NAME_UNKNOWN as it does with ko. New
// repositories scan images on push; tag mutability is left at ECR's
// default, for the user to decide.
type ECRRepoCreator struct {
	// ConfigOptions are extra options for config.LoadDefaultConfig.
	ConfigOptions []func(*awsconfig.LoadOptions) error
	Logger        *slog.Logger
}

// EnsureRepository implements build.RepoCreator. Repositories of other
// registries are left alone: they are created by the first push.
func (c ECRRepoCreator) EnsureRepository(ctx context.Context, repo name.Repository) error {
	host, ok := ParseECRHost(repo.RegistryStr())
	if !ok {
		return nil
	}
	logger := c.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	opts := append([]func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(host.Region), awsconfig.WithLogger(logging.Nop{})}, c.ConfigOptions...)
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return fmt.Errorf("loading AWS config for %s: %w", repo, err)
	}
	client := ecr.NewFromConfig(cfg)
	_, err = client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{
		RegistryId:      aws.String(host.Account),
		RepositoryNames: []string{repo.RepositoryStr()},
	})
	var notFound *ecrtypes.RepositoryNotFoundException
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &notFound):
		return fmt.Errorf("ecr:DescribeRepositories %s: %w", repo, err)
	}
	_, err = client.CreateRepository(ctx, &ecr.CreateRepositoryInput{
		RepositoryName:             aws.String(repo.RepositoryStr()),
		RegistryId:                 aws.String(host.Account),
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true},
	})
	var exists *ecrtypes.RepositoryAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("ecr:CreateRepository %s: %w (the push needs the repository; create it, or allow ecr:CreateRepository)", repo, err)
	}
	logger.Info("created ECR repository", "repository", repo.String())
	return nil
}
