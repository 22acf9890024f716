package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/image/binfmt"
	"github.com/imgcheck/imgcheck/platform"
)

// inspectOptions are the flags of "imgcheck inspect".
type inspectOptions struct {
	ref      string
	platform string
	format   string
	stats    bool
	strict   bool
	registry registryFlags
	logger   *slog.Logger
}

func newInspectCmd(s streams, g *globalOptions) *cobra.Command {
	o := &inspectOptions{}
	cmd := &cobra.Command{
		Use:   "inspect IMAGE",
		Short: "Show what verify sees in an image: platforms, entrypoint, and what the binary really is",
		Long: `inspect opens an image from a registry, an OCI layout (oci:DIR[:tag|@digest]) or
a tarball (tarball:FILE), lists its manifests (attestations marked as such), and
for each platform resolves the entrypoint across the layers and identifies the
executable from its first bytes (fetched with ranged reads where the registry
allows). --strict reads whole layers, checks their digests and reads Go build
info.`,
		Example: `  imgcheck inspect 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.4.2
  imgcheck inspect ghcr.io/acme/app:latest --platform linux/arm64 --stats
  imgcheck inspect oci:./out:latest --format json --strict`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ref, o.logger = args[0], g.logger(s)
			return runInspect(cmd.Context(), o, s)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.platform, "platform", "", "inspect only this platform (os/arch[/variant][:os.version])")
	f.StringVar(&o.format, "format", "text", "output format: text or json")
	f.BoolVar(&o.stats, "stats", false, "report the requests and bytes used")
	f.BoolVar(&o.strict, "strict", false, "read whole layers of identified files, check digests, read Go build info")
	o.registry.register(f)
	return cmd
}

// inspectReport is the json output.
type inspectReport struct {
	Image     string            `json:"image"`
	Digest    string            `json:"digest"`
	Index     bool              `json:"index"`
	Manifests []image.Manifest  `json:"manifests"`
	Platforms []inspectPlatform `json:"platforms"`
	Stats     *image.Stats      `json:"stats,omitempty"`
}

type inspectPlatform struct {
	Platform           string        `json:"platform"`
	DescriptorPlatform string        `json:"descriptorPlatform,omitempty"`
	Digest             string        `json:"digest"`
	MediaType          string        `json:"mediaType"`
	Config             image.Config  `json:"config"`
	Layers             []image.Layer `json:"layers"`
	Executable         *inspectExec  `json:"executable,omitempty"`
}

type inspectExec struct {
	Command     string              `json:"command"`
	File        image.File          `json:"file"`
	Binary      string              `json:"binary,omitempty"`
	Info        *binfmt.Info        `json:"info,omitempty"`
	Read        *image.ReadInfo     `json:"read,omitempty"`
	Interpreter *image.File         `json:"interpreter,omitempty"`
	GoBuild     *binfmt.GoBuildInfo `json:"goBuildInfo,omitempty"`
}

