package awsonline

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/imgcheck/imgcheck/online"
)

type iamLookup struct{ a *account }

// GetRole implements online.IAM. IAM is global: the configured region
// only picks the partition's endpoint.
func (l iamLookup) GetRole(ctx context.Context, name string) (online.Role, error) {
	out, err := client(l.a, "iam", "", iam.NewFromConfig).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return online.Role{}, notFound(err, "NoSuchEntity")
	}
	if out.Role == nil {
		return online.Role{}, fmt.Errorf("GetRole %s: the response holds no role", name)
	}
	return online.Role{ARN: aws.ToString(out.Role.Arn), TrustPolicy: aws.ToString(out.Role.AssumeRolePolicyDocument)}, nil
}

type secretsLookup struct{ a *account }

// DescribeSecret implements online.SecretsManager: metadata only.
func (l secretsLookup) DescribeSecret(ctx context.Context, region, id string) (online.Secret, error) {
	c := client(l.a, "secretsmanager", region, secretsmanager.NewFromConfig)
	out, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	if err != nil {
		return online.Secret{}, notFound(err, "ResourceNotFoundException")
	}
	return online.Secret{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), Deleted: out.DeletedDate != nil,
		Versions: out.VersionIdsToStages}, nil
}

type ssmLookup struct{ a *account }

// FindParameter implements online.SSM with DescribeParameters (metadata
// only). SSM may answer a filtered query with empty pages and a token, so
// the pages are followed.
func (l ssmLookup) FindParameter(ctx context.Context, region string, names []string, shared bool) (online.Parameter, error) {
	in := &ssm.DescribeParametersInput{ParameterFilters: []ssmtypes.ParameterStringFilter{
		{Key: aws.String("Name"), Option: aws.String("Equals"), Values: names}}}
	if shared {
		in.Shared = aws.Bool(true)
	}
	pages := ssm.NewDescribeParametersPaginator(client(l.a, "ssm", region, ssm.NewFromConfig), in)
	for n := 0; pages.HasMorePages(); n++ {
		if n == maxPages {
			return online.Parameter{}, fmt.Errorf("DescribeParameters: no answer after %d pages", maxPages)
		}
		page, err := pages.NextPage(ctx)
		if err != nil {
			return online.Parameter{}, notFound(err)
		}
		if len(page.Parameters) > 0 {
			p := page.Parameters[0]
			return online.Parameter{Name: aws.ToString(p.Name), ARN: aws.ToString(p.ARN), Type: string(p.Type)}, nil
		}
	}
	return online.Parameter{}, fmt.Errorf("%w (DescribeParameters lists no parameter named %v)", online.ErrNotFound, names)
}

type logsLookup struct{ a *account }

// LogGroup implements online.Logs: DescribeLogGroups by prefix, then the
// exact name.
func (l logsLookup) LogGroup(ctx context.Context, region, name string) error {
	pages := cloudwatchlogs.NewDescribeLogGroupsPaginator(client(l.a, "logs", region, cloudwatchlogs.NewFromConfig),
		&cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	for n := 0; pages.HasMorePages(); n++ {
		if n == maxPages {
			return fmt.Errorf("DescribeLogGroups: no answer after %d pages", maxPages)
		}
		page, err := pages.NextPage(ctx)
		if err != nil {
			return notFound(err, "ResourceNotFoundException")
		}
		for _, g := range page.LogGroups {
			if aws.ToString(g.LogGroupName) == name {
				return nil
			}
		}
	}
	return fmt.Errorf("%w (DescribeLogGroups lists no group named %s)", online.ErrNotFound, name)
}

type elbLookup struct{ a *account }

// DescribeTargetGroup implements online.ELB.
func (l elbLookup) DescribeTargetGroup(ctx context.Context, region, arn string) (online.TargetGroup, error) {
	out, err := client(l.a, "elbv2", region, elb.NewFromConfig).DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{TargetGroupArns: []string{arn}})
	if err != nil {
		return online.TargetGroup{}, notFound(err, "TargetGroupNotFound")
	}
	for _, tg := range out.TargetGroups {
		if aws.ToString(tg.TargetGroupArn) != arn {
			continue
		}
		return online.TargetGroup{ARN: arn, Name: aws.ToString(tg.TargetGroupName), Protocol: string(tg.Protocol),
			Port: int(aws.ToInt32(tg.Port)), TargetType: string(tg.TargetType), LoadBalancers: tg.LoadBalancerArns,
			HealthCheckPort: aws.ToString(tg.HealthCheckPort)}, nil
	}
	return online.TargetGroup{}, fmt.Errorf("%w (DescribeTargetGroups did not return %s)", online.ErrNotFound, arn)
}

type ecrLookup struct{ a *account }

// DescribeImage implements online.ECR.
func (l ecrLookup) DescribeImage(ctx context.Context, img online.ECRImage) (online.ImageDetail, error) {
	id := ecrtypes.ImageIdentifier{}
	if img.Digest != "" {
		id.ImageDigest = aws.String(img.Digest)
	} else {
		id.ImageTag = aws.String(img.Tag)
	}
	out, err := client(l.a, "ecr", img.Region, ecr.NewFromConfig).DescribeImages(ctx, &ecr.DescribeImagesInput{
		RegistryId: aws.String(img.RegistryID), RepositoryName: aws.String(img.Repository), ImageIds: []ecrtypes.ImageIdentifier{id}})
	if err != nil {
		return online.ImageDetail{}, notFound(err, "ImageNotFoundException", "RepositoryNotFoundException")
	}
	if len(out.ImageDetails) == 0 {
		return online.ImageDetail{}, fmt.Errorf("%w (DescribeImages returned no image)", online.ErrNotFound)
	}
	d := out.ImageDetails[0]
	detail := online.ImageDetail{Digest: aws.ToString(d.ImageDigest), Status: string(d.ImageStatus)}
	if d.ImageScanStatus != nil {
		detail.ScanStatus = string(d.ImageScanStatus.Status)
	}
	if s := d.ImageScanFindingsSummary; s != nil && len(s.FindingSeverityCounts) > 0 {
		detail.FindingCounts = map[string]int{}
		for sev, n := range s.FindingSeverityCounts {
			detail.FindingCounts[string(sev)] = int(n)
		}
	}
	return detail, nil
}
