package main

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// distrolessStatic matches the distroless static base with its nonroot tag,
// optionally pinned by digest.
var distrolessStatic = regexp.MustCompile(`^gcr\.io/distroless/static(-debian\d+)?:nonroot(@sha256:[0-9a-f]{64})?$`)

// isBuildArg reports whether v is exactly a reference to the build argument.
func isBuildArg(v, arg string) bool {
	return v == "$"+arg || v == "${"+arg+"}"
}

// assignments splits leading NAME=VALUE words off a simple command.
func assignments(words []string) (map[string]string, []string) {
	env := map[string]string{}
	for len(words) > 0 {
		k, v, ok := strings.Cut(words[0], "=")
		if !ok || k == "" || strings.ContainsAny(k, "-/$.") {
			break
		}
		env[k] = v
		words = words[1:]
	}
	return env, words
}

// envPairs reads ENV or ARG arguments: "K=V K2=V2", "K V" (legacy ENV) or
// bare names (ARG without default, value "" and hasValue false).
func envPairs(in dfInstruction) map[string]*string {
	out := map[string]*string{}
	words := shellWords(in.args)
	if len(words) == 0 {
		return out
	}
	w := words[0]
	if in.cmd == "ENV" && len(w) >= 2 && !strings.Contains(w[0], "=") {
		v := strings.Join(w[1:], " ")
		out[w[0]] = &v
		return out
	}
	for _, word := range w {
		if k, v, ok := strings.Cut(word, "="); ok {
			out[k] = &v
		} else {
			out[word] = nil
		}
	}
	return out
}

// goBuildCommand is the RUN command that compiles the server.
type goBuildCommand struct {
	stage int
	line  int
	env   map[string]string // assignments in front of "go build"
	args  []string          // after "go build"
}

func findGoBuild(stages []dfStage) (goBuildCommand, bool) {
	for si, st := range stages {
		for _, in := range st.body {
			if in.cmd != "RUN" {
				continue
			}
			for _, words := range shellWords(in.args) {
				env, rest := assignments(words)
				if len(rest) >= 2 && rest[0] == "go" && rest[1] == "build" {
					return goBuildCommand{stage: si, line: in.line, env: env, args: rest[2:]}, true
				}
			}
		}
	}
	return goBuildCommand{}, false
}

// checkDockerfile lists what is wrong with a Dockerfile for a multi-platform
// static Go image; no problems means it passes. An error means it could not
// be read.
func checkDockerfile(name, src string) ([]string, error) {
	ins, err := parseDockerfile(name, src)
	if err != nil {
		return nil, err
	}
	stages, err := splitStages(name, ins)
	if err != nil {
		return nil, err
	}
	var problems []string
	add := func(line int, format string, a ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", name, line, fmt.Sprintf(format, a...)))
	}

	gb, ok := findGoBuild(stages)
	if !ok {
		add(1, "no RUN instruction runs go build")
		return problems, nil
	}
	build := stages[gb.stage]
	if !isBuildArg(build.platform, "BUILDPLATFORM") {
		add(build.from.line, "build stage FROM has --platform=%q, want --platform=$BUILDPLATFORM (cross-compile natively instead of under emulation)", build.platform)
	}

	declared := map[string]bool{}
	stageEnv := map[string]string{}
	for _, in := range build.body {
		if in.line > gb.line {
			break
		}
		switch in.cmd {
		case "ARG":
			for k, v := range envPairs(in) {
				declared[k] = true
				if v != nil && (k == "TARGETARCH" || k == "TARGETOS") {
					add(in.line, "ARG %s has a default %q; buildx must set it", k, *v)
				}
			}
		case "ENV":
			for k, v := range envPairs(in) {
				if v != nil {
					stageEnv[k] = *v
				}
			}
		}
	}
	for _, arg := range []string{"TARGETOS", "TARGETARCH"} {
		if !declared[arg] {
			add(build.from.line, "build stage does not declare ARG %s, so $%s is empty", arg, arg)
		}
	}
	value := func(k string) (string, bool) {
		if v, ok := gb.env[k]; ok {
			return v, true
		}
		v, ok := stageEnv[k]
		return v, ok
	}
	if v, _ := value("CGO_ENABLED"); v != "0" {
		add(gb.line, "go build runs with CGO_ENABLED=%q, want 0 (a cgo binary needs libc and an ELF interpreter the static base lacks)", v)
	}
	if v, _ := value("GOARCH"); !isBuildArg(v, "TARGETARCH") {
		add(gb.line, "go build runs with GOARCH=%q, want $TARGETARCH", v)
	}
	if v, _ := value("GOOS"); !isBuildArg(v, "TARGETOS") {
		add(gb.line, "go build runs with GOOS=%q, want $TARGETOS", v)
	}
	trimpath := false
	for _, a := range gb.args {
		trimpath = trimpath || a == "-trimpath" || a == "--trimpath" || a == "-trimpath=true"
	}
	if !trimpath {
		add(gb.line, "go build lacks -trimpath (reproducible binaries without local paths)")
	}
	// A hard-coded GOARCH anywhere before the final stage wins over or hides
	// the platform argument.
	for _, st := range stages[:len(stages)-1] {
		for _, in := range st.body {
			var found []string
			switch in.cmd {
			case "ENV", "ARG":
				if v, ok := envPairs(in)["GOARCH"]; ok && v != nil {
					found = append(found, *v)
				}
			case "RUN":
				for _, words := range shellWords(in.args) {
					for _, w := range words {
						if v, ok := strings.CutPrefix(w, "GOARCH="); ok {
							found = append(found, v)
						}
					}
				}
			}
			for _, v := range found {
				if !isBuildArg(v, "TARGETARCH") {
					add(in.line, "hard-coded GOARCH=%s: every platform's image would get that architecture", v)
				}
			}
		}
	}

	final := stages[len(stages)-1]
	checkFinalStage(final, build, add)
	return problems, nil
}

