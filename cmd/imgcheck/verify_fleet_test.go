package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// A fleet of task definitions sharing images verifies in one run that
// reads each shared blob once.
func TestVerifyFleetInOneRun(t *testing.T) {
	reg := imagetest.Registry(t)
	amd := koImage(t, "amd64")
	multi := reg.PushIndex(t, "app:multi", imagetest.Index(t, false,
		imagetest.Child{Image: amd}, imagetest.Child{Image: koImage(t, "arm64")}))
	dir := t.TempDir()
	write := func(name, arch, image1, image2 string) {
		td := fmt.Sprintf(`{"family": %q, "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
  "cpu": "256", "memory": "512", "runtimePlatform": {"cpuArchitecture": %q},
  "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
  "containerDefinitions": [{"name": "web", "image": %q}, {"name": "worker", "image": %q}]}`, name, arch, image1, image2)
		if err := os.WriteFile(filepath.Join(dir, name+".json"), []byte(td), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 3; i++ {
		write(fmt.Sprintf("svc%d", i), []string{"X86_64", "ARM64"}[i%2], multi, multi)
	}
	layers, err := amd.Layers()
	if err != nil {
		t.Fatal(err)
	}
	layer := imagetest.Digest(t, layers[0])

	reg.ResetLog()
	code, out, errOut := runCLI(t, "verify", "--taskdef", dir, "--format", "json")
	if code != 0 {
		t.Fatalf("fleet: exit %d\n%s\n%s", code, out, errOut)
	}
	var rep struct {
		TaskDefs []struct{ File string } `json:"taskDefinitions"`
		Targets  []struct {
			TaskDef   string `json:"taskDefinition"`
			Container string `json:"container"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.TaskDefs) != 3 || len(rep.Targets) != 6 || rep.Targets[0].TaskDef == "" {
		t.Fatalf("report: %+v", rep)
	}
	fleetReads, _ := reg.BlobBytes(layer)

	reg.ResetLog()
	if code, _, _ := runCLI(t, "verify", "--taskdef", filepath.Join(dir, "svc0.json")); code != 0 {
		t.Fatalf("one task definition: exit %d", code)
	}
	oneReads, _ := reg.BlobBytes(layer)
	if oneReads == 0 || fleetReads != oneReads {
		t.Errorf("amd64 layer read with %d requests for the fleet, %d for one task definition: shared blobs must be read once per run", fleetReads, oneReads)
	}

	// A failing member names its task definition; the run fails.
	write("svc9", "ARM64", reg.PushImage(t, "amd:only", amd), multi)
	code, out, _ = runCLI(t, "verify", "--taskdef", dir)
	if code != 1 || !strings.Contains(out, "svc9.json web linux/arm64") {
		t.Fatalf("fleet with a bad member: exit %d\n%s", code, out)
	}
	// Options that pair images with one task definition are refused.
	if code, _, errOut := runCLI(t, "verify", multi, "--taskdef", dir); code != 2 || !strings.Contains(errOut, "single --taskdef") {
		t.Fatalf("IMAGE with a fleet: exit %d, %q", code, errOut)
	}
}
