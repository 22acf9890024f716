package e2e

import (
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/internal/runctest"
)

var update = flag.Bool("update", false, "rewrite the generated docs (docs/prediction*.md, README.md's transcripts) from the real runs")

// predictionImage is an image and the tasks it is judged and run as.
type predictionImage struct {
	tree  string // what its file tree is made of
	image v1.Image
	cases []predictionCase
}

// predictionCase is one task running the image: imgcheck verify judges
// it, runc (with qemu-user for arm64 hosts) shows what happens.
type predictionCase struct {
	name string
	task taskSpec
}

// TestPredictionMatchesReality runs imgcheck verify on a matrix of images
// and task definitions, then starts each with runc on this amd64 machine,
// where (without a binfmt_misc registration) a foreign binary fails
// exactly as on a host of the other architecture; tasks that run on arm64
// hosts run through qemu-aarch64-static. The verdicts must agree case by
// case.
func TestPredictionMatchesReality(t *testing.T) {
	runctest.Require(t, "runc", "umoci", "skopeo", "docker-registry", "debootstrap", "gcc", "aarch64-linux-gnu-gcc")
	if runctest.BinfmtRegistered() {
		t.Fatal("binfmt_misc has qemu handlers registered: foreign binaries would run, so this machine cannot show exec format error")
	}
	start := time.Now()
	images := append(syntheticPredictionImages(t), realPredictionImages(t)...)
	t.Logf("images made in %s (the Debian trees are cached)", time.Since(start).Round(time.Millisecond))
	reg := startAuthRegistry(t)
	runner := newRealityRunner(t)
	var rows []string
	for i, img := range images {
		ref := reg.push(t, fmt.Sprintf("predict/cases:image%d", i), img.image)
		for _, c := range img.cases {
			t.Run(c.name, func(t *testing.T) {
				predicted := predict(t, reg, ref, c.task)
				t.Logf("imgcheck verify: %s\n%s", predicted.verdict, predicted.output)
				actual := runner.run(t, ref, img.image, c.task)
				agree := predicted.verdict != "could not verify" && (predicted.verdict == "starts") == actual.starts
				rows = append(rows, tableRow(c.name, img.tree, c.task.String(), predicted.verdict,
					strings.Join(predicted.rules, ", "), actual.String(), yesNo(agree)))
				if !agree {
					t.Errorf("imgcheck predicted %q (%v) but runc says %q; imgcheck's findings:\n%s",
						predicted.verdict, predicted.rules, actual, predicted.output)
				}
			})
		}
	}
	table := "| case | file tree | task definition | imgcheck verify | rules | runc | agree |\n|---|---|---|---|---|---|---|\n" +
		strings.Join(rows, "\n") + "\n"
	t.Logf("prediction vs reality:\n%s", table)
	checkPredictionDoc(t, table)
}

