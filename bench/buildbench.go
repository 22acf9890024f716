package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Builders of benchmark 2.
const (
	builderImgcheck = "imgcheck build"
	builderKo       = "ko build"
)

// Build phases, in the order each repetition runs them.
const (
	phaseCold = "cold"     // empty GOCACHE, empty repository
	phaseWarm = "warm"     // the same build again, nothing changed
	phaseEdit = "one-line" // one line of main.go changed
)

var buildPhases = []string{phaseCold, phaseWarm, phaseEdit}

// editLine is the one-line change: it changes the binary (a new string
// and call), not only a comment.
const editLine = "\nfunc init() { _ = os.Getenv(\"IMGCHECK_BENCH_EDIT\") }\n"

// buildResult is one builder with SBOMs on or off.
type buildResult struct {
	Tool string
	SBOM bool
	// Phases maps a phase to its summary; Bytes is bytes uploaded (request
	// bodies), Requests all requests.
	Phases map[string]summary
	// WarmLayerBytes is, per repetition, the bytes uploaded to blob upload
	// endpoints on the warm rebuild (layers and configs): the target is 0.
	WarmLayerBytes []int64
	Failures       int
}

// runBuilds builds the sample server for linux/amd64 and linux/arm64 with
// each builder, cold, warm and after a one-line change, SBOMs off then on.
func runBuilds(ctx context.Context, h *harness, fx *fixtures, reps int) ([]buildResult, error) {
	template := filepath.Join(h.work, "sample-module")
	if err := copySampleModule(h.repo, template, h.proxy.Host+"/"+fx.BaseRepo); err != nil {
		return nil, err
	}
	var out []buildResult
	for _, sbom := range []bool{false, true} {
		samples := map[string]map[string]*sample{}
		results := map[string]*buildResult{}
		for _, tool := range []string{builderImgcheck, builderKo} {
			samples[tool] = map[string]*sample{}
			for _, p := range buildPhases {
				samples[tool][p] = &sample{}
			}
			results[tool] = &buildResult{Tool: tool, SBOM: sbom, Phases: map[string]summary{}}
		}
		for rep := range reps {
			for _, tool := range []string{builderImgcheck, builderKo} {
				h.logf("benchmark 2, %s, sbom=%v, repetition %d/%d", tool, sbom, rep+1, reps)
				if err := h.buildSequence(ctx, template, tool, sbom, rep, fx, samples[tool], results[tool]); err != nil {
					return nil, err
				}
			}
		}
		for _, tool := range []string{builderImgcheck, builderKo} {
			r := results[tool]
			for _, p := range buildPhases {
				r.Phases[p] = samples[tool][p].summary()
			}
			out = append(out, *r)
		}
	}
	return out, nil
}

// buildSequence runs cold, warm and one-line builds in a fresh copy of the
// module with a fresh GOCACHE, pushing to a fresh repository.
func (h *harness) buildSequence(ctx context.Context, template, tool string, sbom bool, rep int, fx *fixtures, samples map[string]*sample, r *buildResult) error {
	slug := fmt.Sprintf("%s-sbom%v-r%d", strings.Fields(tool)[0], sbom, rep)
	dir := filepath.Join(h.work, "build-"+slug)
	if err := os.CopyFS(dir, os.DirFS(template)); err != nil {
		return fmt.Errorf("copying the sample module: %w", err)
	}
	defer os.RemoveAll(dir)
	gocache := filepath.Join(h.work, "gocache-"+slug)
	if err := os.MkdirAll(gocache, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(gocache)
	repo := h.proxy.Host + "/bench/built-" + slug
	base := h.proxy.Host + "/" + fx.BaseRepo
	env := append(append([]string{}, h.env...), "GOCACHE="+gocache, "KO_DOCKER_REPO="+repo, "KO_DEFAULTBASEIMAGE="+base)
	sbomFlag := map[bool]string{false: "none", true: "spdx"}[sbom]
	var argv []string
	switch tool {
	case builderImgcheck:
		argv = []string{h.imgcheck, "build", "./sample-server", "--push", repo, "--base", base,
			"--platform", "linux/amd64,linux/arm64", "--sbom", sbomFlag}
	case builderKo:
		argv = []string{"ko", "build", "--bare", "--platform", "linux/amd64,linux/arm64", "--sbom", sbomFlag, "./sample-server"}
	}
	for _, phase := range buildPhases {
		if phase == phaseEdit {
			if err := appendTo(filepath.Join(dir, "sample-server", "main.go"), editLine); err != nil {
				return err
			}
		}
		h.proxy.Take()
		res, err := h.exec(ctx, execSpec{Dir: dir, Env: env, Argv: argv})
		t := h.proxy.Take()
		if err != nil {
			return fmt.Errorf("%s (%s): %w", tool, phase, err)
		}
		if res.Exit != 0 {
			r.Failures++
			h.logf("  %s (%s) failed, exit %d: %s", tool, phase, res.Exit, tail(res.Stderr, 600))
		}
		samples[phase].add(res.Wall, t.BytesUp, t.Requests)
		if phase == phaseWarm {
			r.WarmLayerBytes = append(r.WarmLayerBytes, t.BlobBytesUp)
		}
	}
	return nil
}

// copySampleModule copies the repository's go.mod, go.sum and the sample
// server's sources (no tests) to dir, with a .ko.yaml naming the base both
// builders use. The repository itself is never modified.
func copySampleModule(repo, dir, base string) error {
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(repo, f))
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, f), b); err != nil {
			return err
		}
	}
	src := filepath.Join(repo, "sample-server")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(path, "_test.go") || d.Name() == ".ko.yaml" {
			return nil
		}
		rel, err := filepath.Rel(repo, path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return writeFile(filepath.Join(dir, rel), b)
	})
	if err != nil {
		return fmt.Errorf("copying sample-server: %w", err)
	}
	koYAML := fmt.Sprintf("defaultBaseImage: %s\ndefaultPlatforms:\n- linux/amd64\n- linux/arm64\n", base)
	return writeFile(filepath.Join(dir, ".ko.yaml"), []byte(koYAML))
}

func appendTo(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
