package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/verify"
)

type verifyOptions struct {
	timeout    runTimeout
	images     []string
	taskdefs   []string
	service    string
	containers []string
	params     []string
	resource   string
	platforms  []string
	format     string
	output     string
	failOn     string
	ignore     []string
	pinOut     string
	strict     bool
	registry   registryFlags
	cache      cacheFlags
	online     onlineFlags
	global     *globalOptions
}

func newVerifyCmd(s streams, g *globalOptions) *cobra.Command {
	o := &verifyOptions{global: g}
	cmd := &cobra.Command{
		Use:   "verify [IMAGE...] [--taskdef FILE|ARN|family[:rev]]",
		Short: "Check that images will start on an ECS task definition (the deployment gate)",
		Long: `verify reads each image from its registry (manifests, config and only the first
bytes of the entrypoint binary) and checks that it will start under the task
definition: platform, binary architecture, ELF interpreter, entrypoint, health
check, user, Fargate sizes and roles. docs/rules.md lists every rule.

` + imageRefForms + `

With no IMAGE every container's image in the task definition is verified. With
one IMAGE, it is verified as the image of the task's only container, or of
--container NAME: the CI use, checking the image just built before the task
definition references it. Without --taskdef, --platform checks the image side
only. On EC2 and EXTERNAL, a task without runtimePlatform runs on whatever the
instance is: the platform then comes from its placement constraints
(attribute:ecs.cpu-architecture) or from --platform, never from a guess.

Exit codes: 0 every check ran and nothing reached --fail-on; 1 findings at or
above --fail-on; 2 could not verify (bad input, registry, network or auth
error, digest mismatch). Never 0 on an error.`,
		Example: `  # the CI gate: the image just pushed, against the task definition about to use it
  imgcheck verify 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1 --taskdef taskdef.json

  # every container image of a registered task definition, with SARIF for code scanning
  imgcheck verify --taskdef arn:aws:ecs:us-east-1:123456789012:task-definition/app:7 --format sarif --output imgcheck.sarif

  # pin what was verified, then register exactly that
  imgcheck verify app:v1 --taskdef taskdef.json --pin-out pinned.json
  aws ecs register-task-definition --cli-input-json file://pinned.json

  # right after a build, no task definition: image side only
  imgcheck verify oci:out:sample-server:latest --platform linux/arm64`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.images = args
			return runVerify(cmd.Context(), o, s)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.taskdefs, "taskdef", nil, "task definition: a file (register or describe JSON, CloudFormation JSON/YAML), an ARN or family[:revision]; repeat it, or name a directory, to verify a fleet in one run")
	f.StringVar(&o.service, "service", "", "service definition file (create-service JSON, describe-services output or CloudFormation)")
	f.StringArrayVar(&o.containers, "container", nil, "container the IMAGE is for; repeat once per IMAGE, in order")
	f.StringArrayVar(&o.params, "param", nil, "CloudFormation parameter value as Name=Value; repeatable")
	f.StringVar(&o.resource, "resource", "", "CloudFormation logical ID when the template holds several task definitions")
	f.StringSliceVar(&o.platforms, "platform", nil, "platforms to check, e.g. linux/arm64; repeatable. Without --taskdef: the image side only (default: every platform of the image); with one: the platforms of the EC2 or EXTERNAL instances a task without runtimePlatform runs on")
	f.StringVar(&o.format, "format", "text", "report format: "+strings.Join(verify.Formats(), ", "))
	f.StringVarP(&o.output, "output", "o", "", "write the report to FILE instead of stdout")
	f.StringVar(&o.failOn, "fail-on", "error", "lowest severity that fails the run: error, warning or info")
	f.StringSliceVar(&o.ignore, "ignore", nil, "rule IDs to report as suppressed instead of counting them, e.g. IC313,IC209; repeatable (problems that stop a check are never suppressed)")
	f.StringVar(&o.pinOut, "pin-out", "", "write the task definition with each verified image pinned to its digest (only when verification passes)")
	f.BoolVar(&o.strict, "strict", false, "read whole layers of the files identified and check their digests (more bytes, no prefix reads)")
	o.registry.register(f)
	o.cache.register(f)
	o.online.register(f)
	o.timeout.register(f)
	return cmd
}

func runVerify(ctx context.Context, o *verifyOptions, s streams) error {
	ctx, cancel := o.timeout.apply(ctx)
	defer cancel()
	if !slices.Contains(verify.Formats(), o.format) {
		return fmt.Errorf("unknown --format %q: want one of %s", o.format, strings.Join(verify.Formats(), ", "))
	}
	// From here on, whatever stops the run is also written as a report in
	// the format asked for: a CI step that uploads the report finds one,
	// pointing at the line of the input when the error has a position.
	failOn, err := verify.ParseSeverity(o.failOn)
	if err != nil {
		return inputErrorReport(fmt.Errorf("--fail-on: %w", err), verify.Error, o, s)
	}
	if err := verify.CheckRuleIDs(o.ignore); err != nil {
		return inputErrorReport(fmt.Errorf("--ignore: %w", err), failOn, o, s)
	}
	inputs, err := loadVerifyInputs(ctx, o)
	if err == nil && o.pinOut != "" && (len(inputs) != 1 || inputs[0].TaskDef == nil) {
		err = fmt.Errorf("--pin-out needs exactly one task definition")
	}
	if err != nil {
		return inputErrorReport(err, failOn, o, s)
	}
	logger := o.global.logger(s)
	onlineOpts, err := o.online.options(ctx, s.err)
	if err != nil {
		return inputErrorReport(err, failOn, o, s)
	}
	v := verifier{image: image.Options{Registry: o.registry.options(logger), Strict: o.strict, Logger: logger, LayerIndex: o.cache.layerIndex(logger)},
		failOn: failOn, ignore: o.ignore, logger: logger, online: onlineOpts}
	fmt.Fprintf(s.err, "verifying %d image(s) of %d task definition(s)...\n", countSubjects(inputs), len(inputs))
	report, verdict := v.run(ctx, inputs)
	if o.pinOut != "" {
		// Before the report: a pinned file that could not be written fails
		// the run, and the report must not say it passed.
		if err := writePinned(inputs[0].TaskDef, report, o.pinOut, s.err); err != nil {
			report.ExitCode = exitCodeFor(err)
			report.Errors = append(report.Errors, verify.Problem{Message: err.Error(), Cause: err})
			report.Verdict, report.Summary.CouldNotCheck = verify.VerdictCouldNotVerify, len(report.Errors)
			if werr := writeReport(report, o.format, o.output, s); werr != nil {
				return fmt.Errorf("%w (and %w)", err, werr)
			}
			return err
		}
	}
	if err := writeReport(report, o.format, o.output, s); err != nil {
		return err
	}
	return verdict
}

// inputErrorReport writes the report of a run stopped by err before any
// check (see verify.InputErrorReport) and returns err, which exits 2.
func inputErrorReport(err error, failOn verify.Severity, o *verifyOptions, s streams) error {
	r := verify.InputErrorReport(err, toolInfo(), failOn)
	r.ExitCode = exitCodeFor(err)
	if werr := writeReport(r, o.format, o.output, s); werr != nil {
		return fmt.Errorf("%w (and %w)", err, werr)
	}
	return err
}
