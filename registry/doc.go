// Package registry is how imgcheck talks to container registries: which
// credentials to use (docker config, credential helpers, and cloud keychains
// such as the one of package registry/ecr, which the caller injects through
// Options.ExtraKeychains so that this package does not link the AWS SDK),
// and the HTTP transport stack under go-containerregistry (insecure-host
// policy, timeouts, retries with backoff, request and byte counting,
// redacted debug logging).
//
// The transport stack, outermost first:
//
//	user agent -> retry (429/5xx/reset, idempotent only) -> debug log (redacted)
//	-> insecure policy -> counting -> Options.Transport (or a tuned default)
//
// Counting sits innermost so that every attempt, including retries, is
// counted as it went over the wire.
package registry
