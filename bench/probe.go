package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Tools of benchmark 1, in report order.
const (
	toolInspect   = "imgcheck inspect"
	toolVerify    = "imgcheck verify"
	toolRegctl    = "regctl image get-file"
	toolCrane     = "crane export | tar"
	toolSkopeo    = "skopeo inspect --config"
	toolRegctlCut = "regctl ... | head -c 64 (cut by SIGPIPE)"
	toolCraneCut  = "crane ... | tar | head -c 64 (cut by SIGPIPE)"
)

// chartTools are the tools of the chart and the targets; skopeo is the
// metadata-only floor. The peers run to completion: their output is
// drained after the header is taken, so the bytes are what each tool needs
// to deliver the file.
var chartTools = []string{toolInspect, toolVerify, toolRegctl, toolCrane, toolSkopeo}

// probeTools adds the literal pipelines, where head -c 64 exits after the
// header and the peer dies of SIGPIPE at a point that depends on pipe
// buffers and scheduling: reported, not judged.
var probeTools = append(append([]string{}, chartTools...), toolRegctlCut, toolCraneCut)

// probeResult is one tool on one image.
type probeResult struct {
	Image   string
	Tool    string
	Summary summary
	Sample  sample
	// Answer is what the tool found out, checked by the harness: the
	// binary's machine for the binary readers, the config's architecture
	// for skopeo.
	Answer  string
	Correct bool
	Exit    int
}

// probeRun is one invocation of a tool against an image.
type probeRun func(ctx context.Context, ref string) (execResult, string, bool, error)

// runProbe measures every tool on every image, interleaving the tools in
// each repetition so that background load hits them alike.
func runProbe(ctx context.Context, h *harness, fx *fixtures) ([]probeResult, error) {
	runs := map[string]probeRun{
		toolInspect: h.probeInspect, toolVerify: h.probeVerify,
		toolRegctl: h.probeRegctl(drain), toolCrane: h.probeCrane(drain), toolSkopeo: h.probeSkopeo,
		toolRegctlCut: h.probeRegctl(cut), toolCraneCut: h.probeCrane(cut),
	}
	var results []probeResult
	for _, img := range fx.Probes {
		ref := h.proxy.Host + "/" + img.Repo
		byTool := map[string]*probeResult{}
		for _, tool := range probeTools {
			byTool[tool] = &probeResult{Image: img.Key, Tool: tool, Correct: true}
		}
		for rep := range h.reps {
			h.logf("benchmark 1, image (%s), repetition %d/%d", img.Key, rep+1, h.reps)
			for _, tool := range probeTools {
				h.proxy.Take()
				res, answer, ok, err := runs[tool](ctx, ref)
				t := h.proxy.Take()
				if err != nil {
					return nil, fmt.Errorf("%s on image (%s): %w", tool, img.Key, err)
				}
				r := byTool[tool]
				r.Sample.add(res.Wall, t.BytesDown, t.Requests)
				h.logTraffic(t)
				r.Answer, r.Exit = answer, max(r.Exit, res.Exit)
				r.Correct = r.Correct && ok
				if !ok {
					h.logf("  %s on (%s) did not answer correctly (exit %d): %s", tool, img.Key, res.Exit, tail(res.Stderr, 400))
				}
			}
		}
		for _, tool := range probeTools {
			r := byTool[tool]
			r.Summary = r.Sample.summary()
			results = append(results, *r)
		}
	}
	return results, nil
}

func (h *harness) probeInspect(ctx context.Context, ref string) (execResult, string, bool, error) {
	env, err := h.coldCacheEnv()
	if err != nil {
		return execResult{}, "", false, err
	}
	res, err := h.exec(ctx, execSpec{Dir: h.work, Env: env, Argv: []string{h.imgcheck, "inspect", ref, "--platform", "linux/arm64", "--stats", "--format", "json"}})
	if err != nil || res.Exit != 0 {
		return res, "", false, err
	}
	var rep struct {
		Platforms []struct {
			Executable *struct {
				Info *struct {
					GOARCH string `json:"goarch"`
				} `json:"info"`
			} `json:"executable"`
		} `json:"platforms"`
	}
	if err := json.Unmarshal(res.Stdout, &rep); err != nil {
		return res, "", false, fmt.Errorf("reading imgcheck inspect --format json: %w", err)
	}
	if len(rep.Platforms) != 1 || rep.Platforms[0].Executable == nil || rep.Platforms[0].Executable.Info == nil {
		return res, "no executable identified", false, nil
	}
	arch := rep.Platforms[0].Executable.Info.GOARCH
	return res, "binary " + arch, arch == "arm64", nil
}