func runInspect(ctx context.Context, o *inspectOptions, s streams) error {
	if o.format != "text" && o.format != "json" {
		return fmt.Errorf("unknown --format %q (want text or json)", o.format)
	}
	fmt.Fprintf(s.err, "reading %s\n", o.ref)
	logger := o.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	src, err := image.Open(ctx, o.ref, image.Options{Strict: o.strict, Registry: o.registry.options(logger), Logger: logger})
	if err != nil {
		return err
	}
	defer src.Close()
	rep := inspectReport{Image: o.ref}
	digest, _ := src.Digest(ctx)
	rep.Digest = digest.String()
	rep.Index, _ = src.IsIndex(ctx)
	if rep.Manifests, err = src.Manifests(ctx); err != nil {
		return err
	}
	var plats []*image.Image
	if o.platform != "" {
		wantP, err := platform.Parse(o.platform)
		if err != nil {
			return err
		}
		p, err := src.Select(ctx, wantP)
		if err != nil {
			return err
		}
		plats = append(plats, p)
	} else {
		for _, m := range rep.Manifests {
			if m.Kind != image.KindRunnable {
				continue
			}
			p, err := src.OpenManifest(ctx, m)
			if err != nil {
				return err
			}
			plats = append(plats, p)
		}
	}
	for _, p := range plats {
		fmt.Fprintf(s.err, "inspecting %s (%s)\n", p, p.Digest)
		ip, err := inspectPlatformOf(ctx, p)
		if err != nil {
			return err
		}
		if o.strict {
			for i := range p.Layers {
				fmt.Fprintf(s.err, "verifying layer %d of %s\n", i, p)
				if err := p.VerifyLayer(ctx, i); err != nil {
					return err
				}
			}
			ip.Layers = p.Layers
		}
		rep.Platforms = append(rep.Platforms, ip)
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

// inspectPlatformOf resolves and identifies a platform's executable the
// way a container runtime would start it: ENTRYPOINT, else CMD.
func inspectPlatformOf(ctx context.Context, p *image.Image) (inspectPlatform, error) {
	ip := inspectPlatform{
		Platform: p.String(), Digest: p.Digest.String(), MediaType: string(p.MediaType),
		Config: p.Config, Layers: p.Layers,
	}
	if p.Descriptor != nil {
		ip.DescriptorPlatform = platform.String(p.Descriptor)
	}
	argv := append(append([]string{}, p.Config.Entrypoint...), p.Config.Cmd...)
	if len(argv) == 0 {
		return ip, nil
	}
	ex := &inspectExec{Command: argv[0]}
	f, err := p.ResolveCommand(ctx, argv[0], p.Config.WorkingDir, p.Config.Getenv("PATH"))
	if err != nil {
		return ip, err
	}
	ex.File = f
	ip.Executable = ex
	if !f.Found || (f.Type != image.TypeRegular && f.Type != image.TypeHardlink) {
		return ip, nil
	}
	info, ri, err := p.Identify(ctx, f)
	if err != nil {
		return ip, err
	}
	ex.Info, ex.Read, ex.Binary, ex.GoBuild = &info, &ri, info.String(), ri.GoBuild
	interp := info.Interpreter
	if info.Kind == binfmt.KindScript {
		interp = info.ScriptInterpreter
	}
	if interp != "" {
		fi, err := p.Lookup(ctx, interp)
		if err != nil {
			return ip, err
		}
		ex.Interpreter = &fi
	}
	return ip, nil
}

func writeInspectText(w io.Writer, rep inspectReport) error {
	var b strings.Builder
	kind := "image manifest"
	if rep.Index {
		kind = "index"
	}
	fmt.Fprintf(&b, "image   %s\ndigest  %s (%s)\n", rep.Image, rep.Digest, kind)
	if rep.Index {
		b.WriteString("manifests:\n")
		for _, m := range rep.Manifests {
			line := fmt.Sprintf("  %s  %-16s %s", m.Digest, platform.String(m.Platform), m.Kind)
			if m.AttestsTo != "" {
				line += " for " + m.AttestsTo
			}
			b.WriteString(line + "\n")
		}
	}
	for _, p := range rep.Platforms {
		writePlatformText(&b, p)
	}
	if rep.Stats != nil {
		fmt.Fprintf(&b, "\nstats: %d requests, %d bytes downloaded, %d layer bytes\n",
			rep.Stats.Requests, rep.Stats.BytesDownloaded, rep.Stats.LayerBytes)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writePlatformText(b *strings.Builder, p inspectPlatform) {
	fmt.Fprintf(b, "\nplatform %s\n", p.Platform)
	fmt.Fprintf(b, "  digest       %s\n  media type   %s\n", p.Digest, p.MediaType)
	cfg := p.Config
	fmt.Fprintf(b, "  config       os=%s architecture=%s", cfg.OS, cfg.Architecture)
	if cfg.Variant != "" {
		fmt.Fprintf(b, " variant=%s", cfg.Variant)
	}
	if cfg.OSVersion != "" {
		fmt.Fprintf(b, " os.version=%s", cfg.OSVersion)
	}
	b.WriteString("\n")
	if p.DescriptorPlatform != "" && !strings.HasPrefix(p.DescriptorPlatform, p.Platform) {
		fmt.Fprintf(b, "  descriptor   %s (DISAGREES with the config)\n", p.DescriptorPlatform)
	}
	fmt.Fprintf(b, "  entrypoint   %s\n  cmd          %s\n", quoteArgs(cfg.Entrypoint), quoteArgs(cfg.Cmd))
	if cfg.WorkingDir != "" {
		fmt.Fprintf(b, "  workdir      %s\n", cfg.WorkingDir)
	}
	if cfg.User != "" {
		fmt.Fprintf(b, "  user         %s\n", cfg.User)
	}
	fmt.Fprintf(b, "  layers       %d\n", len(p.Layers))
	for _, l := range p.Layers {
		fmt.Fprintf(b, "    %d  %s  %s  %d bytes", l.Index, l.Digest, l.Compression, l.Size)
		if l.Verified {
			fmt.Fprintf(b, " (%d uncompressed, verified)", l.Uncompressed)
		}
		b.WriteString("\n")
	}
	ex := p.Executable
	if ex == nil {
		b.WriteString("  executable   none: no entrypoint and no cmd\n")
		return
	}
	f := ex.File
	if !f.Found {
		fmt.Fprintf(b, "  executable   %s NOT FOUND: %s (%s; layers searched %v)\n", ex.Command, f.Reason, f.Detail, f.LayersSearched)
		return
	}
	fmt.Fprintf(b, "  executable   %s (layer %d, %s, mode %04o, uid %d)\n", f.Resolved, f.Layer, f.Type, uint32(f.Mode.Perm()), f.UID)
	for _, link := range f.Chain {
		fmt.Fprintf(b, "    via %s\n", link)
	}
	if ex.Binary != "" {
		fmt.Fprintf(b, "  binary       %s [%s, %d of %d bytes]\n", ex.Binary, ex.Read.Mode, ex.Read.BytesRead, ex.Read.FileSize)
	}
	if in := ex.Interpreter; in != nil {
		if in.Found {
			fmt.Fprintf(b, "  interpreter  %s (present in image, layer %d)\n", in.Path, in.Layer)
		} else {
			fmt.Fprintf(b, "  interpreter  %s MISSING from image (%s)\n", in.Path, in.Reason)
		}
	}
	if g := ex.GoBuild; g != nil {
		cgo := "unknown"
		if g.CGOEnabled != nil {
			cgo = fmt.Sprint(*g.CGOEnabled)
		}
		fmt.Fprintf(b, "  go           %s %s/%s cgo=%s", g.GoVersion, g.GOOS, g.GOARCH, cgo)
		for _, lv := range []string{g.GOAMD64, g.GOARM64, g.GOARM} {
			if lv != "" {
				fmt.Fprintf(b, " level=%s", lv)
			}
		}
		b.WriteString("\n")
	}
}

func quoteArgs(args []string) string {
	if len(args) == 0 {
		return "[]"
	}
	j, _ := json.Marshal(args)
	return string(j)
}
