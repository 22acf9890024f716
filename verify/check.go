package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/platform"
	"github.com/imgcheck/imgcheck/taskdef"
)

// checker is the context every rule runs in: one image for one platform
// (and, with a task definition, one container), or for the task-level
// families (taskLevelFindings) the task definition alone, with only facts.
type checker struct {
	src       *image.Source
	want      v1.Platform
	container *taskdef.Container // nil in image-only mode
	facts     *taskFacts         // nil in image-only mode
	digest    string

	p        *image.Image
	user     *runUser // the run user, once asked for (runUser)
	findings []Finding
}

// errCheck stops a check: the run cannot verify (exit 2).
type errCheck struct{ msg string }

func (e errCheck) Error() string { return e.msg }

// add records a finding of rule id (see newFinding). A checker with an
// image stamps the container and platform it judges; task-level rules run
// without one and name their container themselves.
func (c *checker) add(id string, f Finding) {
	f = newFinding(id, f)
	if c.container != nil {
		f.Container = c.container.Name.Value
	}
	if c.src != nil {
		f.Platform = platform.String(&c.want)
	}
	c.findings = append(c.findings, f)
}

// addStop records a finding after which the checks of its path do not run
// (the start fails there: nothing after it can be judged). Suppressing it
// leaves those checks unrun, which the run must not call a pass.
func (c *checker) addStop(id string, f Finding) {
	c.add(id, f)
	c.findings[len(c.findings)-1].stopped = true
}

// run executes every family of checks. It returns the target, the findings
// and, when a check could not run, the problem.
func (c *checker) run(ctx context.Context) (Target, []Finding, string) {
	t := Target{Digest: c.digest, Platform: platform.String(&c.want)}
	if err := c.selectPlatform(ctx); err != nil {
		var ec errCheck
		if errors.As(err, &ec) {
			return t, c.findings, ec.msg
		}
		return t, c.findings, describeImageError(err)
	}
	if c.p == nil {
		// The platform is missing (IC101): nothing further can run, but the
		// verdict is known: the task will not start.
		t.Checks = []string{FamilyPlatform}
		return t, c.findings, ""
	}
	t.PlatformDigest = c.p.Digest.String()
	t.Checks = append(t.Checks, FamilyPlatform)
	c.platformRules()
	if msg := c.unresolvedInputs(); msg != "" {
		return t, c.findings, msg
	}

	if err := c.entrypointRules(ctx, &t); err != nil {
		return t, c.findings, checkMessage(err)
	}
	t.Checks = append(t.Checks, FamilyEntrypoint)
	if c.container == nil && !strings.EqualFold(c.want.OS, "windows") {
		// Without a task the image's USER is the run user: it must resolve.
		if err := c.userRules(ctx); err != nil {
			return t, c.findings, checkMessage(err)
		}
	}
	if c.container != nil {
		if err := c.containerRules(ctx); err != nil {
			return t, c.findings, checkMessage(err)
		}
		t.Checks = append(t.Checks, FamilyTask)
	}
	return t, c.findings, ""
}

func checkMessage(err error) string {
	var ec errCheck
	if errors.As(err, &ec) {
		return ec.msg
	}
	return describeImageError(err)
}

// selectPlatform picks the manifest the runtime would pull. A missing
// platform is a finding (IC101), not an error.
func (c *checker) selectPlatform(ctx context.Context) error {
	isIndex, err := c.src.IsIndex(ctx)
	if err != nil {
		return c.schema1OrErr(err)
	}
	if !isIndex {
		ms, err := c.src.Manifests(ctx)
		if err != nil {
			return c.schema1OrErr(err)
		}
		if len(ms) != 1 {
			return errCheck{fmt.Sprintf("image %s: expected one manifest, found %d", c.src.Name(), len(ms))}
		}
		c.p, err = c.src.OpenManifest(ctx, ms[0])
		if err != nil {
			return c.schema1OrErr(err)
		}
		if !platform.Matches(platform.OSArch(c.want), c.p.ConfigPlatform) {
			c.add("IC102", Finding{
				Message:  fmt.Sprintf("the image is a single %s image but the task runs %s", platform.String(&c.p.ConfigPlatform), platform.String(&c.want)),
				Evidence: fmt.Sprintf("config os=%s architecture=%s of manifest %s", c.p.ConfigPlatform.OS, c.p.ConfigPlatform.Architecture, c.p.Digest),
				Fix:      "build the image for the task's platform, or a multi-platform index (imgcheck build --platform linux/amd64,linux/arm64)"})
		}
		return nil
	}
	p, err := c.src.Select(ctx, c.want)
	var nm *image.NoMatchingPlatformError
	if errors.As(err, &nm) && c.want.OSVersion != "" {
		// A Windows image for another OS build: say so precisely.
		loose := c.want
		loose.OSVersion = ""
		if p2, err2 := c.src.Select(ctx, loose); err2 == nil {
			c.p = p2
			return nil
		}
	}
	if errors.As(err, &nm) {
		c.addStop("IC101", Finding{
			Message:  fmt.Sprintf("the image has no manifest for %s: the pull will fail (\"image Manifest does not contain descriptor matching platform\")", platform.String(&c.want)),
			Evidence: "the index offers: " + describeAvailable(nm.Available),
			Fix:      "build and push the missing platform, or change runtimePlatform.cpuArchitecture"})
		return nil
	}
	if err != nil {
		return c.schema1OrErr(err)
	}
	c.p = p
	return nil
}

// schema1OrErr turns a schema 1 manifest into finding IC104.
func (c *checker) schema1OrErr(err error) error {
	if errors.Is(err, image.ErrSchema1) {
		c.schema1(err)
		return nil
	}
	return err
}

func describeAvailable(ms []image.Manifest) string {
	var parts []string
	for _, m := range ms {
		s := platform.String(m.Platform)
		if m.Kind != image.KindRunnable {
			s += " (" + string(m.Kind) + ")"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

// unresolvedInputs names a container field the checks depend on whose value
// is a template or CloudFormation expression: judging the image with a
// guess for it could pass what would not start, so the run cannot verify.
func (c *checker) unresolvedInputs() string {
	if c.container == nil {
		return ""
	}
	ct := c.container
	type field struct {
		name, why string
		pos       taskdef.Pos
	}
	fields := []field{
		{"entryPoint", ct.EntryPoint.Unresolved, ct.EntryPoint.Pos},
		{"command", ct.Command.Unresolved, ct.Command.Pos},
		{"workingDirectory", ct.WorkingDirectory.Unresolved, ct.WorkingDirectory.Pos},
		{"user", ct.User.Unresolved, ct.User.Pos},
	}
	if hc := ct.HealthCheck; hc != nil {
		fields = append(fields, field{"healthCheck.command", hc.Command.Unresolved, hc.Command.Pos})
	}
	for _, kv := range ct.Environment {
		if kv.Name.Value == "PATH" {
			fields = append(fields, field{"environment PATH", kv.Value.Unresolved, kv.Value.Pos})
		}
	}
	for _, u := range capabilityInputs(ct) {
		fields = append(fields, field{u.field, u.why, u.pos})
	}
	for _, f := range fields {
		if f.why != "" {
			return fmt.Sprintf("%s of container %q is not known (%s) at %s; render the template or give the CloudFormation parameters before verifying",
				f.name, ct.Name.Value, f.why, f.pos)
		}
	}
	return ""
}
