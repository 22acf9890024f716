// Package ecr resolves credentials for Amazon ECR private registries through
// the AWS SDK's default configuration chain (environment, shared config and
// profiles, SSO, IMDS). It is kept out of package registry so that only the
// commands that inject its Keychain (through registry.Options.ExtraKeychains)
// link the AWS SDK.
package ecr
