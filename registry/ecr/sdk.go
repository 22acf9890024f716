package ecr

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go/logging"
)

// SDKTokenSource gets tokens with ecr:GetAuthorizationToken through the AWS
// SDK's default config chain. AWS_ENDPOINT_URL_ECR is honoured by the SDK.
type SDKTokenSource struct {
	// ConfigOptions are extra options for config.LoadDefaultConfig.
	ConfigOptions []func(*awsconfig.LoadOptions) error
}

// Token implements TokenSource.
func (s SDKTokenSource) Token(ctx context.Context, region string) (Token, error) {
	// The SDK would otherwise print its own warnings (IMDS fallbacks) on
	// stderr; the error it returns says what failed.
	opts := append([]func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(region), awsconfig.WithLogger(logging.Nop{})}, s.ConfigOptions...)
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return Token{}, fmt.Errorf("loading AWS config: %w", err)
	}
	out, err := awsecr.NewFromConfig(cfg).GetAuthorizationToken(ctx, &awsecr.GetAuthorizationTokenInput{})
	if err != nil {
		return Token{}, fmt.Errorf("ecr:GetAuthorizationToken in %s: %w", region, err)
	}
	if len(out.AuthorizationData) == 0 {
		return Token{}, errors.New("ecr:GetAuthorizationToken returned no authorization data")
	}
	data := out.AuthorizationData[0]
	tok, err := decodeToken(aws.ToString(data.AuthorizationToken))
	if err != nil {
		return Token{}, err
	}
	if data.ExpiresAt != nil {
		tok.ExpiresAt = *data.ExpiresAt
	} else {
		// ECR documents 12 hours; assume less so that it is refreshed early.
		tok.ExpiresAt = time.Now().Add(time.Hour)
	}
	return tok, nil
}
