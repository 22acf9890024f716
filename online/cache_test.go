package online

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

type countingIAM struct{ calls atomic.Int32 }

func (c *countingIAM) GetRole(_ context.Context, name string) (Role, error) {
	c.calls.Add(1)
	if name == "missing" {
		return Role{}, ErrNotFound
	}
	return Role{ARN: "arn:aws:iam::111122223333:role/" + name}, nil
}

// Concurrent lookups of one role, and of a missing one, each reach AWS once.
func TestCachedAsksOncePerLookup(t *testing.T) {
	inner := &countingIAM{}
	c := Cached(Clients{IAM: inner})
	if c.SecretsManager != nil || c.ECR != nil {
		t.Error("Cached made up clients it was not given")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if r, err := c.IAM.GetRole(t.Context(), "exec"); err != nil || r.ARN == "" {
				t.Errorf("GetRole(exec) = %+v, %v", r, err)
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := c.IAM.GetRole(t.Context(), "missing"); !errors.Is(err, ErrNotFound) {
				t.Errorf("GetRole(missing) = %v", err)
			}
		}()
	}
	wg.Wait()
	if got := inner.calls.Load(); got != 2 {
		t.Errorf("%d calls, want 2", got)
	}
}
