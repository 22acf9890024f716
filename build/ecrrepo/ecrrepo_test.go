package ecrrepo

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/imgcheck/imgcheck/internal/fakeecr"
)

func TestEnsureRepository(t *testing.T) {
	srv := fakeecr.Start(t, fakeecr.Options{})
	srv.SetEnv(t, "us-east-1")
	srv.AddRepository("existing")
	repo := func(s string) name.Repository {
		r, err := name.NewRepository("123456789012.dkr.ecr.us-east-1.amazonaws.com/" + s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	c := Creator{}
	if err := c.EnsureRepository(t.Context(), repo("team/app")); err != nil {
		t.Fatal(err)
	}
	if exists, scan := srv.Repository("team/app"); !exists || !scan {
		t.Errorf("team/app: exists %v scanOnPush %v, want both", exists, scan)
	}
	if err := c.EnsureRepository(t.Context(), repo("existing")); err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls("CreateRepository"); n != 1 {
		t.Errorf("CreateRepository called %d times, want 1 (not for the existing repository)", n)
	}
	other, _ := name.NewRepository("ghcr.io/o/app")
	if err := c.EnsureRepository(t.Context(), other); err == nil || !strings.Contains(err.Error(), "not one") {
		t.Errorf("non-ECR registry: err = %v", err)
	}
	srv.FailWith(&fakeecr.APIError{Status: 400, Type: "AccessDeniedException", Message: "no"})
	if err := c.EnsureRepository(t.Context(), repo("denied")); err == nil || !strings.Contains(err.Error(), "DescribeRepositories") {
		t.Errorf("access denied: err = %v", err)
	}
}
