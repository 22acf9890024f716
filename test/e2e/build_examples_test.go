package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/imgcheck/imgcheck/internal/distreg"
	"github.com/imgcheck/imgcheck/internal/examples"
	"github.com/imgcheck/imgcheck/internal/runctest"
)

// artifact is something a build example must leave behind.
type artifact struct {
	kind      artifactKind
	at        string // kindPushed, kindCopied: repo:tag in the local registry; kindLayout, kindTarball: the path in the example's directory
	entry     string // kindLayout, kindTarball: the index.json entry ("app:latest")
	platforms string // the platforms of its index, in order
}

type artifactKind string

const (
	kindPushed  artifactKind = "pushed"  // by imgcheck build (an ECR host reaches the local registry through ecrPath)
	kindCopied  artifactKind = "copied"  // by the example's skopeo command
	kindLayout  artifactKind = "layout"  // an OCI layout directory
	kindTarball artifactKind = "tarball" // an OCI layout archive
)

const bothPlatforms = "linux/amd64,linux/arm64"

// buildResult is what a build example must do beyond exiting 0.
type buildResult struct {
	artifacts []artifact
	ecrRepo   string // an ECR repository it creates (--create-repo)
}

// buildResults says what each example writes, by its line as written: a
// new example fails the test until it is listed here.
var buildResults = map[string]buildResult{
	// build --help
	"imgcheck build ./sample-server --base static": {artifacts: []artifact{
		{kind: kindLayout, at: "out", entry: "sample-server:latest", platforms: bothPlatforms}}},
	"KO_DOCKER_REPO=123456789012.dkr.ecr.us-east-1.amazonaws.com imgcheck build ./cmd/app": {artifacts: []artifact{
		{kind: kindPushed, at: "app:latest", platforms: bothPlatforms}}},
	"KO_DOCKER_REPO=123456789012.dkr.ecr.us-east-1.amazonaws.com/app imgcheck build --bare ./cmd/app": {artifacts: []artifact{
		{kind: kindPushed, at: "app:latest", platforms: bothPlatforms}}},
	"imgcheck build ./cmd/app --push 123456789012.dkr.ecr.us-east-1.amazonaws.com/app --tags v1.2.3,latest --create-repo": {
		ecrRepo: "app", artifacts: []artifact{
			{kind: kindPushed, at: "app:v1.2.3", platforms: bothPlatforms},
			{kind: kindPushed, at: "app:latest", platforms: bothPlatforms}}},
	"imgcheck build ./cmd/app --push=false": {artifacts: []artifact{
		{kind: kindLayout, at: "out", entry: "app:latest", platforms: bothPlatforms}}},
	"imgcheck build ./sample-server --base static --verify-taskdef examples/taskdef-arm64.json --verify-taskdef examples/taskdef-x86_64.json": {artifacts: []artifact{
		{kind: kindLayout, at: "out", entry: "sample-server:latest", platforms: bothPlatforms}}},
	"imgcheck build ./cmd/app --tarball app.tar && skopeo copy --all oci-archive:app.tar docker://registry.example/app:v1": {artifacts: []artifact{
		{kind: kindTarball, at: "app.tar", entry: "app:latest", platforms: bothPlatforms},
		{kind: kindCopied, at: "app:v1", platforms: bothPlatforms}}},

	// README.md
	"go run ./cmd/imgcheck build ./sample-server --base static --verify-taskdef examples/taskdef-arm64.json --verify-taskdef examples/taskdef-x86_64.json": {artifacts: []artifact{
		{kind: kindLayout, at: "out", entry: "sample-server:latest", platforms: bothPlatforms}}},
	"imgcheck build ./sample-server --base static --platform linux/arm64 --oci-layout arm-only": {artifacts: []artifact{
		{kind: kindLayout, at: "arm-only", entry: "sample-server:latest", platforms: "linux/arm64"}}},
	"KO_DOCKER_REPO=reg.example/api imgcheck build --bare ./cmd/api": {artifacts: []artifact{
		{kind: kindPushed, at: "api:latest", platforms: bothPlatforms}}},
	"KO_DOCKER_REPO=reg.example/team imgcheck build -B --platform=linux/amd64,linux/arm64 -t v1.2.3 ./cmd/api ./cmd/worker": {artifacts: []artifact{
		{kind: kindPushed, at: "team/api:v1.2.3", platforms: bothPlatforms},
		{kind: kindPushed, at: "team/worker:v1.2.3", platforms: bothPlatforms}}},
	"imgcheck build --push=false --tarball app.tar ./cmd/api": {artifacts: []artifact{ // then README's skopeo line
		{kind: kindTarball, at: "app.tar", entry: "api:latest", platforms: bothPlatforms},
		{kind: kindCopied, at: "api:v1", platforms: bothPlatforms}}},
	"imgcheck build --oci-layout-path ./layout --push=false ./cmd/api": {artifacts: []artifact{
		{kind: kindLayout, at: "layout", entry: "api:latest", platforms: bothPlatforms}}},
}

