package image

import (
	"bytes"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestInspect(t *testing.T) {
	src, err := FromImage("fs", filesystemImage(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var progress bytes.Buffer
	in, err := src.Inspect(t.Context(), InspectOptions{VerifyLayers: true, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if in.Image != "fs" || in.Index || len(in.Manifests) != 1 || len(in.Images) != 1 {
		t.Fatalf("inspection %+v", in)
	}
	img := in.Images[0]
	ex := img.Executable
	if img.Platform != "linux/arm64" || ex == nil || ex.Command != "tool" || ex.File.Resolved != "/usr/bin/tool" || !strings.Contains(ex.Binary, "aarch64") {
		t.Errorf("image %+v, executable %+v", img, ex)
	}
	for i, l := range img.Layers {
		if !l.Verified {
			t.Errorf("layer %d not verified with VerifyLayers", i)
		}
	}
	if !strings.Contains(progress.String(), "inspecting linux/arm64") || !strings.Contains(progress.String(), "verifying layer 1 of linux/arm64") {
		t.Errorf("progress:\n%s", progress.String())
	}
	if _, err := src.Inspect(t.Context(), InspectOptions{Platform: &v1.Platform{OS: "linux", Architecture: "s390x"}}); err == nil {
		t.Error("a platform the image lacks must be an error")
	}
}
