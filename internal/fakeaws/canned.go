package fakeaws

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// CannedResponse is an HTTP client for the SDK that answers every request
// with one HTTP 200 JSON 1.1 body, with no server behind it: fuzz targets
// run thousands of response bodies through a real SDK client.
type CannedResponse []byte

// Do answers req with the body.
func (c CannedResponse) Do(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {jsonContentType}},
		Body:    io.NopCloser(bytes.NewReader(c)),
		Request: req, ContentLength: int64(len(c)),
	}, nil
}

// CannedConfig are the config options that make an SDK client get body as
// the answer to every call, signed with static credentials and tried once.
func CannedConfig(body []byte) []func(*config.LoadOptions) error {
	return []func(*config.LoadOptions) error{
		config.WithHTTPClient(CannedResponse(body)),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")),
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
	}
}

// IsolateEnv keeps the machine's AWS configuration (shared files, profile,
// endpoints, credentials, IMDS) out of the rest of a test.
func IsolateEnv(tb testing.TB) {
	tb.Helper()
	for _, k := range []string{"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		tb.Setenv(k, os.DevNull)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL_ECS",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CA_BUNDLE"} {
		tb.Setenv(k, "")
	}
	tb.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}
