package verify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/online"
	"github.com/imgcheck/imgcheck/platform"
	"github.com/imgcheck/imgcheck/taskdef"
)

// Options configure a verify run.
type Options struct {
	// Image configures how images are read (registry access, strict mode,
	// limits). A run shares one blob cache between all its images.
	Image image.Options
	// FailOn is the lowest severity that fails the run.
	FailOn Severity
	// Concurrency bounds how many images are checked at once (default 4).
	Concurrency int
	Logger      *slog.Logger
	Tool        ToolInfo
	// Ignore lists rule IDs whose findings this run shows as suppressed
	// instead of counting them (see CheckRuleIDs). Problems are never
	// suppressed.
	Ignore []string
	// Online, when set, also asks AWS whether what each task definition
	// names exists (the online family, IC5xx).
	Online *OnlineOptions
}

// Input is what to verify.
type Input struct {
	TaskDef  *taskdef.TaskDefinition // nil: image-only mode
	Service  *taskdef.Service        // optional
	Subjects []Subject               // see PairImages
	// Platforms to check in image-only mode; empty means every runnable
	// platform of the image.
	Platforms []v1.Platform
}

// Run verifies the input and returns a finished report. It never returns
// an error: whatever stops a check is recorded in Report.Errors, which makes
// the verdict VerdictCouldNotVerify. That is how the gate fails closed.
func Run(ctx context.Context, in Input, opts Options) *Report {
	return RunAll(ctx, []Input{in}, opts)
}

// RunAll verifies several inputs (a fleet of task definitions) in one run
// with one blob cache, so an image shared by many task definitions is read
// once, and returns one report. With more than one input, every target,
// finding and problem names its task definition file.
func RunAll(ctx context.Context, inputs []Input, opts Options) *Report {
	if opts.Image.Cache == nil {
		// One cache per run: identical blobs are fetched once. Closing it
		// releases layer streams left open against registries without Range.
		opts.Image.Cache = image.NewCache()
		defer opts.Image.Cache.Close()
	}
	if opts.Concurrency < 1 {
		opts.Concurrency = 4
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Report{Tool: opts.Tool}
	sources := newSourceSet(opts)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, opts.Concurrency)
	// Task-level rules first, then every image at once: the report is only
	// written under mu once the goroutines run.
	labels := make([]string, len(inputs))
	facts := make([]*taskFacts, len(inputs))
	skip := make([]bool, len(inputs)) // tasks with unknown values: no image checks
	for i, in := range inputs {
		if in.TaskDef != nil {
			f := newTaskFacts(in.TaskDef, in.Service)
			facts[i] = &f
			src := &Source{File: in.TaskDef.Source.File, Shape: string(in.TaskDef.Source.Shape), Family: in.TaskDef.Family.Value}
			if len(inputs) > 1 {
				labels[i] = src.File
				r.TaskDefs = append(r.TaskDefs, *src)
			} else {
				r.TaskDef = src
			}
			r.Findings = append(r.Findings, labelFindings(annotate(inputWarnings(in), in, "", opts.Ignore), labels[i])...)
			if us := unresolvedTaskInputs(f); len(us) > 0 {
				// Nothing about this task can be judged on a guess: report
				// what is unknown and check none of its images.
				for _, u := range us {
					r.Errors = append(r.Errors, Problem{TaskDef: labels[i], Message: u.message(), Location: loc(u.pos), Cause: ErrUnresolvedValue})
				}
				skip[i] = true
				continue
			}
			var err error
			if f.platforms, err = taskPlatforms(&f, in.Platforms); err != nil {
				r.Errors = append(r.Errors, Problem{TaskDef: labels[i], Message: err.Error(), Cause: err})
				skip[i] = true
				continue
			}
			r.Findings = append(r.Findings, labelFindings(annotate(taskLevelFindings(&f), in, "", opts.Ignore), labels[i])...)
		}
		if len(in.Subjects) == 0 {
			r.Errors = append(r.Errors, Problem{TaskDef: labels[i], Message: "no image to verify"})
		}
	}
	for i, in := range inputs {
		if skip[i] {
			continue
		}
		for _, s := range in.Subjects {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				res := verifySubject(ctx, s, in, facts[i], sources, opts)
				res.findings = annotate(res.findings, in, s.Ref, opts.Ignore)
				res.problems = append(res.problems, suppressedStops(res.targets, res.findings)...)
				res.label(labels[i])
				mu.Lock()
				defer mu.Unlock()
				r.Targets = append(r.Targets, res.targets...)
				r.Findings = append(r.Findings, res.findings...)
				r.Errors = append(r.Errors, res.problems...)
				if res.pinned != nil {
					r.Pinned = append(r.Pinned, *res.pinned)
				}
			}()
		}
	}
	if opts.Online != nil {
		clients := online.Cached(opts.Online.Clients)
		for i, in := range inputs {
			if skip[i] {
				continue
			}
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				fs, ps := onlineFindings(ctx, in, facts[i], opts.Online, clients)
				mu.Lock()
				defer mu.Unlock()
				r.Findings = append(r.Findings, labelFindings(annotate(fs, in, "", opts.Ignore), labels[i])...)
				r.Errors = append(r.Errors, labelProblems(ps, labels[i])...)
			})
		}
	}
	wg.Wait()
	for _, l := range opts.Image.Cache.Layers() {
		opts.Logger.Debug("layer", "digest", l.Digest, "read", l.Read, "passes", l.Passes, "bytes", l.Bytes, "size", l.Size)
	}
	if err := ctx.Err(); err != nil {
		cause := context.Cause(ctx) // says why: a timeout names itself
		r.Errors = append(r.Errors, Problem{Message: "interrupted: " + cause.Error(), Cause: cause})
	}
	r.Finish(opts.FailOn)
	return r
}

