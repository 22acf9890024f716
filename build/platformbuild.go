package build

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/imgcheck/imgcheck/image/filecap"
	"github.com/imgcheck/imgcheck/platform"
)

// maxBinaryBytes bounds a binary read into memory for its layer.
const maxBinaryBytes = 2 << 30

type platformResult struct {
	platform  v1.Platform
	image     v1.Image
	buildInfo *debug.BuildInfo
	problems  []Problem
	err       error
}

// buildPlatform compiles, checks and assembles one platform image.
func (b *Builder) buildPlatform(ctx context.Context, plan *buildPlan, src baseSource, p v1.Platform, outDir string) platformResult {
	res := platformResult{platform: p}
	fail := func(err error) platformResult { res.err = err; return res }
	key := platform.String(&p)
	prog := b.progress()
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fail(fmt.Errorf("%s: %w", key, err))
	}
	prog.Report(Event{Package: plan.pkg.Name, Platform: key, Stage: StageCompileStart, Line: plan.pkg.ImportPath})
	start := time.Now()
	bin, err := b.compiler().Compile(ctx, CompileRequest{
		Package: plan.pkg, Platform: p, Dir: plan.dir, Environ: plan.environ, Env: plan.env,
		Flags: plan.flags, Ldflags: plan.ldflags, OutDir: outDir,
		Log: lineWriter{progress: prog, pkg: plan.pkg.Name, pl: key},
	})
	if err != nil {
		return fail(err)
	}
	prog.Report(Event{Package: plan.pkg.Name, Platform: key, Stage: StageCompile, Duration: time.Since(start)})

	// The local pre-push check: the binary must run on the platform.
	info, err := identifyBinary(bin)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", key, err))
	}
	dyn := b.dynamicPolicy(src)
	if res.problems = binaryProblems(info, p, dyn); len(res.problems) > 0 {
		return res
	}
	if info.Interpreter != "" {
		prog.Report(Event{Package: plan.pkg.Name, Platform: key, Stage: StageInfo,
			Line: fmt.Sprintf("dynamically linked (interpreter %s): the base image is checked for its loader and libraries before publishing", info.Interpreter)})
	}
	if res.buildInfo, err = buildinfo.ReadFile(bin); err != nil {
		return fail(fmt.Errorf("%s: reading Go build info of %s: %w", key, bin, err))
	}
	data, err := readFileLimited(bin, maxBinaryBytes)
	if err != nil {
		return fail(fmt.Errorf("%s: reading built binary: %w", key, err))
	}
	binFile := layerFile{Path: AppDir + "/" + plan.pkg.Name, Mode: 0o755, Data: data}
	if plan.fileCaps != nil && p.OS == "linux" {
		// As ko writes linux_capabilities: on linux targets only.
		binFile.Xattrs = map[string]string{filecap.XattrName: string(plan.fileCaps.Marshal())}
	}
	binLayer, err := newReproducibleLayer([]layerFile{{Path: AppDir, Dir: true, Mode: 0o755}, binFile}, plan.created)
	if err != nil {
		return fail(fmt.Errorf("%s: making the binary layer: %w", key, err))
	}
	prog.Report(Event{Package: plan.pkg.Name, Platform: key, Stage: StageLayer, Bytes: int64(len(binLayer.compressed))})

	base, err := src.For(ctx, p)
	if err != nil {
		return fail(err)
	}
	var layers []appLayer
	if plan.kodata != nil {
		layers = append(layers, appLayer{layer: plan.kodata, comment: "kodata"})
	}
	layers = append(layers, appLayer{layer: binLayer, comment: "go build " + plan.pkg.ImportPath})
	if res.image, err = assembleImage(imageSpec{
		base: base, layers: layers, binaryName: plan.pkg.Name, created: plan.created, annotations: plan.annotations,
		labels: plan.labels, user: plan.user,
	}); err != nil {
		return fail(fmt.Errorf("%s: %w", key, err))
	}
	for _, v := range b.Verifiers {
		problems, err := v.VerifyImage(ctx, p, res.image)
		if err != nil {
			return fail(fmt.Errorf("%s: verifying image: %w", key, err))
		}
		res.problems = append(res.problems, problems...)
	}
	return res
}

// dynamicPolicy decides about cgo binaries: the built-in bases have no C
// library, so they refuse them; any other base may run one, which the
// verify checks judge (BeforePublish or a Verifier) before publishing.
// With neither set nothing would judge it, so it is refused.
func (b *Builder) dynamicPolicy(src baseSource) dynamicPolicy {
	if bs, ok := src.(builtinSource); ok {
		what := "and the scratch base is empty: no dynamic loader, no C library"
		if bs.static {
			what = "and the built-in static base has no dynamic loader or C library"
		}
		return dynamicPolicy{refusal: what + "; build with CGO_ENABLED=0, or use a base image that has them (for example gcr.io/distroless/base-debian12)"}
	}
	if b.BeforePublish == nil && len(b.Verifiers) == 0 {
		return dynamicPolicy{refusal: "and nothing is set to check that the base image can run it (Builder.BeforePublish or Verifiers); build with CGO_ENABLED=0"}
	}
	return dynamicPolicy{allowed: true}
}

// assembleIndex puts the platform images in an OCI index, in platform
// order, and makes the SBOM referrers.
func (b *Builder) assembleIndex(plan *buildPlan, results []platformResult) (*Artifact, error) {
	art := &Artifact{Package: plan.pkg}
	for _, r := range results {
		d, err := r.image.Digest()
		if err != nil {
			return nil, err
		}
		art.Images = append(art.Images, PlatformImage{Platform: r.platform, Image: r.image, Digest: d})
	}
	ann := map[string]string{AnnotationCreated: plan.created.Format(time.RFC3339)}
	for k, v := range plan.annotations {
		if v != "" {
			ann[k] = v
		}
	}
	idx, err := newIndex(art.Images, ann)
	if err != nil {
		return nil, err
	}
	art.Digest = idx.digest
	art.Index = idx
	if b.SBOM {
		if art.Referrers, err = sbomReferrers(plan, results, idx); err != nil {
			return nil, err
		}
	}
	return art, nil
}

func sbomReferrers(plan *buildPlan, results []platformResult, idx v1.ImageIndex) ([]v1.Image, error) {
	var out []v1.Image
	var main goModule
	var all []goModule
	for _, r := range results {
		desc, err := describe(r.image)
		if err != nil {
			return nil, err
		}
		m, deps := modulesOf(r.buildInfo)
		main, all = m, append(all, deps...)
		doc, err := renderSPDX(plan.pkg.ImportPath, desc.Digest, plan.created, m, deps)
		if err != nil {
			return nil, err
		}
		ref, err := newSBOMReferrer(doc, desc, plan.created)
		if err != nil {
			return nil, err
		}
		out = append(out, ref)
	}
	desc, err := describe(idx)
	if err != nil {
		return nil, err
	}
	doc, err := renderSPDX(plan.pkg.ImportPath, desc.Digest, plan.created, main, all)
	if err != nil {
		return nil, err
	}
	ref, err := newSBOMReferrer(doc, desc, plan.created)
	if err != nil {
		return nil, err
	}
	return append(out, ref), nil
}

type describable interface {
	Digest() (v1.Hash, error)
	Size() (int64, error)
	MediaType() (types.MediaType, error)
}

func describe(d describable) (v1.Descriptor, error) {
	digest, err := d.Digest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	size, err := d.Size()
	if err != nil {
		return v1.Descriptor{}, err
	}
	mt, err := d.MediaType()
	if err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{MediaType: mt, Digest: digest, Size: size}, nil
}
