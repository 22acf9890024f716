package image

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/imgcheck/imgcheck/platform"
	"github.com/imgcheck/imgcheck/registry"
)

// Error classes. Every error this package returns wraps exactly one of them
// (test with errors.Is) so that a caller can say why it could not verify.
var (
	// ErrNotFound: the registry or layout has no such manifest, tag or blob.
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized: the registry refused our credentials (401/403).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrNetwork: the registry could not be reached or the transfer broke.
	ErrNetwork = errors.New("network error")
	// ErrCanceled: the caller canceled the work or its deadline passed
	// (not the registry's fault; a registry timeout is ErrNetwork).
	ErrCanceled = errors.New("canceled")
	// ErrDigestMismatch: content does not hash to the digest that names it.
	ErrDigestMismatch = errors.New("digest mismatch")
	// ErrMalformed: a manifest, config or layer could not be parsed.
	ErrMalformed = errors.New("malformed image")
	// ErrLimit: a manifest, config or layer exceeds a safety bound.
	ErrLimit = errors.New("safety limit exceeded")
	// ErrUnsupported: content the runtime cannot use, such as a layer of an
	// unknown or encrypted media type.
	ErrUnsupported = errors.New("unsupported content")
	// ErrSchema1: a Docker schema 1 manifest, which this tool does not read.
	ErrSchema1 = errors.New("docker schema 1 manifest is not supported (rebuild or re-push the image with a current client)")
	// ErrNoMatchingPlatform: Select found no runnable manifest for a platform.
	ErrNoMatchingPlatform = errors.New("no matching platform")
	// ErrRunUser: the runtime would refuse the container's user (*UserError).
	ErrRunUser = errors.New("the runtime cannot resolve the user")
)

// DigestMismatchError says what did not match. It wraps ErrDigestMismatch.
type DigestMismatchError struct {
	What string // "manifest", "config", "layer 2", "layer 2 diff_id"
	Want v1.Hash
	Got  v1.Hash
}

func (e *DigestMismatchError) Error() string {
	return fmt.Sprintf("%s: digest mismatch: want %s, got %s", e.What, e.Want, e.Got)
}

func (e *DigestMismatchError) Unwrap() error { return ErrDigestMismatch }

// SizeMismatchError says that content is not the size its descriptor
// declares: a registry or tool that lies about sizes, or content that was
// replaced. The runtime's pull checks sizes too and fails. It wraps
// ErrMalformed.
type SizeMismatchError struct {
	What string // "config sha256:...", "layer sha256:..."
	Want int64  // the size the descriptor declares
	Got  int64  // the size found; with More, at least this many bytes
	More bool   // the content went on past Want (its full size is unknown)
}

func (e *SizeMismatchError) Error() string {
	if e.More {
		return fmt.Sprintf("%s: size mismatch: the descriptor declares %d bytes, the content has more", e.What, e.Want)
	}
	return fmt.Sprintf("%s: size mismatch: the descriptor declares %d bytes, the content has %d", e.What, e.Want, e.Got)
}

func (e *SizeMismatchError) Unwrap() error { return ErrMalformed }

// NoMatchingPlatformError lists what an index has when the asked platform
// is not among its runnable manifests. It wraps ErrNoMatchingPlatform.
type NoMatchingPlatformError struct {
	Want      v1.Platform
	Available []Manifest
}

func (e *NoMatchingPlatformError) Error() string {
	var have []string
	for _, m := range e.Available {
		if m.Kind == KindRunnable {
			have = append(have, platform.String(m.Platform))
		}
	}
	if len(have) == 0 {
		have = []string{"no runnable manifests"}
	}
	return fmt.Sprintf("no manifest for platform %s (image has: %s)", platform.String(&e.Want), strings.Join(have, ", "))
}

func (e *NoMatchingPlatformError) Unwrap() error { return ErrNoMatchingPlatform }

// errorClasses are the sentinels every returned error wraps one of.
var errorClasses = []error{ErrNotFound, ErrUnauthorized, ErrNetwork, ErrCanceled, ErrDigestMismatch, ErrMalformed, ErrLimit, ErrUnsupported, ErrSchema1, ErrNoMatchingPlatform, ErrRunUser}

// isClassified reports whether err already wraps an error class.
func isClassified(err error) bool {
	for _, class := range errorClasses {
		if errors.Is(err, class) {
			return true
		}
	}
	return false
}

// classify wraps an error from the registry transport, the network or a
// local store in the matching error class. ctx is the caller's: once it is
// done the error is ErrCanceled, whatever the transport made of the
// cancellation (a dial timeout alone also says "deadline exceeded", and
// stays a network error).
func classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if isClassified(err) {
		return err
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w: %w", ErrCanceled, err)
	}
	if errors.Is(err, registry.ErrCredentials) {
		return fmt.Errorf("%w: %w", ErrUnauthorized, err)
	}
	var te *transport.Error
	if errors.As(err, &te) {
		switch {
		case te.StatusCode == http.StatusNotFound || hasCode(te, transport.ManifestUnknownErrorCode, transport.BlobUnknownErrorCode, transport.NameUnknownErrorCode):
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		case te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden ||
			hasCode(te, transport.UnauthorizedErrorCode, transport.DeniedErrorCode):
			return fmt.Errorf("%w: %w", ErrUnauthorized, err)
		}
		return fmt.Errorf("%w: %w", ErrNetwork, err)
	}
	// Anything else on the way to or from a registry is the network's:
	// net.Error, a closed connection, a broken body.
	return fmt.Errorf("%w: %w", ErrNetwork, err)
}

// transferClass is the class of a body that broke while it streamed:
// ErrCanceled once the caller's ctx is done, else ErrNetwork.
func transferClass(ctx context.Context) error {
	if ctx.Err() != nil {
		return ErrCanceled
	}
	return ErrNetwork
}

func hasCode(te *transport.Error, codes ...transport.ErrorCode) bool {
	for _, d := range te.Errors {
		for _, c := range codes {
			if d.Code == c {
				return true
			}
		}
	}
	return false
}

// statusError turns an unexpected HTTP status into a classified error.
func statusError(ctx context.Context, resp *http.Response, what string) error {
	err := transport.CheckError(resp, http.StatusOK, http.StatusPartialContent)
	return fmt.Errorf("%s: %w", what, classify(ctx, err))
}
