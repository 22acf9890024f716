package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/platform"
)

// inspectOptions are the flags of "imgcheck inspect".
type inspectOptions struct {
	timeout   runTimeout
	ref       string
	platforms []string
	format    string
	stats     bool
	strict    bool
	registry  registryFlags
	cache     cacheFlags
	logger    *slog.Logger
}

func newInspectCmd(s streams, g *globalOptions) *cobra.Command {
	o := &inspectOptions{}
	cmd := &cobra.Command{
		Use:   "inspect IMAGE",
		Short: "Show what verify sees in an image: platforms, entrypoint, and what the binary really is",
		Long: `inspect opens an image, lists its manifests (attestations marked as such), and
for each platform resolves the entrypoint across the layers and identifies the
executable from its first bytes (fetched with ranged reads where the registry
allows). --strict reads whole layers, checks their digests and reads Go build
info.

` + imageRefForms,
		Example: `  imgcheck inspect 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.4.2
  imgcheck inspect ghcr.io/acme/app:latest --platform linux/arm64,linux/amd64 --stats
  imgcheck inspect oci:out:sample-server:latest --format json --strict`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ref, o.logger = args[0], g.logger(s)
			return runInspect(cmd.Context(), o, s)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.platforms, "platform", nil, "inspect only these platforms (os/arch[/variant][:os.version]); repeatable or comma-separated")
	f.StringVar(&o.format, "format", "text", "output format: text or json")
	f.BoolVar(&o.stats, "stats", false, "report the requests and bytes used")
	f.BoolVar(&o.strict, "strict", false, "read whole layers of identified files, check digests, read Go build info")
	o.registry.register(f)
	o.cache.register(f)
	o.timeout.register(f)
	return cmd
}

func runInspect(ctx context.Context, o *inspectOptions, s streams) error {
	ctx, cancel := o.timeout.apply(ctx)
	defer cancel()
	if o.format != "text" && o.format != "json" {
		return fmt.Errorf("unknown --format %q (want text or json)", o.format)
	}
	var opts image.InspectOptions
	for _, p := range o.platforms {
		want, err := platform.Parse(p)
		if err != nil {
			return fmt.Errorf("--platform: %w", err)
		}
		opts.Platforms = append(opts.Platforms, want)
	}
	opts.VerifyLayers, opts.Progress = o.strict, s.err
	fmt.Fprintf(s.err, "reading %s\n", o.ref)
	logger := o.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	src, err := image.Open(ctx, o.ref, image.Options{Strict: o.strict, Registry: o.registry.options(logger), Logger: logger, LayerIndex: o.cache.layerIndex(logger)})
	if err != nil {
		return err
	}
	defer src.Close()
	rep, err := src.Inspect(ctx, opts)
	if err != nil {
		return err
	}
	if o.stats {
		st := src.Stats()
		rep.Stats = &st
	}
	if o.format == "json" {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return writeInspectText(s.out, rep)
}