func labelFindings(fs []Finding, label string) []Finding {
	for i := range fs {
		fs[i].TaskDef = label
	}
	return fs
}

// label names the task definition on everything a subject produced.
func (res *subjectResult) label(taskDef string) {
	if taskDef == "" {
		return
	}
	for i := range res.targets {
		res.targets[i].TaskDef = taskDef
	}
	labelFindings(res.findings, taskDef)
	for i := range res.problems {
		res.problems[i].TaskDef = taskDef
	}
	if res.pinned != nil {
		res.pinned.TaskDef = taskDef
	}
}

type subjectResult struct {
	targets  []Target
	findings []Finding
	problems []Problem
	pinned   *Pinned
}

func verifySubject(ctx context.Context, s Subject, in Input, facts *taskFacts, sources *sourceSet, opts Options) subjectResult {
	var res subjectResult
	fail := func(cause error, msg string) subjectResult {
		res.problems = append(res.problems, Problem{Container: s.Container, Image: s.Ref, Message: msg, Cause: cause})
		return res
	}
	var container *taskdef.Container
	if in.TaskDef != nil {
		c, ok := containerNamed(in.TaskDef, s.Container)
		if !ok {
			return fail(nil, fmt.Sprintf("the task definition has no container %q", s.Container))
		}
		if n := containersNamed(in.TaskDef, s.Container); n > 1 {
			// Judging the image with the first one's entryPoint, user and
			// environment could pass what the other runs.
			return fail(nil, fmt.Sprintf("the task definition has %d containers named %q (ECS rejects it), so which definition image %s runs with cannot be told; rename one", n, s.Container, s.Ref))
		}
		container = &c
		if s.FromTask && !c.Image.Known() {
			return fail(ErrUnresolvedImage, unresolvedImageMessage(c))
		}
	}
	opts.Logger.Info("verifying", "container", s.Container, "image", s.Ref)
	src, err := sources.get(ctx, s.Ref)
	if errors.Is(err, image.ErrSchema1) {
		// A verdict, not a failure to verify: no current runtime pulls it.
		res.targets = append(res.targets, Target{Container: s.Container, Image: s.Ref, Checks: []string{FamilyPlatform}})
		c := &checker{container: container}
		c.schema1(err)
		res.findings = append(res.findings, c.findings...)
		return res
	}
	if err != nil {
		return fail(err, describeImageError(err))
	}
	digest, err := src.Digest(ctx)
	if err != nil {
		return fail(err, describeImageError(err))
	}
	if container != nil {
		if pinned, ok := pinRef(s.Ref, digest); ok {
			res.pinned = &Pinned{Container: s.Container, From: s.Ref, To: pinned}
		}
	}
	var wants []v1.Platform
	switch {
	case facts != nil:
		wants = facts.platforms
	case len(in.Platforms) > 0:
		wants = in.Platforms
	default:
		wants, err = runnablePlatforms(ctx, src)
		if err != nil {
			return fail(err, describeImageError(err))
		}
	}
	for _, want := range wants {
		c := &checker{src: src, want: want, container: container, facts: facts, digest: digest.String()}
		t, findings, problem := c.run(ctx)
		res.findings = append(res.findings, findings...)
		if problem != "" {
			res.problems = append(res.problems, Problem{Container: s.Container, Platform: platform.String(&want), Image: s.Ref, Message: problem})
			continue
		}
		t.Container, t.Image = s.Container, s.Ref
		res.targets = append(res.targets, t)
	}
	return res
}

