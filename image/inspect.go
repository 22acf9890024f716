package image

import (
	"context"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/image/binfmt"
	"github.com/imgcheck/imgcheck/platform"
)

// Inspection is what verify sees in an image: its manifests and, for each
// runnable image, its config, layers and the executable a container
// runtime would start. It is the JSON of imgcheck inspect.
type Inspection struct {
	Image     string           `json:"image"`
	Digest    string           `json:"digest"`
	Index     bool             `json:"index"`
	Manifests []Manifest       `json:"manifests"`
	Images    []InspectedImage `json:"platforms"`
	Stats     *Stats           `json:"stats,omitempty"`
}

// InspectedImage is one runnable image of an Inspection.
type InspectedImage struct {
	Platform           string      `json:"platform"`
	DescriptorPlatform string      `json:"descriptorPlatform,omitempty"`
	Digest             string      `json:"digest"`
	MediaType          string      `json:"mediaType"`
	Config             Config      `json:"config"`
	Layers             []Layer     `json:"layers"`
	Executable         *Executable `json:"executable,omitempty"`
}

// Executable is the entrypoint (else the first word of CMD) resolved in
// the layers and identified from its first bytes.
type Executable struct {
	Command     string              `json:"command"`
	File        File                `json:"file"`
	Binary      string              `json:"binary,omitempty"`
	Info        *binfmt.Info        `json:"info,omitempty"`
	Read        *ReadInfo           `json:"read,omitempty"`
	Interpreter *File               `json:"interpreter,omitempty"`
	GoBuild     *binfmt.GoBuildInfo `json:"goBuildInfo,omitempty"`
}

// InspectOptions say what Inspect looks at.
type InspectOptions struct {
	// Platform limits the inspection to the image Select picks for it;
	// nil inspects every runnable image.
	Platform *v1.Platform
	// VerifyLayers reads every layer whole and checks its digest and
	// diff_id (strict mode).
	VerifyLayers bool
	// Progress receives one line per step; nil discards.
	Progress io.Writer
}

// Inspect describes the image the Source was opened on.
func (s *Source) Inspect(ctx context.Context, opts InspectOptions) (*Inspection, error) {
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	in := &Inspection{Image: s.name}
	digest, err := s.Digest(ctx)
	if err != nil {
		return nil, err
	}
	in.Digest = digest.String()
	if in.Index, err = s.IsIndex(ctx); err != nil {
		return nil, err
	}
	if in.Manifests, err = s.Manifests(ctx); err != nil {
		return nil, err
	}
	images, err := s.inspected(ctx, in.Manifests, opts.Platform)
	if err != nil {
		return nil, err
	}
	for _, p := range images {
		fmt.Fprintf(progress, "inspecting %s (%s)\n", p, p.Digest)
		img, err := inspectImage(ctx, p)
		if err != nil {
			return nil, err
		}
		if opts.VerifyLayers {
			for i := range p.Layers {
				fmt.Fprintf(progress, "verifying layer %d of %s\n", i, p)
				if err := p.VerifyLayer(ctx, i); err != nil {
					return nil, err
				}
			}
			img.Layers = p.Layers
		}
		in.Images = append(in.Images, img)
	}
	return in, nil
}

// inspected opens the runnable images to inspect: the one for want, or all.
func (s *Source) inspected(ctx context.Context, manifests []Manifest, want *v1.Platform) ([]*Image, error) {
	if want != nil {
		p, err := s.Select(ctx, *want)
		if err != nil {
			return nil, err
		}
		return []*Image{p}, nil
	}
	var out []*Image
	for _, m := range manifests {
		if m.Kind != KindRunnable {
			continue
		}
		p, err := s.OpenManifest(ctx, m)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// inspectImage resolves and identifies an image's executable the way a
// container runtime would start it: ENTRYPOINT, else CMD.
func inspectImage(ctx context.Context, p *Image) (InspectedImage, error) {
	img := InspectedImage{
		Platform: p.String(), Digest: p.Digest.String(), MediaType: string(p.MediaType),
		Config: p.Config, Layers: p.Layers,
	}
	if p.Descriptor != nil {
		img.DescriptorPlatform = platform.String(p.Descriptor)
	}
	argv := append(append([]string{}, p.Config.Entrypoint...), p.Config.Cmd...)
	if len(argv) == 0 {
		return img, nil
	}
	ex := &Executable{Command: argv[0]}
	f, err := p.ResolveCommand(ctx, argv[0], p.Config.WorkingDir, p.Config.Getenv("PATH"))
	if err != nil {
		return img, err
	}
	ex.File = f
	img.Executable = ex
	if !f.Found || (f.Type != TypeRegular && f.Type != TypeHardlink) {
		return img, nil
	}
	info, ri, err := p.Identify(ctx, f)
	if err != nil {
		return img, err
	}
	ex.Info, ex.Read, ex.Binary, ex.GoBuild = &info, &ri, info.String(), ri.GoBuild
	interp := info.Interpreter
	if info.Kind == binfmt.KindScript {
		interp = info.ScriptInterpreter
	}
	if interp != "" {
		fi, err := p.Lookup(ctx, interp)
		if err != nil {
			return img, err
		}
		ex.Interpreter = &fi
	}
	return img, nil
}
