package main

import (
	"bytes"
	"context"
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/build"
	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/taskdef"
	"github.com/imgcheck/imgcheck/verify"
)

type loadedTaskdef struct {
	ref string
	td  *taskdef.TaskDefinition
}

func loadTaskdefs(ctx context.Context, o *buildOptions) ([]loadedTaskdef, error) {
	lo, err := taskdefLoadOptions(o.params, o.resource)
	if err != nil {
		return nil, err
	}
	tds, err := openTaskdefs(ctx, "--verify-taskdef", o.verifyTaskdefs, lo)
	if err != nil {
		return nil, err
	}
	out := make([]loadedTaskdef, len(tds))
	for i, td := range tds {
		out[i] = loadedTaskdef{ref: td.Source.File, td: td}
	}
	return out, nil
}

// buildProgress is where build progress goes: the printer, or nothing
// with --quiet.
type buildProgress interface {
	build.Progress
	Done()
}

type quietProgress struct{}

func (quietProgress) Report(build.Event) {}
func (quietProgress) Done()              {}

// progress starts the progress printer on stderr (live on a terminal).
func (o *buildOptions) progress(ctx context.Context, s streams) buildProgress {
	if o.quiet {
		return quietProgress{}
	}
	p := build.NewProgressPrinter(s.err, isTerminal(s.err), len(o.packages) > 1)
	p.Start(ctx)
	return p
}

// writeRefs prints the published references on stdout and, when path is
// set, writes the same lines to it (--image-refs).
func writeRefs(results []build.Result, path string, s streams) error {
	var refs bytes.Buffer
	if err := build.WriteRefs(&refs, results); err != nil {
		return err
	}
	if _, err := s.out.Write(refs.Bytes()); err != nil {
		return err
	}
	if path != "" {
		if err := os.WriteFile(path, refs.Bytes(), 0o644); err != nil {
			return fmt.Errorf("writing --image-refs: %w", err)
		}
	}
	return nil
}

// verifyBeforePublish verifies every built index in memory, after all
// packages are built and before any target is written: against each task
// definition, and the platforms no task definition runs on with the image
// side only (binary machine, entrypoint, interpreter and libraries), so
// that no published platform goes unchecked. Reports go to stderr (stdout
// is for references); an image-only pass is one line.
func verifyBeforePublish(tds []loadedTaskdef, v verifier, s streams, progress build.Progress, quiet bool) func(context.Context, []*build.Artifact) error {
	return func(ctx context.Context, arts []*build.Artifact) error {
		for _, art := range arts {
			step := build.Event{Package: art.Package.Name, Stage: build.StageStep, Line: "verifying " + art.Package.Name}
			progress.Report(step)
			err := verifyArtifactAll(ctx, v, tds, art, s, quiet)
			step.Final = true
			progress.Report(step)
			if err != nil {
				return err
			}
		}
		return nil
	}
}

// verifyArtifactAll verifies one built index against every task
// definition, then the platforms none of them checked on the image side.
func verifyArtifactAll(ctx context.Context, v verifier, tds []loadedTaskdef, art *build.Artifact, s streams, quiet bool) error {
	checked := map[string]bool{}
	for _, td := range tds {
		report, err := verifyArtifact(ctx, v, td, art, nil, s, quiet)
		if err != nil {
			return err
		}
		for _, t := range report.Targets {
			checked[t.PlatformDigest] = true // the manifest verify selected
		}
	}
	var rest []v1.Platform
	for _, pi := range art.Images {
		if !checked[pi.Digest.String()] {
			rest = append(rest, pi.Platform)
		}
	}
	if len(rest) == 0 {
		return nil
	}
	_, err := verifyArtifact(ctx, v, loadedTaskdef{}, art, rest, s, quiet)
	return err
}

// verifyArtifact verifies one built index under its build: reference,
// with the same policy as imgcheck verify: against td, or without one the
// image side of platforms.
func verifyArtifact(ctx context.Context, v verifier, td loadedTaskdef, art *build.Artifact, platforms []v1.Platform, s streams, quiet bool) (*verify.Report, error) {
	built := image.Ref{Kind: image.RefBuilt, Name: art.Package.Name, Digest: art.Digest}
	subjects, err := verify.PairImages(td.td, []string{built.String()}, nil)
	if err != nil {
		return nil, fmt.Errorf("--verify-taskdef %s: %w", td.ref, err)
	}
	in := verify.Input{TaskDef: td.td, Subjects: subjects}
	against := td.ref
	if td.td != nil {
		in.Service = td.td.Service // paired by taskdef.Open (ecspresso layout)
	} else {
		against = "the image checks"
		in.Platforms = platforms
	}
	v.image.Built = map[image.Ref]v1.ImageIndex{built: art.Index}
	report, verdict := v.run(ctx, []verify.Input{in})
	if td.td == nil && verdict == nil {
		if !quiet {
			fmt.Fprintf(s.err, "verify %s: image checks passed on %d platform(s)\n", art.Package.Name, len(in.Platforms))
		}
		return report, nil
	}
	if quiet && verdict == nil {
		return report, nil
	}
	fmt.Fprintf(s.err, "verifying %s against %s\n", art.Package.Name, against)
	if err := verify.Render(s.err, report, "text"); err != nil {
		return nil, fmt.Errorf("writing the verify report: %w", err)
	}
	if verdict != nil {
		return nil, fmt.Errorf("build refused, nothing was published: verifying %s against %s: %w", art.Package.Name, against, verdict)
	}
	return report, nil
}
