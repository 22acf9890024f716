package online

import (
	"reflect"
	"testing"
)

func TestParseValueFrom(t *testing.T) {
	const sm = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf"
	tests := []struct {
		in   string
		want SecretRef
	}{
		{sm, SecretRef{Kind: KindSecret, Region: "eu-west-1", Account: "111122223333", ID: sm}},
		{sm + ":password::", SecretRef{Kind: KindSecret, Region: "eu-west-1", Account: "111122223333", ID: sm, JSONKey: "password"}},
		{sm + "::AWSPREVIOUS:", SecretRef{Kind: KindSecret, Region: "eu-west-1", Account: "111122223333", ID: sm, VersionStage: "AWSPREVIOUS"}},
		{sm + ":user::0a1b2c3d-1111-2222-3333-444455556666", SecretRef{Kind: KindSecret, Region: "eu-west-1", Account: "111122223333", ID: sm,
			JSONKey: "user", VersionID: "0a1b2c3d-1111-2222-3333-444455556666"}},
		{"arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:partial", SecretRef{Kind: KindSecret, Region: "cn-north-1", Account: "111122223333",
			ID: "arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:partial"}},
		{"arn:aws:ssm:us-east-1:111122223333:parameter/app/db/password", SecretRef{Kind: KindParameter, Region: "us-east-1", Account: "111122223333",
			Names: []string{"/app/db/password"}}},
		{"arn:aws:ssm:us-east-1:111122223333:parameter/token", SecretRef{Kind: KindParameter, Region: "us-east-1", Account: "111122223333",
			Names: []string{"token", "/token"}}},
		{"arn:aws:ssm:us-east-1:111122223333:parameter/aws/reference/secretsmanager/db", SecretRef{Kind: KindSecret, Region: "us-east-1",
			Account: "111122223333", ID: "db"}},
		{"/app/db/password", SecretRef{Kind: KindParameter, Names: []string{"/app/db/password"}}},
		{"token", SecretRef{Kind: KindParameter, Names: []string{"token"}}},
		{"/aws/reference/secretsmanager/db", SecretRef{Kind: KindSecret, ID: "db"}},
	}
	for _, tt := range tests {
		got, err := ParseValueFrom(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseValueFrom(%q) = %+v, %v\nwant %+v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{
		"",
		"arn:aws:secretsmanager:us-east-1:111122223333:db",
		"arn:aws:secretsmanager:us-east-1:111122223333:secret:",
		"arn:aws:secretsmanager:us-east-1:111122223333:secret:db:a:b:c:d",
		"arn:aws:ssm:us-east-1:111122223333:document/x",
		"arn:aws:ssm:us-east-1:111122223333:parameter/",
		"arn:aws:s3:::bucket/key",
	} {
		if got, err := ParseValueFrom(bad); err == nil {
			t.Errorf("ParseValueFrom(%q) = %+v, want an error", bad, got)
		}
	}
}

func TestRoleName(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:iam::111122223333:role/ecsTaskExecutionRole":       "ecsTaskExecutionRole",
		"arn:aws:iam::111122223333:role/service-role/app/task-role": "task-role",
		"arn:aws-us-gov:iam::111122223333:role/app":                 "app",
		"app-task": "app-task",
	} {
		if got, err := RoleName(in); err != nil || got != want {
			t.Errorf("RoleName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:role/", "arn:aws:s3:::x", "role/app"} {
		if got, err := RoleName(bad); err == nil {
			t.Errorf("RoleName(%q) = %q, want an error", bad, got)
		}
	}
}

func TestTargetGroupRegion(t *testing.T) {
	got, err := TargetGroupRegion("arn:aws:elasticloadbalancing:ap-northeast-1:111122223333:targetgroup/app/0123456789abcdef")
	if err != nil || got != "ap-northeast-1" {
		t.Errorf("got %q, %v", got, err)
	}
	if _, err := TargetGroupRegion("arn:aws:elasticloadbalancing:ap-northeast-1:111122223333:loadbalancer/app/x/y"); err == nil {
		t.Error("a load balancer ARN was taken for a target group")
	}
}

func TestParseECRImage(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		in   string
		want ECRImage
		ok   bool
	}{
		{"111122223333.dkr.ecr.us-east-1.amazonaws.com/team/app:v1", ECRImage{Region: "us-east-1", RegistryID: "111122223333", Repository: "team/app", Tag: "v1"}, true},
		{"111122223333.dkr.ecr.us-east-1.amazonaws.com/app", ECRImage{Region: "us-east-1", RegistryID: "111122223333", Repository: "app", Tag: "latest"}, true},
		{"111122223333.dkr.ecr.eu-central-1.amazonaws.com/app:v1@" + digest, ECRImage{Region: "eu-central-1", RegistryID: "111122223333", Repository: "app", Digest: digest}, true},
		{"public.ecr.aws/nginx/nginx:1", ECRImage{}, false},
		{"nginx:1", ECRImage{}, false},
		{"oci:./out", ECRImage{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseECRImage(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseECRImage(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
