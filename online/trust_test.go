package online

import (
	"errors"
	"net/url"
	"testing"
)

func TestTrustsService(t *testing.T) {
	const ecs = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	tests := []struct {
		name   string
		policy string
		want   bool
		err    error
	}{
		{"ECS tasks", ecs, true, nil},
		{"URL-encoded as IAM returns it", url.PathEscape(ecs), true, nil},
		{"a single statement object, lists and a condition",
			`{"Statement":{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com","ecs-tasks.amazonaws.com"]},"Action":["sts:TagSession","sts:AssumeRole"],
			"Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}}`, true, nil},
		{"action wildcards", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:Assume*"}]}`, true, nil},
		{"any principal", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"}]}`, true, nil},
		{"another service", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, false, nil},
		{"the old ecs.amazonaws.com", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, false, nil},
		{"another action", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`, false, nil},
		{"an account principal only", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`, false, nil},
		{"denied after allowed", `{"Statement":[` + `{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"},` +
			`{"Effect":"Deny","Principal":"*","Action":"sts:*"}]}`, false, nil},
		{"NotPrincipal in an Allow", `{"Statement":[{"Effect":"Allow","NotPrincipal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, false, ErrUndecidable},
		{"a Deny of every principal but an account", `{"Statement":[` + `{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"},` +
			`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`, false, nil},
		{"a Deny of every action but tagging", `{"Statement":[` + `{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"},` +
			`{"Effect":"Deny","Principal":"*","NotAction":"sts:TagSession"}]}`, false, nil},
		{"a Deny of every principal but ECS tasks", `{"Statement":[` + `{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"},` +
			`{"Effect":"Deny","NotPrincipal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, true, nil},
		{"a Deny of every AWS principal", `{"Statement":[` + `{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"},` +
			`{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`, false, nil},
		{"no statement", `{"Version":"2012-10-17"}`, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TrustsService(tt.policy, ECSTasksPrincipal)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("TrustsService = %v, %v; want %v, %v", got, err, tt.want, tt.err)
			}
		})
	}
	for _, bad := range []string{"%7B%zz", `{"Statement": 3}`, "not json"} {
		if _, err := TrustsService(bad, ECSTasksPrincipal); err == nil {
			t.Errorf("TrustsService(%q): no error", bad)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "sts:assumerole", true}, {"sts:*", "sts:assumerole", true}, {"sts:assume?ole", "sts:assumerole", true},
		{"sts:assumerole", "sts:assumerole", true}, {"sts:assume", "sts:assumerole", false}, {"iam:*", "sts:assumerole", false},
		{"*role*", "sts:assumerole", true}, {"", "", true}, {"?", "", false},
	} {
		if got := wildcardMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v", tt.pattern, tt.s, got)
		}
	}
}
