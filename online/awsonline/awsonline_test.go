package awsonline

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/internal/fakeaws"
	"github.com/imgcheck/imgcheck/internal/fakeecr"
	"github.com/imgcheck/imgcheck/online"
)

const (
	region    = "us-east-1"
	accountID = "123456789012"
	tgARN     = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/app/0123456789abcdef"
	digest    = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	// secretValue must never be asked for, nor appear anywhere.
	secretValue = "s3cr3t-value-that-must-never-be-read"
	ecsTrust    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)

// fakeAccount starts the fake endpoints, holding one of each resource, and
// points the SDK at them.
func fakeAccount(t *testing.T) (*fakeaws.Account, *fakeecr.Server) {
	t.Helper()
	ecr := fakeecr.Start(t, fakeecr.Options{Account: accountID})
	ecr.SetEnv(t, region)
	aws := fakeaws.Start(t, region, accountID)
	aws.SetEnv(t) // after ECR's: its settings win, AWS_ENDPOINT_URL_ECR stays
	aws.AddRole(fakeaws.Role{Name: "exec", TrustPolicy: ecsTrust})
	aws.AddSecret(fakeaws.Secret{Name: "db", Suffix: "AbCdEf", Value: secretValue, Versions: map[string][]string{"v1": {"AWSCURRENT"}}})
	aws.AddSecret(fakeaws.Secret{Name: "db", Suffix: "XyZxYz", Value: secretValue, Region: "eu-west-1"})
	aws.AddParameter(fakeaws.Parameter{Name: "/app/token", Type: "SecureString", Value: secretValue})
	aws.AddParameter(fakeaws.Parameter{Name: "/shared/token", Type: "String", Value: secretValue, Shared: true})
	aws.AddLogGroup(region, "/ecs/app-other")
	aws.AddLogGroup(region, "/ecs/app")
	aws.AddTargetGroup(fakeaws.TargetGroup{ARN: tgARN, Name: "app", Protocol: "HTTP", Port: 8080, TargetType: "ip", HealthCheckPort: "traffic-port",
		LoadBalancers: []string{"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/1"}})
	ecr.AddImage("team/app", fakeecr.Image{Digest: digest, Tags: []string{"v1"}, Status: "ACTIVE", ScanStatus: "COMPLETE",
		Findings: map[string]int{"CRITICAL": 1, "LOW": 4}})
	return aws, ecr
}

