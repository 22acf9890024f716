package verify

import (
	"context"
	"errors"
	"fmt"

	"github.com/imgcheck/imgcheck/online"
	"github.com/imgcheck/imgcheck/taskdef"
)

// OnlineOptions turn on the online family (IC5xx): asking AWS whether what
// each task definition names exists. Without them verify reads only the
// task definition and the registries.
type OnlineOptions struct {
	// Clients answer the lookups (package online/awsonline implements them
	// with the AWS SDK). RunAll caches them for the run (online.Cached).
	Clients online.Clients
	// Scan also reports each ECR image's scan findings summary.
	Scan bool
}

// onlineChecker runs the online rules for one input: the task definition
// (nil in image-only mode, where only images are looked up) and the image
// each container runs.
type onlineChecker struct {
	checker
	ctx      context.Context
	aws      online.Clients
	scan     bool
	subjects []Subject
	problems []Problem
}

// onlineFindings runs the online family on one input.
func onlineFindings(ctx context.Context, in Input, f *taskFacts, opts *OnlineOptions, clients online.Clients) ([]Finding, []Problem) {
	c := &onlineChecker{checker: checker{facts: f}, ctx: ctx, aws: clients, scan: opts.Scan, subjects: in.Subjects}
	if f != nil {
		c.roleRules()
		c.secretRules()
		c.logGroupRules()
		c.targetGroupRules()
	}
	c.imageRules()
	return c.findings, c.problems
}

// cannot records that a lookup could not tell: the run cannot verify.
// permission names the IAM action the lookup needs, for the hint when
// access was denied.
func (c *onlineChecker) cannot(container, what, permission string, err error) {
	msg := fmt.Sprintf("could not check %s online: %v", what, err)
	if errors.Is(err, online.ErrAccessDenied) && permission != "" {
		msg += " (the AWS credentials need " + permission + ")"
	}
	c.problems = append(c.problems, Problem{Container: container, Message: msg, Cause: err})
}

// unknown records that a value an online rule reads is not known, unless
// it names a resource the same CloudFormation template creates: the stack
// makes that exist, and nothing about it can be asked before it does.
func (c *onlineChecker) unknown(container, what string, s taskdef.String) {
	if s.StackResource != "" {
		return
	}
	c.problems = append(c.problems, Problem{Container: container, Cause: ErrUnresolvedValue,
		Message: fmt.Sprintf("could not check %s online: the value is not known (%s) at %s; render the template or give its parameters first", what, s.Unresolved, s.Pos)})
}

// errNoClient: the caller gave no client for a service a rule needs.
var errNoClient = errors.New("no client for this AWS service")

func labelProblems(ps []Problem, label string) []Problem {
	for i := range ps {
		ps[i].TaskDef = label
	}
	return ps
}
