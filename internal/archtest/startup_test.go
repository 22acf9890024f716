package archtest

import (
	"testing"
)

// heldServices are the AWS SDK service clients go.mod holds at their last
// release before schema-based (de)serialization: a service's schemas
// package builds its whole API model at init, on every start of the CLI,
// online or not (about 1.5 ms and 1.4 MB for ssm alone; BENCHMARKS.md's
// ko-style wall times). ecs is not held: its newer API keys are in
// taskdef/apitypes.json.
var heldServices = []string{"cloudwatchlogs", "ecr", "elasticloadbalancingv2", "iam", "secretsmanager", "ssm"}

// TestHeldServicesLinkNoSchemas fails when an upgrade of a held service
// brings its schemas package into the CLI; hold it back or measure the
// start-up (bench probe suite) and drop it from heldServices.
func TestHeldServicesLinkNoSchemas(t *testing.T) {
	all := listPackages(t)
	cli, ok := all["github.com/imgcheck/imgcheck/cmd/imgcheck"]
	if !ok {
		t.Fatal("go list did not list cmd/imgcheck")
	}
	linked := 0
	for _, dep := range cli.Deps {
		for _, svc := range heldServices {
			prefix := "github.com/aws/aws-sdk-go-v2/service/" + svc
			if dep == prefix {
				linked++
			}
			if dep == prefix+"/schemas" {
				t.Errorf("cmd/imgcheck links %s: its init costs every run start-up time", dep)
			}
		}
	}
	if linked != len(heldServices) {
		t.Errorf("cmd/imgcheck links %d of the held services %v; update the list", linked, heldServices)
	}
}
