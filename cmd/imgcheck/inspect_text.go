package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/platform"
)

// writeInspectText renders an inspection for people; --format json is the
// Inspection itself.
func writeInspectText(w io.Writer, rep *image.Inspection) error {
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
	for _, img := range rep.Images {
		writeImageText(&b, img)
	}
	if rep.Stats != nil {
		fmt.Fprintf(&b, "\nstats: %d requests, %d bytes downloaded, %d layer bytes\n",
			rep.Stats.Requests, rep.Stats.BytesDownloaded, rep.Stats.LayerBytes)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeImageText(b *strings.Builder, p image.InspectedImage) {
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
