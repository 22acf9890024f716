package verify

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/imgcheck/imgcheck/online"
	"github.com/imgcheck/imgcheck/taskdef"
)

// roleRules: the execution and task roles exist and ECS can assume them.
func (c *onlineChecker) roleRules() {
	td := c.facts.td
	for _, r := range []struct {
		field string
		ref   taskdef.String
	}{{"executionRoleArn", td.ExecutionRoleArn}, {"taskRoleArn", td.TaskRoleArn}} {
		if !r.ref.Set || r.ref.Value == "" {
			continue
		}
		if r.ref.Unresolved != "" {
			c.unknown("", r.field, r.ref)
			continue
		}
		what := r.field + " " + r.ref.Value
		name, err := online.RoleName(r.ref.Value)
		if err != nil {
			c.cannot("", what, "", err)
			continue
		}
		if c.aws.IAM == nil {
			c.cannot("", what, "", errNoClient)
			continue
		}
		role, err := c.aws.IAM.GetRole(c.ctx, name)
		switch {
		case errors.Is(err, online.ErrNotFound):
			c.add("IC501", Finding{
				Message:  fmt.Sprintf("%s names IAM role %s, which does not exist: ECS cannot start the task", r.field, name),
				Evidence: "iam:GetRole " + name + ": " + err.Error(),
				Fix:      "create the role, or name an existing one",
				Location: loc(r.ref.Pos)})
			continue
		case err != nil:
			c.cannot("", what, "iam:GetRole", err)
			continue
		}
		trusted, err := online.TrustsService(role.TrustPolicy, online.ECSTasksPrincipal)
		if err != nil {
			c.cannot("", "the trust policy of "+what, "", err)
			continue
		}
		if !trusted {
			c.add("IC502", Finding{
				Message:  fmt.Sprintf("IAM role %s (%s) does not trust %s: ECS cannot assume it", name, r.field, online.ECSTasksPrincipal),
				Evidence: "no Allow of sts:AssumeRole to service " + online.ECSTasksPrincipal + " in the role's trust policy",
				Fix:      `add a trust policy statement {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}`,
				Location: loc(r.ref.Pos)})
		}
	}
}

// secretRules: every secret a container reads (secrets, and the registry
// credentials of repositoryCredentials) exists. Only metadata is asked for.
func (c *onlineChecker) secretRules() {
	for _, ct := range c.facts.td.Containers {
		for _, s := range ct.Secrets {
			c.secretRule(ct.Name.Value, fmt.Sprintf("secret %s of container %q", s.Name.Value, ct.Name.Value), s.ValueFrom, false)
		}
		c.secretRule(ct.Name.Value, fmt.Sprintf("repositoryCredentials of container %q", ct.Name.Value), ct.RepositoryCredentials, true)
	}
}

// secretRule checks one secret reference. For repositoryCredentials
// (secretOnly) a value that is not an ARN is a secret's name, not a
// parameter's: registry credentials live in Secrets Manager.
func (c *onlineChecker) secretRule(container, what string, valueFrom taskdef.String, secretOnly bool) {
	if !valueFrom.Set || valueFrom.Value == "" {
		return
	}
	if valueFrom.Unresolved != "" {
		c.unknown(container, what, valueFrom)
		return
	}
	ref, err := online.ParseValueFrom(valueFrom.Value)
	if err != nil {
		c.cannot(container, what, "", err)
		return
	}
	if _, isARN := online.ParseARN(valueFrom.Value); secretOnly && !isARN {
		ref = online.SecretRef{Kind: online.KindSecret, ID: valueFrom.Value}
	}
	if ref.Kind == online.KindSecret {
		c.secretExists(container, what, ref, valueFrom.Pos)
	} else {
		c.parameterExists(container, what, ref, valueFrom.Pos)
	}
}

