package fakeaws

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

const value = "the-value-nobody-may-read"

// The guard the online tests rely on: a call that returns a value is
// refused, answers no value, and is recorded, so that "no forbidden call"
// in a test means something.
func TestValueReadsAreRefusedAndRecorded(t *testing.T) {
	a := Start(t, "us-east-1", "123456789012")
	a.SetEnv(t)
	a.AddSecret(Secret{Name: "db", Suffix: "AbCdEf", Value: value})
	a.AddParameter(Parameter{Name: "/app/token", Type: "SecureString", Value: value})
	cfg, err := config.LoadDefaultConfig(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sm := secretsmanager.NewFromConfig(cfg)
	params := ssm.NewFromConfig(cfg)
	calls := []struct {
		op   string
		call func() (any, error)
	}{
		{"GetSecretValue", func() (any, error) {
			return sm.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
		}},
		{"BatchGetSecretValue", func() (any, error) {
			return sm.BatchGetSecretValue(t.Context(), &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"db"}})
		}},
		{"GetParameter", func() (any, error) {
			return params.GetParameter(t.Context(), &ssm.GetParameterInput{Name: aws.String("/app/token"), WithDecryption: aws.Bool(true)})
		}},
		{"GetParameters", func() (any, error) {
			return params.GetParameters(t.Context(), &ssm.GetParametersInput{Names: []string{"/app/token"}})
		}},
		{"GetParametersByPath", func() (any, error) {
			return params.GetParametersByPath(t.Context(), &ssm.GetParametersByPathInput{Path: aws.String("/app")})
		}},
	}
	for _, c := range calls {
		out, err := c.call()
		if err == nil || !strings.Contains(err.Error(), "refused by fakeaws") {
			t.Errorf("%s: %+v, %v; want it refused", c.op, out, err)
		}
	}
	var got []string
	for _, f := range a.Forbidden() {
		got = append(got, f.Operation)
	}
	if len(got) != len(calls) {
		t.Errorf("forbidden calls recorded: %v, want all %d", got, len(calls))
	}

	// The metadata calls answer, without the value.
	if _, err := sm.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")}); err != nil {
		t.Errorf("DescribeSecret: %v", err)
	}
	for _, c := range a.Calls() {
		if strings.Contains(c.Body, value) {
			t.Errorf("%s carried the value", c.Operation)
		}
	}
}

// A request not signed for the endpoint's service is refused.
func TestUnsignedRequestsAreRefused(t *testing.T) {
	a := Start(t, "us-east-1", "123456789012")
	for service, url := range a.URLs {
		resp, err := httpPost(t, url)
		if err != nil {
			t.Fatal(err)
		}
		if resp < 400 {
			t.Errorf("%s answered an unsigned request with %d", service, resp)
		}
	}
	if len(a.Calls()) != 0 {
		t.Errorf("unsigned requests were served: %+v", a.Calls())
	}
}

// httpPost sends an unsigned request that is otherwise well formed for
// either protocol and returns the status.
func httpPost(t *testing.T, url string) (int, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader("Action=GetRole&Version=2010-05-08&RoleName=x"))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
