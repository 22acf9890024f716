package main

import (
	"log/slog"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/spf13/pflag"

	"github.com/imgcheck/imgcheck/registry"
	"github.com/imgcheck/imgcheck/registry/ecr"
)

// registryFlags are the registry-access flags shared by the verbs that read
// or write images.
type registryFlags struct {
	insecure []string
}

func (f *registryFlags) register(fs *pflag.FlagSet) {
	fs.StringSliceVar(&f.insecure, "insecure-registry", nil,
		"allow plain HTTP to this registry host (loopback hosts are always allowed); repeatable")
}

// options builds registry access: ECR natively through the AWS SDK (the
// command is where the SDK is chosen and injected), then the docker config
// and its credential helpers.
func (f *registryFlags) options(logger *slog.Logger) registry.Options {
	ecrKeychain := ecr.NewKeychain(ecr.KeychainOptions{Fallback: authn.DefaultKeychain, Logger: logger})
	return registry.Options{
		Insecure:       f.insecure,
		ExtraKeychains: []authn.Keychain{ecrKeychain},
		Logger:         logger,
	}
}