func (c *onlineChecker) secretExists(container, what string, ref online.SecretRef, pos taskdef.Pos) {
	if c.aws.SecretsManager == nil {
		c.cannot(container, what, "", errNoClient)
		return
	}
	secret, err := c.aws.SecretsManager.DescribeSecret(c.ctx, ref.Region, ref.ID)
	if err != nil && !errors.Is(err, online.ErrNotFound) {
		c.cannot(container, what, "secretsmanager:DescribeSecret", err)
		return
	}
	missing := ""
	switch {
	case err != nil:
		missing = "does not exist"
	case secret.Deleted:
		missing = "is scheduled for deletion"
	case ref.VersionStage != "" && !slices.ContainsFunc(versionStages(secret), func(s string) bool { return s == ref.VersionStage }):
		missing = "has no version labelled " + ref.VersionStage
	case ref.VersionID != "" && secret.Versions[ref.VersionID] == nil:
		missing = "has no version " + ref.VersionID
	}
	if missing == "" {
		return
	}
	evidence := "secretsmanager:DescribeSecret " + ref.ID
	if err != nil {
		evidence += ": " + err.Error()
	}
	c.add("IC503", Finding{Container: container,
		Message:  fmt.Sprintf("%s: Secrets Manager secret %s %s; the task fails to start (ResourceInitializationError)", what, ref.ID, missing),
		Evidence: evidence,
		Fix:      "create the secret (or its version) in the task's account and region, or fix valueFrom",
		Location: loc(pos)})
}

func versionStages(s online.Secret) []string {
	var out []string
	for _, stages := range s.Versions {
		out = append(out, stages...)
	}
	return out
}

func (c *onlineChecker) parameterExists(container, what string, ref online.SecretRef, pos taskdef.Pos) {
	if c.aws.SSM == nil {
		c.cannot(container, what, "", errNoClient)
		return
	}
	_, err := c.aws.SSM.FindParameter(c.ctx, ref.Region, ref.Names, false)
	if errors.Is(err, online.ErrNotFound) && ref.Account != "" {
		// An ARN may name another account's parameter, shared with this one.
		_, err = c.aws.SSM.FindParameter(c.ctx, ref.Region, ref.Names, true)
	}
	switch {
	case errors.Is(err, online.ErrNotFound):
		c.add("IC504", Finding{Container: container,
			Message:  fmt.Sprintf("%s: SSM parameter %s does not exist; the task fails to start (ResourceInitializationError)", what, strings.Join(ref.Names, " or ")),
			Evidence: "ssm:DescribeParameters Name=" + strings.Join(ref.Names, ",") + ": " + err.Error(),
			Fix:      "create the parameter in the task's region (or name it by ARN in its own region), or fix valueFrom",
			Location: loc(pos)})
	case err != nil:
		c.cannot(container, what, "ssm:DescribeParameters", err)
	}
}

// logGroupRules: the awslogs group exists unless the driver creates it.
func (c *onlineChecker) logGroupRules() {
	for _, ct := range c.facts.td.Containers {
		lc := ct.LogConfiguration
		if lc == nil || lc.LogDriver.Value != "awslogs" {
			continue
		}
		name := ct.Name.Value
		group, region, create := lc.Options["awslogs-group"], lc.Options["awslogs-region"], lc.Options["awslogs-create-group"]
		if create.Unresolved != "" {
			c.unknown(name, "awslogs-create-group", create)
			continue
		}
		if on, err := strconv.ParseBool(create.Value); create.Set && err == nil && on {
			continue // the driver creates the group (the execution role needs logs:CreateLogGroup)
		}
		if !group.Set || group.Value == "" {
			continue // the loader and ECS refuse awslogs without a group
		}
		what := fmt.Sprintf("log group %s of container %q", group.Value, name)
		if group.Unresolved != "" {
			c.unknown(name, what, group)
			continue
		}
		if region.Unresolved != "" {
			c.unknown(name, what, region)
			continue
		}
		if c.aws.Logs == nil {
			c.cannot(name, what, "", errNoClient)
			continue
		}
		err := c.aws.Logs.LogGroup(c.ctx, region.Value, group.Value)
		switch {
		case errors.Is(err, online.ErrNotFound):
			in := "the task's region"
			if region.Value != "" {
				in = region.Value
			}
			c.add("IC505", Finding{Container: name,
				Message:  fmt.Sprintf("awslogs group %s does not exist in %s and awslogs-create-group is not true: the container fails to start", group.Value, in),
				Evidence: "logs:DescribeLogGroups " + group.Value + ": " + err.Error(),
				Fix:      `create the log group, or set "awslogs-create-group": "true" (the execution role then needs logs:CreateLogGroup)`,
				Location: loc(group.Pos)})
		case err != nil:
			c.cannot(name, what, "logs:DescribeLogGroups", err)
		}
	}
}

