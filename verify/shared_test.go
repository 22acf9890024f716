package verify

import (
	"context"
	"fmt"
	"testing"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// Two containers with the same image must not fetch its blobs twice: one
// run shares one blob cache.
func TestIdenticalBlobsFetchedOncePerRun(t *testing.T) {
	reg := imagetest.Registry(t)
	img := appImage(t, "amd64", false)
	ref := reg.PushImage(t, "shared:v1", img)
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	layer := imagetest.Digest(t, layers[0])

	count := func(containers int) (int, int) {
		reg.ResetLog()
		defs := ""
		for i := 0; i < containers; i++ {
			if i > 0 {
				defs += ","
			}
			defs += fmt.Sprintf(`{"name": "c%d", "image": %q, "essential": true}`, i, ref)
		}
		td := parseTask(t, `{"family": "f", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
  "cpu": "256", "memory": "512", "executionRoleArn": "arn:aws:iam::123456789012:role/x",
  "containerDefinitions": [`+defs+`]}`)
		subjects, err := PairImages(td, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		r := Run(context.Background(), Input{TaskDef: td, Subjects: subjects}, Options{FailOn: Error})
		if r.Verdict != VerdictPass || len(r.Targets) != containers {
			t.Fatalf("verdict %s, %d targets; errors %+v findings %+v", r.Verdict, len(r.Targets), r.Errors, r.Findings)
		}
		n, _ := reg.BlobBytes(layer)
		all := 0
		for _, req := range reg.Requests() {
			if req.Method == "GET" && req.Path != "/v2/" {
				all++
			}
		}
		return n, all
	}
	one, oneAll := count(1)
	three, threeAll := count(3)
	if one == 0 {
		t.Fatal("the layer was never fetched: the test does not measure anything")
	}
	if three != one {
		t.Errorf("layer fetched with %d requests for three containers, %d for one: blobs are not shared", three, one)
	}
	if threeAll != oneAll {
		t.Errorf("%d GETs (manifests, config, layers) for three containers, %d for one: each must be fetched once per run", threeAll, oneAll)
	}
}