func newClients(t *testing.T) online.Clients {
	t.Helper()
	c, err := New(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// lookup is one call of each service, for a resource that exists and one
// that does not.
type lookup struct {
	service   string
	operation string
	present   func(context.Context, online.Clients) error
	missing   func(context.Context, online.Clients) error
}

var lookups = []lookup{
	{"IAM", "GetRole",
		func(ctx context.Context, c online.Clients) error {
			r, err := c.IAM.GetRole(ctx, "exec")
			if err == nil {
				if ok, terr := online.TrustsService(r.TrustPolicy, online.ECSTasksPrincipal); !ok || terr != nil {
					return errors.New("the trust policy did not survive the round trip: " + r.TrustPolicy)
				}
			}
			return err
		},
		func(ctx context.Context, c online.Clients) error { _, err := c.IAM.GetRole(ctx, "nope"); return err }},
	{"Secrets Manager", "DescribeSecret",
		func(ctx context.Context, c online.Clients) error {
			s, err := c.SecretsManager.DescribeSecret(ctx, "", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf")
			if err == nil && (s.Name != "db" || s.Deleted || len(s.Versions["v1"]) != 1) {
				return errors.New("unexpected secret metadata")
			}
			return err
		},
		func(ctx context.Context, c online.Clients) error {
			_, err := c.SecretsManager.DescribeSecret(ctx, "", "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-AbCdEf")
			return err
		}},
	{"SSM", "DescribeParameters",
		func(ctx context.Context, c online.Clients) error {
			p, err := c.SSM.FindParameter(ctx, "", []string{"app/token", "/app/token"}, false)
			if err == nil && p.Name != "/app/token" {
				return errors.New("found " + p.Name)
			}
			return err
		},
		func(ctx context.Context, c online.Clients) error {
			_, err := c.SSM.FindParameter(ctx, "", []string{"/app/nope"}, false)
			return err
		}},
	{"CloudWatch Logs", "DescribeLogGroups",
		func(ctx context.Context, c online.Clients) error { return c.Logs.LogGroup(ctx, region, "/ecs/app") },
		// A prefix of an existing group is not that group.
		func(ctx context.Context, c online.Clients) error { return c.Logs.LogGroup(ctx, region, "/ecs/ap") }},
	{"ELBv2", "DescribeTargetGroups",
		func(ctx context.Context, c online.Clients) error {
			tg, err := c.ELB.DescribeTargetGroup(ctx, region, tgARN)
			if err == nil && (tg.Protocol != "HTTP" || tg.Port != 8080 || tg.TargetType != "ip" || tg.HealthCheckPort != "traffic-port" || len(tg.LoadBalancers) != 1) {
				return errors.New("unexpected target group")
			}
			return err
		},
		func(ctx context.Context, c online.Clients) error {
			_, err := c.ELB.DescribeTargetGroup(ctx, region, strings.Replace(tgARN, "targetgroup/app", "targetgroup/nope", 1))
			return err
		}},
	{"ECR", "DescribeImages",
		func(ctx context.Context, c online.Clients) error {
			d, err := c.ECR.DescribeImage(ctx, online.ECRImage{Region: region, RegistryID: accountID, Repository: "team/app", Tag: "v1"})
			if err == nil && (d.Digest != digest || d.Status != "ACTIVE" || d.ScanStatus != "COMPLETE" || d.FindingCounts["CRITICAL"] != 1) {
				return errors.New("unexpected image detail")
			}
			return err
		},
		func(ctx context.Context, c online.Clients) error {
			_, err := c.ECR.DescribeImage(ctx, online.ECRImage{Region: region, RegistryID: accountID, Repository: "team/app", Digest: digest[:len(digest)-1] + "0"})
			return err
		}},
}

// Each lookup through the real SDK: a resource that exists, one that does
// not (ErrNotFound), and access denied and throttling, which must never
// read as "does not exist".
func TestLookups(t *testing.T) {
	for _, l := range lookups {
		t.Run(l.service, func(t *testing.T) {
			aws, ecr := fakeAccount(t)
			c := newClients(t)
			if err := l.present(t.Context(), c); err != nil {
				t.Fatalf("present: %v", err)
			}
			if err := l.missing(t.Context(), c); !errors.Is(err, online.ErrNotFound) {
				t.Fatalf("missing: %v, want ErrNotFound", err)
			}
			for _, fault := range []struct {
				fault fakeaws.Fault
				ecr   *fakeecr.APIError
				want  string
			}{
				{fakeaws.AccessDenied, &fakeecr.APIError{Status: 400, Type: "AccessDeniedException", Message: "not authorized"}, "AccessDenied"},
				{fakeaws.Throttled, &fakeecr.APIError{Status: 400, Type: "ThrottlingException", Message: "Rate exceeded"}, "Throttl"},
			} {
				if l.service == "ECR" {
					ecr.FailWith(fault.ecr)
				} else {
					aws.Fail(l.operation, fault.fault)
				}
				err := l.present(t.Context(), c)
				if err == nil || errors.Is(err, online.ErrNotFound) || !strings.Contains(err.Error(), fault.want) {
					t.Errorf("%s: %v, want an error naming %s that is not ErrNotFound", fault.want, err, fault.want)
				}
				if denied := fault.fault == fakeaws.AccessDenied; errors.Is(err, online.ErrAccessDenied) != denied {
					t.Errorf("%s: errors.Is(err, ErrAccessDenied) = %v, want %v", fault.want, !denied, denied)
				}
			}
			if f := aws.Forbidden(); len(f) > 0 {
				t.Errorf("values were asked for: %+v", f)
			}
		})
	}
}

// Resources named by ARN are asked in their own region; parameters shared
// by another accountID are found with Shared; listing pages that come back
// empty are followed.
func TestLookupRegionsSharingAndPages(t *testing.T) {
	aws, _ := fakeAccount(t)
	c := newClients(t)
	ctx := t.Context()
	if _, err := c.SecretsManager.DescribeSecret(ctx, "eu-west-1", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-XyZxYz"); err != nil {
		t.Errorf("secret in eu-west-1: %v", err)
	}
	if err := c.Logs.LogGroup(ctx, "eu-west-1", "/ecs/app"); !errors.Is(err, online.ErrNotFound) {
		t.Errorf("log group of us-east-1 looked up in eu-west-1: %v", err)
	}
	if _, err := c.SSM.FindParameter(ctx, "", []string{"/shared/token"}, false); !errors.Is(err, online.ErrNotFound) {
		t.Errorf("shared parameter without Shared: %v", err)
	}
	if _, err := c.SSM.FindParameter(ctx, "", []string{"/shared/token"}, true); err != nil {
		t.Errorf("shared parameter with Shared: %v", err)
	}
	aws.SetEmptyPages(3)
	if _, err := c.SSM.FindParameter(ctx, "", []string{"/app/token"}, false); err != nil {
		t.Errorf("parameter after empty pages: %v", err)
	}
	if err := c.Logs.LogGroup(ctx, region, "/ecs/app"); err != nil {
		t.Errorf("log group after empty pages: %v", err)
	}
	regions := map[string]string{}
	for _, call := range aws.Calls() {
		if call.Operation == "DescribeSecret" {
			regions[call.Region] = call.Body
		}
	}
	if _, ok := regions["eu-west-1"]; !ok {
		t.Errorf("no DescribeSecret was signed for eu-west-1: %v", aws.Calls())
	}
}

// New fails at once without a region or credentials, rather than once per
// lookup.
func TestNewNeedsRegionAndCredentials(t *testing.T) {
	fakeAccount(t)
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	if _, err := New(t.Context(), Options{}); err == nil || !strings.Contains(err.Error(), "no AWS region") {
		t.Errorf("without a region: %v", err)
	}
	t.Setenv("AWS_REGION", region)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	if _, err := New(t.Context(), Options{}); err == nil || !strings.Contains(err.Error(), "no AWS credentials") {
		t.Errorf("without credentials: %v", err)
	}
}
