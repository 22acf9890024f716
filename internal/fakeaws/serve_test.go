package fakeaws

import (
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// hostRecorder is an SDK HTTP client that sends nothing: it records the
// host a request was for and fails it.
type hostRecorder struct{ hosts []string }

var errNotSent = errors.New("not sent")

func (h *hostRecorder) Do(req *http.Request) (*http.Response, error) {
	h.hosts = append(h.hosts, req.URL.Host)
	return nil, errNotSent
}

// A service no fake serves must resolve to the loopback interface, never
// to AWS; a fake's own endpoint variable still wins.
func TestSetStaticEnvKeepsUnservedServicesLocal(t *testing.T) {
	tests := []struct {
		name, ecsEndpoint, wantHost string
	}{
		{name: "no fake for ECS", wantHost: "127.0.0.1:1"},
		{name: "a fake for ECS", ecsEndpoint: "http://127.0.0.1:4567", wantHost: "127.0.0.1:4567"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			SetStaticEnv(t, "us-east-1", "AKIDTEST", "secret")
			if tt.ecsEndpoint != "" {
				t.Setenv("AWS_ENDPOINT_URL_ECS", tt.ecsEndpoint)
			}
			rec := &hostRecorder{}
			cfg, err := config.LoadDefaultConfig(t.Context(), config.WithHTTPClient(rec),
				config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }))
			if err != nil {
				t.Fatal(err)
			}
			_, err = ecs.NewFromConfig(cfg).DescribeTaskDefinition(t.Context(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("app")})
			if !errors.Is(err, errNotSent) {
				t.Fatalf("error %v, want the recorder's", err)
			}
			if len(rec.hosts) != 1 || rec.hosts[0] != tt.wantHost {
				t.Errorf("requests went to %v, want one to %s", rec.hosts, tt.wantHost)
			}
		})
	}
}
