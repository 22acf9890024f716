package verify

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/internal/ecrtest"
	"github.com/imgcheck/imgcheck/internal/fakeecr"
	"github.com/imgcheck/imgcheck/internal/faultproxy"
	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/registry"
)

// TestFailClosedUnderFaults injects every fault of the proxy into a share
// of the requests between verify and the registry. The verdict must be the
// right one (after retries) or could not verify; never a pass for a bad
// image, and never a wrong finding for a good one.
func TestFailClosedUnderFaults(t *testing.T) {
	reg := imagetest.Registry(t)
	good := reg.PushIndex(t, "good:v1", imagetest.Index(t, false,
		imagetest.Child{Image: appImage(t, "amd64", false)}, imagetest.Child{Image: appImage(t, "arm64", false)}))
	bad := reg.PushImage(t, "bad:v1", appImage(t, "amd64", false))
	proxy := faultproxy.Start(t, reg.Host)
	proxy.StallFor = 3 * time.Second
	via := func(ref string) string { return proxy.Host + ref[len(reg.Host):] }

	cases := []struct {
		name string
		ref  string
		want Verdict
	}{
		{"good", via(good), VerdictPass},
		{"bad", via(bad), VerdictFindings},
	}
	outcomes := map[string]int{}
	blobsOnly := func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/blobs/") }
	for _, fault := range faultproxy.AllFaults {
		for _, scope := range []struct {
			name  string
			every []int
			match func(*http.Request) bool
		}{{"all", []int{1, 2, 3}, nil}, {"blobs", []int{1, 2}, blobsOnly}} {
			for _, every := range scope.every {
				for _, c := range cases {
					name := fmt.Sprintf("%s/%s/every-%d/%s", fault, scope.name, every, c.name)
					t.Run(name, func(t *testing.T) {
						proxy.SetRule(faultproxy.Rule{Fault: fault, Every: every, Match: scope.match})
						opts := Options{FailOn: Error, Image: image.Options{
							Registry: registry.Options{Timeout: time.Second, Retries: 3}}}
						td := parseTask(t, taskJSON("ARM64", c.ref, ""))
						subjects, _ := PairImages(td, nil, nil)
						ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
						defer cancel()
						r := Run(ctx, Input{TaskDef: td, Subjects: subjects}, opts)
						outcomes[fmt.Sprintf("%s verdict %s", c.name, r.Verdict)]++
						if r.Verdict != c.want && r.Verdict != VerdictCouldNotVerify {
							t.Fatalf("verdict %s under fault %s every %d; want %s or could not verify\nfindings %+v\nerrors %+v",
								r.Verdict, fault, every, c.want, r.Findings, r.Errors)
						}
						if r.Verdict == VerdictCouldNotVerify && (len(r.Errors) == 0 || r.Errors[0].Message == "") {
							t.Errorf("could not verify without a message")
						}
					})
				}
			}
		}
	}
	proxy.SetRule(faultproxy.Rule{})
	t.Logf("outcomes: %v", outcomes)
	// With retries, faults on every second or third request must not turn
	// everything into could not verify: some runs must reach the right verdict.
	if outcomes["good verdict pass"] == 0 || outcomes["bad verdict fail"] == 0 {
		t.Errorf("no run reached the right verdict under partial faults: %v", outcomes)
	}
}

// An AWS error while getting the ECR token ends the run with could not
// verify and the AWS error in the message, never an anonymous pull or a
// pass.
func TestECRTokenFailureExit2(t *testing.T) {
	reg := imagetest.Registry(t)
	ref := reg.PushImage(t, "app:v1", appImage(t, "amd64", false))
	ecr := ecrtest.Start(t, reg.Host)
	ecr.API.FailWith(&fakeecr.APIError{Status: 400, Type: "ExpiredTokenException", Message: "The security token included in the request is expired"})
	ecrRef := strings.Replace(ref, reg.Host, ecr.Host, 1)
	r := runVerifyWith(t, parseTask(t, taskJSON("X86_64", ecrRef, "")), ecr.RegistryOptions())
	if r.Verdict != VerdictCouldNotVerify || len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "ExpiredTokenException") {
		t.Fatalf("verdict %s, errors %+v; want could not verify naming ExpiredTokenException", r.Verdict, r.Errors)
	}
	if n := ecr.Unauthorized.Load(); n != 0 {
		t.Errorf("%d requests reached the registry without credentials: no anonymous fallback allowed", n)
	}
}