func checkFinalStage(final, build dfStage, add func(int, string, ...any)) {
	if final.from.line == build.from.line {
		add(final.from.line, "the build stage is the final image: it ships the Go toolchain")
		return
	}
	if isBuildArg(final.platform, "BUILDPLATFORM") {
		add(final.from.line, "final stage uses --platform=$BUILDPLATFORM: its base would be the builder's architecture")
	}
	if final.image != "scratch" && !distrolessStatic.MatchString(final.image) {
		add(final.from.line, "final image %q is neither gcr.io/distroless/static...:nonroot nor scratch", final.image)
	}
	var user, entrypoint, healthcheck *dfInstruction
	copies := map[string]bool{}
	for i, in := range final.body {
		switch in.cmd {
		case "USER":
			user = &final.body[i]
		case "ENTRYPOINT":
			entrypoint = &final.body[i]
		case "HEALTHCHECK":
			healthcheck = &final.body[i]
		case "COPY":
			if from, ok := in.flag("from"); ok && strings.EqualFold(from, build.name) {
				f := strings.Fields(in.args)
				copies[f[len(f)-1]] = true
			}
		}
	}
	if user == nil {
		add(final.from.line, "final stage sets no USER")
	} else if u, _, _ := strings.Cut(user.args, ":"); u == "root" || u == "0" {
		add(user.line, "USER %s runs as root", user.args)
	}
	if entrypoint == nil {
		add(final.from.line, "final stage has no ENTRYPOINT")
		return
	}
	var argv []string
	if err := json.Unmarshal([]byte(entrypoint.args), &argv); err != nil || len(argv) == 0 {
		add(entrypoint.line, "ENTRYPOINT %s is not exec form: a shell form needs /bin/sh, and signals go to the shell", entrypoint.args)
		return
	}
	if !path.IsAbs(argv[0]) {
		add(entrypoint.line, "ENTRYPOINT %q is not an absolute path", argv[0])
	}
	if !copies[argv[0]] {
		add(entrypoint.line, "ENTRYPOINT %q is not copied from stage %q", argv[0], build.name)
	}
	if healthcheck != nil {
		cmd, rest, _ := strings.Cut(healthcheck.args, " ")
		var hc []string
		if strings.ToUpper(cmd) != "CMD" || json.Unmarshal([]byte(strings.TrimSpace(rest)), &hc) != nil || len(hc) == 0 || hc[0] != argv[0] {
			add(healthcheck.line, "HEALTHCHECK %s is not exec form running %s (no shell in the image)", healthcheck.args, argv[0])
		}
	}
}