// syntheticPredictionImages are ko-style images made in the test, each
// run on an X86_64 Fargate task.
func syntheticPredictionImages(t *testing.T) []predictionImage {
	amd := imagetest.GoBinary(t, "linux", "amd64", false)
	arm := imagetest.GoBinary(t, "linux", "arm64", false)
	cgo := imagetest.GoBinary(t, "linux", "amd64", true)
	app := func(bin []byte, mode int64, more ...v1.Layer) v1.Image {
		layers := append([]v1.Layer{imagetest.Layer(t, imagetest.Dir("app"), imagetest.File("app/server", mode, bin))}, more...)
		return imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Entrypoint: []string{"/app/server"}, Layers: layers})
	}
	script := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Entrypoint: []string{"/app/start.sh"},
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("app"), imagetest.File("app/start.sh", 0o755, []byte("#!/bin/bash\necho started\n")))}})
	symlinked := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64", Entrypoint: []string{"server"}, Env: []string{"PATH=/usr/bin"},
		Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("app"), imagetest.File("app/server", 0o755, amd),
			imagetest.Dir("usr"), imagetest.Dir("usr/bin"), imagetest.Symlink("usr/bin/server", "../../app/server"))}})
	armImage := imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64",
		Entrypoint: []string{"/app/server"}, Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("app"), imagetest.File("app/server", 0o755, arm))}})
	one := func(name string, img v1.Image, task taskSpec) predictionImage {
		return predictionImage{tree: "synthetic", image: img, cases: []predictionCase{{name: name, task: task}}}
	}
	return []predictionImage{
		one("good static amd64 binary", app(amd, 0o755), taskSpec{}),
		one("entrypoint found through PATH and a symlink", symlinked, taskSpec{}),
		one("arm64 binary on an X86_64 task", armImage, taskSpec{}),
		one("cgo binary without its ELF interpreter", app(cgo, 0o755), taskSpec{}),
		one("script whose interpreter is missing", script, taskSpec{}),
		one("entrypoint removed by a whiteout", app(amd, 0o755, imagetest.Layer(t, imagetest.Whiteout("app/server"))), taskSpec{}),
		one("entrypoint without execute permission", app(amd, 0o644), taskSpec{}),
		one("CMD-SHELL health check without a shell", app(amd, 0o755), taskSpec{healthCheck: []string{"CMD-SHELL", "exit 0"}}),
	}
}

// tableRow is a markdown table row; cells may hold the loader's quotes.
func tableRow(cells ...string) string {
	for i, c := range cells {
		c = strings.ReplaceAll(c, "|", `\|`)
		cells[i] = strings.ReplaceAll(c, "`", "\\`")
	}
	return "| " + strings.Join(cells, " | ") + " |"
}

func checkPredictionDoc(t *testing.T, table string) {
	t.Helper()
	doc := "# Prediction matches reality\n\n" +
		"Generated by `go test ./test/e2e -run TestPredictionMatchesReality -update`; the test fails when this file is out of date.\n\n" +
		"Each image is pushed to a real CNCF distribution registry and judged by `imgcheck verify` against the task definition of its row, " +
		"then copied out with skopeo, unpacked with umoci (`umoci raw unpack`; the container's config from `umoci raw runtime-config`, " +
		"which resolves the user as `docker create` does) and started with runc on an amd64 host without binfmt_misc emulation, " +
		"so that a binary of another architecture fails there as on a host of that architecture.\n\n" +
		"- \"starts\" means the process ran and exited 0, and so did the health check command when the task has one " +
		"(`CMD-SHELL` runs through `/bin/sh -c`, as Docker runs it), as the task's user when it sets one.\n" +
		"- Tasks whose hosts are arm64 (an ARM64 `runtimePlatform`, or EC2 with the placement constraint " +
		"`attribute:ecs.cpu-architecture == arm64`) run through qemu-aarch64-static in the container, the image's own loader and libraries loading the program. " +
		"Where an arm64 kernel's execve refuses an x86-64 binary (exec format error), qemu-user refuses it with \"Invalid ELF image for this architecture\"; " +
		"the row says both. The ECS agent pulls without naming a platform, so a single-manifest image of another architecture is pulled and fails at its first execve on the host.\n" +
		"- File trees: \"synthetic\" images are made in the test like ko's; the others are real third-party trees: " +
		"Debian root file systems made by `debootstrap --variant=minbase` from the Debian archive (bookworm with glibc 2.36 for amd64 and arm64, bullseye with glibc 2.31), " +
		"Debian's busybox-static with every applet a hard link to /bin/busybox, the host's libssl3 package files, " +
		"a cgo Go binary and a C program linked against libssl built in the test on Debian bookworm.\n" +
		"- File capabilities (a binary built with ko's `linux_capabilities`, judged with the capability sets of the task definition's `linuxParameters.capabilities`) " +
		"have their own table, generated by `TestCapabilities`: [prediction-capabilities.md](prediction-capabilities.md).\n\n" + table
	checkGeneratedDoc(t, "docs/prediction.md", "TestPredictionMatchesReality", doc)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}
