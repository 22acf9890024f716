// Package awsonline implements the online lookups (online.Clients) with
// aws-sdk-go-v2. The commands inject it into verify; the library packages
// never link the SDK.
//
// It uses the default configuration chain (environment, shared config and
// profiles, SSO, IMDS). Each service honours its AWS_ENDPOINT_URL_<SERVICE>
// variable (AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_SECRETS_MANAGER,
// AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS,
// AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2, AWS_ENDPOINT_URL_ECR), which
// is how the tests point it at local endpoints. Only metadata is read:
// DescribeSecret and DescribeParameters, never GetSecretValue or
// GetParameter.
package awsonline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"

	"github.com/imgcheck/imgcheck/online"
)

// Options configure New.
type Options struct {
	// ConfigOptions are extra options for config.LoadDefaultConfig.
	ConfigOptions []func(*config.LoadOptions) error
}

// New loads the AWS configuration and returns the lookups. It fails when
// no region is configured or no credentials can be had, so that a run
// without them stops at once with one message instead of one per lookup.
func New(ctx context.Context, opts Options) (online.Clients, error) {
	cfg, err := config.LoadDefaultConfig(ctx, opts.ConfigOptions...)
	if err != nil {
		return online.Clients{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return online.Clients{}, errors.New("no AWS region is configured (set AWS_REGION, or a region in the profile)")
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return online.Clients{}, fmt.Errorf("no AWS credentials: %w", err)
	}
	a := &account{cfg: cfg, clients: map[string]any{}}
	return online.Clients{
		IAM:            iamLookup{a},
		SecretsManager: secretsLookup{a},
		SSM:            ssmLookup{a},
		Logs:           logsLookup{a},
		ELB:            elbLookup{a},
		ECR:            ecrLookup{a},
	}, nil
}

// account holds the configuration and one client per service and region.
type account struct {
	cfg     aws.Config
	mu      sync.Mutex
	clients map[string]any
}

// client returns the client of a service for region ("" the configured
// one), creating it once.
func client[C, O any](a *account, service, region string, newClient func(aws.Config, ...func(*O)) *C) *C {
	if region == "" {
		region = a.cfg.Region
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	key := service + "/" + region
	if c, ok := a.clients[key]; ok {
		return c.(*C)
	}
	cfg := a.cfg.Copy()
	cfg.Region = region
	c := newClient(cfg)
	a.clients[key] = c
	return c
}

// notFound turns the errors with which a service says "does not exist"
// into online.ErrNotFound, and access denied into online.ErrAccessDenied;
// every other error is returned as it is. Only ErrNotFound can become a
// finding: the others make the check "could not verify".
func notFound(err error, codes ...string) error {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	if slices.Contains(codes, apiErr.ErrorCode()) {
		return fmt.Errorf("%w (%s: %s)", online.ErrNotFound, apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
	if slices.Contains(accessDeniedCodes, apiErr.ErrorCode()) {
		return fmt.Errorf("%w: %w", online.ErrAccessDenied, err)
	}
	return err
}

// accessDeniedCodes are the error codes AWS services answer a call the
// credentials may not make with.
var accessDeniedCodes = []string{"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}

// maxPages bounds the pages a lookup follows; beyond it the lookup cannot
// tell, rather than answer "does not exist".
const maxPages = 50
