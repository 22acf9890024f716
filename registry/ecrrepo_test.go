package registry

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/imgcheck/imgcheck/internal/fakeecr"
)

func TestECRRepoCreatorRealSDK(t *testing.T) {
	api := fakeecr.Start(t, fakeecr.Options{Password: "x"})
	api.SetEnv(t, "us-east-1")
	ctx := context.Background()
	repo, err := name.NewRepository(testECRHost + "/team/app")
	if err != nil {
		t.Fatal(err)
	}
	var c ECRRepoCreator
	if err := c.EnsureRepository(ctx, repo); err != nil {
		t.Fatal(err)
	}
	exists, scan := api.Repository("team/app")
	if !exists || !scan {
		t.Fatalf("repository exists=%v scanOnPush=%v; want both", exists, scan)
	}
	// Existing repositories are left alone.
	if err := c.EnsureRepository(ctx, repo); err != nil {
		t.Fatal(err)
	}
	if n := api.Calls("CreateRepository"); n != 1 {
		t.Errorf("CreateRepository called %d times, want 1", n)
	}
	// Other registries are not ECR's business.
	other, _ := name.NewRepository("registry.example/app")
	if err := c.EnsureRepository(ctx, other); err != nil || api.Calls("DescribeRepositories") != 2 {
		t.Errorf("non-ECR repository: err %v, describe calls %d", err, api.Calls("DescribeRepositories"))
	}
	// AWS errors are returned with what to do.
	api.FailWith(&fakeecr.APIError{Status: 400, Type: "AccessDeniedException", Message: "not authorized to perform ecr:DescribeRepositories"})
	err = c.EnsureRepository(ctx, repo)
	if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") {
		t.Fatalf("want the AWS error, got %v", err)
	}
}