// containersNamed counts the containers called name.
func containersNamed(td *taskdef.TaskDefinition, name string) int {
	n := 0
	for _, c := range td.Containers {
		if c.Name.Known() && c.Name.Value == name {
			n++
		}
	}
	return n
}

// runnablePlatforms lists the platforms an image offers (image-only mode).
func runnablePlatforms(ctx context.Context, src *image.Source) ([]v1.Platform, error) {
	ms, err := src.Manifests(ctx)
	if err != nil {
		return nil, err
	}
	var out []v1.Platform
	for _, m := range ms {
		if m.Kind == image.KindRunnable && m.Platform != nil {
			out = append(out, *m.Platform)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s has no runnable image manifest", image.ErrMalformed, src.Name())
	}
	return out, nil
}

func unresolvedImageMessage(c taskdef.Container) string {
	why := c.Image.Unresolved
	if !c.Image.Set {
		why = "no image is set"
	}
	return fmt.Sprintf("the image of container %q is not known (%s) at %s; give the image to check for it",
		c.Name.Value, why, c.Image.Pos)
}

// describeImageError says what failed, why, and what to try.
func describeImageError(err error) string {
	hint := ""
	var sizeErr *image.SizeMismatchError
	switch {
	case errors.As(err, &sizeErr):
		hint = "the registry or file serves content of another size than its descriptor declares; the runtime's pull fails the same way"
	case errors.Is(err, image.ErrUnauthorized):
		hint = "check credentials: docker login, or AWS credentials for ECR"
	case errors.Is(err, image.ErrNotFound):
		hint = "check the repository, tag and digest"
	case errors.Is(err, image.ErrCanceled):
		hint = "the run was interrupted before the image was read"
	case errors.Is(err, image.ErrNetwork):
		hint = "check that the registry is reachable, then retry"
	case errors.Is(err, image.ErrDigestMismatch):
		hint = "the registry returned content that does not match its digest; retry, and report it if it persists"
	case errors.Is(err, image.ErrLimit):
		hint = "the image exceeds a safety limit"
	case errors.Is(err, image.ErrUnsupported):
		hint = "the runtime cannot pull or apply this image"
	case errors.Is(err, image.ErrMalformed):
		hint = "the image is malformed"
	}
	if hint == "" {
		return err.Error()
	}
	return err.Error() + " (" + hint + ")"
}