// buildExample is one imgcheck build command line of an example, with the
// commands it runs: those after "&&" on its line, and in the README a
// skopeo line that follows it in its block (the README's "then copy it").
type buildExample struct {
	examples.Example
	cmds []examples.Command
}

// TestBuildExamplesWorkAsWritten runs every imgcheck build command of
// "imgcheck build --help" and of README.md as written, one after the other
// with the user's Go build cache, each in a fresh directory against a fresh
// local registry, and checks that what it says it writes exists with the
// platforms it asks for. What is rewritten: registry hosts that cannot be
// reached here become the local registry (ECR host names reach it through
// the ECR test path, repository creation through the fake ECR API), "go run
// ./cmd/imgcheck" is the built CLI, and skopeo is told the local registry
// speaks plain HTTP. The packages the examples name that are not in this
// repository (./cmd/app, ./cmd/api, ./cmd/worker) are main packages of a
// small module made for each example; ./sample-server examples run in a
// copy of the repository's parts they use.
func TestBuildExamplesWorkAsWritten(t *testing.T) {
	runctest.Require(t, distreg.Binary)
	help := imgcheck(t, nil, "build", "--help")
	if help.code != 0 {
		t.Fatalf("imgcheck build --help: exit %d\n%s", help.code, help.stderr)
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	found := buildExamples(t, examples.Lines("imgcheck build --help", examples.Help(help.stdout), ""))
	found = append(found, buildExamples(t, examples.Markdown("README.md", string(readme)))...)
	if len(found) < 12 {
		t.Fatalf("found %d imgcheck build commands in build --help and README.md; the extractor lost some", len(found))
	}
	listed := map[string]bool{}
	for _, ex := range found {
		want, ok := buildResults[ex.Line]
		if !ok {
			t.Errorf("%s: %q is not in buildResults: say what it must write", ex.Where, ex.Line)
			continue
		}
		listed[ex.Line] = true
		t.Run(ex.Where+": "+ex.Line, func(t *testing.T) { runBuildExample(t, ex, want) })
	}
	for line := range buildResults {
		if !listed[line] {
			t.Errorf("buildResults lists %q, which no example has", line)
		}
	}
}

// buildExamples picks the imgcheck build lines out of found.
func buildExamples(t *testing.T, found []examples.Example) []buildExample {
	t.Helper()
	var out []buildExample
	for i, ex := range found {
		if ex.Verb() != "build" {
			continue
		}
		cmds, err := examples.Parse(ex.Line)
		if err != nil {
			t.Errorf("%s: %v", ex.Where, err)
			continue
		}
		if i+1 < len(found) && ex.Block > 0 && found[i+1].Block == ex.Block {
			if next, err := examples.Parse(found[i+1].Line); err == nil && next[0].Args[0] == "skopeo" {
				cmds = append(cmds, next...)
			}
		}
		out = append(out, buildExample{Example: ex, cmds: cmds})
	}
	return out
}