// imageRules: the ECR image each container runs exists and, when asked,
// what its scan found.
func (c *onlineChecker) imageRules() {
	for _, img := range c.images() {
		ecr, ok := online.ParseECRImage(img.ref)
		if !ok {
			continue
		}
		what := fmt.Sprintf("image %s", img.ref)
		if c.aws.ECR == nil {
			c.cannot(img.container, what, "", errNoClient)
			continue
		}
		d, err := c.aws.ECR.DescribeImage(c.ctx, ecr)
		switch {
		case errors.Is(err, online.ErrNotFound):
			c.add("IC510", Finding{Container: img.container,
				Message:  fmt.Sprintf("image %s is not in ECR: the pull fails (CannotPullContainerError)", img.ref),
				Evidence: "ecr:DescribeImages " + ecr.String() + ": " + err.Error(),
				Fix:      "push the image, or fix the repository, tag or digest",
				Location: loc(img.pos)})
			continue
		case err != nil:
			c.cannot(img.container, what, "ecr:DescribeImages", err)
			continue
		case d.Status != "" && d.Status != "ACTIVE":
			c.add("IC510", Finding{Container: img.container,
				Message:  fmt.Sprintf("image %s is %s in ECR: only an active image can be pulled", img.ref, strings.ToLower(d.Status)),
				Evidence: "ecr:DescribeImages " + ecr.String() + ": imageStatus " + d.Status,
				Fix:      "restore the image from the archive before deploying",
				Location: loc(img.pos)})
			continue
		}
		if c.scan {
			c.scanRules(img, ecr, d)
		}
	}
}

func (c *onlineChecker) scanRules(img onlineImage, ecr online.ECRImage, d online.ImageDetail) {
	if d.ScanStatus != "COMPLETE" && len(d.FindingCounts) == 0 {
		status := d.ScanStatus
		if status == "" {
			status = "never scanned"
		}
		c.add("IC512", Finding{Container: img.container,
			Message:  fmt.Sprintf("image %s has no completed ECR scan (%s)", img.ref, status),
			Evidence: "ecr:DescribeImages " + ecr.String() + ": imageScanStatus " + status,
			Fix:      "turn on scan on push for the repository, or start a scan (aws ecr start-image-scan)",
			Location: loc(img.pos)})
		return
	}
	if d.FindingCounts["CRITICAL"]+d.FindingCounts["HIGH"] == 0 {
		return
	}
	var counts []string
	for _, sev := range []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED"} {
		if n := d.FindingCounts[sev]; n > 0 {
			counts = append(counts, fmt.Sprintf("%s %d", sev, n))
		}
	}
	c.add("IC511", Finding{Container: img.container,
		Message:  fmt.Sprintf("the ECR scan of image %s found %d critical and %d high severity vulnerabilities", img.ref, d.FindingCounts["CRITICAL"], d.FindingCounts["HIGH"]),
		Evidence: "imageScanFindingsSummary: " + strings.Join(counts, ", "),
		Fix:      "rebuild on a patched base image and dependencies (aws ecr describe-image-scan-findings lists them)",
		Location: loc(img.pos)})
}

// onlineImage is the image one container runs: the one verified for it,
// else the task definition's.
type onlineImage struct {
	container, ref string
	pos            taskdef.Pos
}

func (c *onlineChecker) images() []onlineImage {
	var out []onlineImage
	if c.facts == nil {
		for _, s := range c.subjects {
			out = append(out, onlineImage{container: s.Container, ref: s.Ref})
		}
		return out
	}
	for _, ct := range c.facts.td.Containers {
		img := onlineImage{container: ct.Name.Value, ref: ct.Image.Value, pos: ct.Image.Pos}
		if i := slices.IndexFunc(c.subjects, func(s Subject) bool { return s.Container == ct.Name.Value }); i >= 0 {
			img.ref = c.subjects[i].Ref
			if !c.subjects[i].FromTask {
				img.pos = taskdef.Pos{} // the image given, not the task's
			}
		} else if !ct.Image.Known() {
			continue // not verified, and not known: the image checks say so
		}
		out = append(out, img)
	}
	return out
}