func (h *harness) probeVerify(ctx context.Context, ref string) (execResult, string, bool, error) {
	td := filepath.Join(h.work, "probe-taskdef.json")
	if err := os.WriteFile(td, arm64TaskDef("probe", ref), 0o644); err != nil {
		return execResult{}, "", false, err
	}
	env, err := h.coldCacheEnv()
	if err != nil {
		return execResult{}, "", false, err
	}
	res, err := h.exec(ctx, execSpec{Dir: h.work, Env: env, Argv: []string{h.imgcheck, "verify", "--taskdef", td, "--format", "json"}})
	if err != nil {
		return res, "", false, err
	}
	return res, fmt.Sprintf("verify exit %d", res.Exit), res.Exit == 0, nil
}

// How a pipeline ends after the 64-byte header: drain reads the rest, so
// the peer finishes; cut exits, so the peer dies of SIGPIPE.
const (
	drain = `{ head -c 64 > "$OUT"; cat > /dev/null; }`
	cut   = `head -c 64 > "$OUT"`
)

func (h *harness) probeRegctl(tail string) probeRun {
	return func(ctx context.Context, ref string) (execResult, string, bool, error) {
		out := filepath.Join(h.work, "regctl-head.bin")
		res, err := h.shell(ctx, tail == drain, `regctl --host "reg=$HOST,tls=disabled" image get-file --platform linux/arm64 "$REF" "$FILE" | `+tail,
			"HOST="+h.proxy.Host, "REF="+ref, "FILE="+binaryPath, "OUT="+out)
		return h.headerAnswer(res, out, err)
	}
}

func (h *harness) probeCrane(tail string) probeRun {
	return func(ctx context.Context, ref string) (execResult, string, bool, error) {
		out := filepath.Join(h.work, "crane-head.bin")
		res, err := h.shell(ctx, tail == drain, `crane export --insecure --platform linux/arm64 "$REF" - | tar -xO "$FILE" | `+tail,
			"REF="+ref, "FILE="+binaryPath[1:], "OUT="+out)
		return h.headerAnswer(res, out, err)
	}
}

func (h *harness) probeSkopeo(ctx context.Context, ref string) (execResult, string, bool, error) {
	res, err := h.exec(ctx, execSpec{Dir: h.work, Argv: []string{"skopeo", "inspect", "--config", "--tls-verify=false",
		"--override-os", "linux", "--override-arch", "arm64", "docker://" + ref}})
	if err != nil || res.Exit != 0 {
		return res, "", false, err
	}
	var cfg struct {
		Architecture string `json:"architecture"`
	}
	if err := json.Unmarshal(res.Stdout, &cfg); err != nil {
		return res, "", false, fmt.Errorf("reading skopeo inspect --config: %w", err)
	}
	return res, "config says " + cfg.Architecture + " (cannot see the binary)", cfg.Architecture == "arm64", nil
}

// headerAnswer reads the 64 bytes a pipeline wrote and says what machine
// the ELF header names.
func (h *harness) headerAnswer(res execResult, file string, err error) (execResult, string, bool, error) {
	if err != nil {
		return res, "", false, err
	}
	head, rerr := os.ReadFile(file)
	_ = os.Remove(file)
	if rerr != nil {
		return res, "", false, rerr
	}
	m := elfMachine(head)
	return res, "binary " + m, m == "arm64" && res.Exit == 0, nil
}

// elfMachine names the machine of a 64-bit little-endian ELF header.
func elfMachine(head []byte) string {
	if len(head) < 20 || string(head[:4]) != "\x7fELF" {
		return "unreadable"
	}
	switch binary.LittleEndian.Uint16(head[18:20]) {
	case 62:
		return "amd64"
	case 183:
		return "arm64"
	}
	return "other"
}

// arm64TaskDef is a Fargate ARM64 task definition running ref.
func arm64TaskDef(family, ref string) []byte {
	return taskDefJSON(family, "ARM64", []string{ref})
}

// taskDefJSON is a Fargate task definition with one container per image.
func taskDefJSON(family, arch string, refs []string) []byte {
	var containers []taskContainer
	for i, ref := range refs {
		containers = append(containers, taskContainer{Name: fmt.Sprintf("app%d", i+1), Image: ref, Essential: i == 0})
	}
	return fargateTaskDef(family, arch, containers)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
