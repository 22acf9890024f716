package ecr

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/imgcheck/imgcheck/registry"
)

// refreshMargin is how long before expiresAt a cached token is replaced,
// so that a token never expires in the middle of a long push.
const refreshMargin = 15 * time.Minute

// Keychain resolves credentials for ECR private registries. For hosts that
// are not ECR it answers Anonymous, so that a multi-keychain falls through
// to the docker config. For ECR hosts it never answers Anonymous: an AWS
// error is returned as is, because silently going on without credentials
// turns an expired SSO session into a confusing 401.
type Keychain struct {
	tokens TokenSource
	// fallback is consulted only when the AWS call fails: explicit
	// credentials a user stored for the host (docker login) are still used.
	fallback authn.Keychain
	logger   *slog.Logger
	now      func() time.Time

	mu    sync.Mutex
	cache map[string]Token // by region: one token serves every registry the principal may use there
}

// KeychainOptions configure NewKeychain. The zero value is ready to use.
type KeychainOptions struct {
	Tokens   TokenSource    // nil: SDKTokenSource, the AWS SDK default config chain
	Fallback authn.Keychain // nil: none
	Logger   *slog.Logger   // nil: discard
	Now      func() time.Time
}

// NewKeychain returns a keychain for ECR hosts.
func NewKeychain(opts KeychainOptions) *Keychain {
	k := &Keychain{
		tokens:   opts.Tokens,
		fallback: opts.Fallback,
		logger:   opts.Logger,
		now:      opts.Now,
		cache:    map[string]Token{},
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
func (k *Keychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	return k.ResolveContext(context.Background(), target)
}

// ResolveContext implements authn.ContextKeychain.
func (k *Keychain) ResolveContext(ctx context.Context, target authn.Resource) (authn.Authenticator, error) {
	host, ok := registry.ParseECRHost(target.RegistryStr())
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

func (k *Keychain) token(ctx context.Context, region string) (Token, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if tok, ok := k.cache[region]; ok && k.now().Add(refreshMargin).Before(tok.ExpiresAt) {
		return tok, nil
	}
	// The lock is held across the call on purpose: concurrent pulls of many
	// blobs would otherwise all ask AWS for a token at once.
	tok, err := k.tokens.Token(ctx, region)
	if err != nil {
		return Token{}, err
	}
	k.logger.Debug("got ECR authorization token", "region", region, "expires", tok.ExpiresAt)
	k.cache[region] = tok
	return tok, nil
}
