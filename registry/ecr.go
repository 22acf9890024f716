package registry

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go/logging"
	"github.com/google/go-containerregistry/pkg/authn"
)

// ecrRefreshMargin is how long before expiresAt a cached token is replaced,
// so that a token never expires in the middle of a long push.
const ecrRefreshMargin = 15 * time.Minute

// ECRTokenSource returns an ECR authorization token for a region. The
// default calls GetAuthorizationToken through aws-sdk-go-v2.
type ECRTokenSource interface {
	Token(ctx context.Context, region string) (ECRToken, error)
}

// ECRToken is a decoded ECR authorization token. Password is a secret: it is
// never logged or printed (String redacts it).
type ECRToken struct {
	Username  string
	Password  string
	ExpiresAt time.Time
}

// String redacts the password so that a token logged by mistake leaks nothing.
func (t ECRToken) String() string {
	return fmt.Sprintf("ECRToken{user=%s, password=<redacted>, expires=%s}", t.Username, t.ExpiresAt.Format(time.RFC3339))
}

// ECRKeychain resolves credentials for ECR private registries natively with
// the AWS default config chain (env, shared config and profiles, SSO, IMDS).
// For hosts that are not ECR it answers Anonymous, so that a multi-keychain
// falls through to the docker config. For ECR hosts it never answers
// Anonymous: an AWS error is returned as is, because silently going on
// without credentials turns an expired SSO session into a confusing 401.
type ECRKeychain struct {
	tokens ECRTokenSource
	// fallback is consulted only when the AWS call fails: explicit
	// credentials a user stored for the host (docker login) are still used.
	fallback authn.Keychain
	logger   *slog.Logger
	now      func() time.Time

	mu    sync.Mutex
	cache map[string]ECRToken // by region: one token serves every registry the principal may use there
}

// ECRKeychainOptions configure NewECRKeychain. The zero value is ready to use.
type ECRKeychainOptions struct {
	Tokens   ECRTokenSource // nil: the AWS SDK default config chain
	Fallback authn.Keychain // nil: none
	Logger   *slog.Logger   // nil: discard
	Now      func() time.Time
}

// NewECRKeychain returns a keychain for ECR hosts.
func NewECRKeychain(opts ECRKeychainOptions) *ECRKeychain {
	k := &ECRKeychain{
		tokens:   opts.Tokens,
		fallback: opts.Fallback,
		logger:   opts.Logger,
		now:      opts.Now,
		cache:    map[string]ECRToken{},
	}
	if k.tokens == nil {
		k.tokens = SDKTokenSource{}
	}
	if k.logger == nil {
		k.logger = slog.New(slog.DiscardHandler)
	}
	if k.now == nil {
		k.now = time.Now
	}
	return k
}

// Resolve implements authn.Keychain.
func (k *ECRKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	return k.ResolveContext(context.Background(), target)
}

// ResolveContext implements authn.ContextKeychain.
func (k *ECRKeychain) ResolveContext(ctx context.Context, target authn.Resource) (authn.Authenticator, error) {
	host, ok := ParseECRHost(target.RegistryStr())
	if !ok {
		return authn.Anonymous, nil
	}
	tok, err := k.token(ctx, host.Region)
	if err == nil {
		return &authn.Basic{Username: tok.Username, Password: tok.Password}, nil
	}
	if k.fallback != nil {
		auth, ferr := authn.Resolve(ctx, k.fallback, target)
		if ferr == nil && auth != authn.Anonymous {
			k.logger.Warn("ECR token request failed; using the docker config credentials for the host",
				"registry", target.RegistryStr(), "error", err)
			return auth, nil
		}
	}
	return nil, fmt.Errorf("authenticating to ECR registry %s: %w; check the AWS credentials and region (try 'aws sts get-caller-identity' and 'aws ecr get-login-password --region %s')",
		target.RegistryStr(), err, host.Region)
}

func (k *ECRKeychain) token(ctx context.Context, region string) (ECRToken, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if tok, ok := k.cache[region]; ok && k.now().Add(ecrRefreshMargin).Before(tok.ExpiresAt) {
		return tok, nil
	}
	// The lock is held across the call on purpose: concurrent pulls of many
	// blobs would otherwise all ask AWS for a token at once.
	tok, err := k.tokens.Token(ctx, region)
	if err != nil {
		return ECRToken{}, err
	}
	k.logger.Debug("got ECR authorization token", "region", region, "expires", tok.ExpiresAt)
	k.cache[region] = tok
	return tok, nil
}

// SDKTokenSource gets tokens with ecr:GetAuthorizationToken through the AWS
// SDK's default config chain. AWS_ENDPOINT_URL_ECR is honoured by the SDK.
type SDKTokenSource struct {
	// ConfigOptions are extra options for config.LoadDefaultConfig.
	ConfigOptions []func(*awsconfig.LoadOptions) error
}

// Token implements ECRTokenSource.
func (s SDKTokenSource) Token(ctx context.Context, region string) (ECRToken, error) {
	// The SDK would otherwise print its own warnings (IMDS fallbacks) on
	// stderr; the error it returns says what failed.
	opts := append([]func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(region), awsconfig.WithLogger(logging.Nop{})}, s.ConfigOptions...)
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return ECRToken{}, fmt.Errorf("loading AWS config: %w", err)
	}
	out, err := ecr.NewFromConfig(cfg).GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return ECRToken{}, fmt.Errorf("ecr:GetAuthorizationToken in %s: %w", region, err)
	}
	if len(out.AuthorizationData) == 0 {
		return ECRToken{}, errors.New("ecr:GetAuthorizationToken returned no authorization data")
	}
	data := out.AuthorizationData[0]
	tok, err := DecodeECRToken(aws.ToString(data.AuthorizationToken))
	if err != nil {
		return ECRToken{}, err
	}
	if data.ExpiresAt != nil {
		tok.ExpiresAt = *data.ExpiresAt
	} else {
		// ECR documents 12 hours; assume less so that it is refreshed early.
		tok.ExpiresAt = time.Now().Add(time.Hour)
	}
	return tok, nil
}

// DecodeECRToken decodes an ECR authorization token, base64 of "AWS:<password>".
// Error messages never include the token.
func DecodeECRToken(encoded string) (ECRToken, error) {
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return ECRToken{}, errors.New("ECR authorization token is not valid base64")
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || pass == "" {
		return ECRToken{}, errors.New("ECR authorization token is not of the form user:password")
	}
	return ECRToken{Username: user, Password: pass}, nil
}
