package main

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

const dockerfilePath = "../Dockerfile"

func readDockerfile(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(dockerfilePath)
	if err != nil {
		t.Fatalf("reading the repository's Dockerfile: %v", err)
	}
	return string(b)
}

// TestDockerfile checks the repository's Dockerfile: cross-compiling build
// stage, static binary for the target architecture, distroless nonroot final
// stage, exec-form entrypoint at the ko path.
func TestDockerfile(t *testing.T) {
	src := readDockerfile(t)
	problems, err := checkDockerfile(dockerfilePath, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	ins, err := parseDockerfile(dockerfilePath, src)
	if err != nil {
		t.Fatal(err)
	}
	stages, err := splitStages(dockerfilePath, ins)
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 2 || stages[0].image != "golang:1.26" || stages[1].image != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("stages = %+v, want golang:1.26 then distroless static nonroot", stages)
	}
	want := map[string]string{
		"ENTRYPOINT":  `["/ko-app/sample-server"]`,
		"USER":        "nonroot:nonroot",
		"EXPOSE":      "8080",
		"HEALTHCHECK": `CMD ["/ko-app/sample-server", "-healthcheck"]`,
	}
	for _, in := range stages[len(stages)-1].body {
		if w, ok := want[in.cmd]; ok {
			if in.args != w {
				t.Errorf("%s %s, want %s", in.cmd, in.args, w)
			}
			delete(want, in.cmd)
		}
	}
	for cmd := range want {
		t.Errorf("final stage lacks %s", cmd)
	}
	// The build stage must download modules in a layer of its own, before
	// the sources are copied, so source edits reuse the module layer.
	var order []string
	for _, in := range stages[0].body {
		if in.cmd == "COPY" || (in.cmd == "RUN" && strings.Contains(in.args, "go mod download")) {
			order = append(order, in.cmd+" "+strings.Fields(in.args)[0])
		}
	}
	if len(order) < 3 || order[0] != "COPY go.mod" || order[1] != "RUN go" {
		t.Errorf("build stage order %q: want COPY go.mod go.sum, then go mod download, then sources", order)
	}
}

// TestDockerfileChecksCatchMistakes feeds broken variants of the real
// Dockerfile to the checks: each must be reported.
func TestDockerfileChecksCatchMistakes(t *testing.T) {
	good := readDockerfile(t)
	tests := []struct {
		name     string
		old, new string // replacement applied to the real Dockerfile
		want     string // substring of a reported problem
	}{
		{"hard-coded GOARCH", "GOARCH=$TARGETARCH", "GOARCH=amd64", `GOARCH="amd64", want $TARGETARCH`},
		{"hard-coded GOARCH also reported as such", "GOARCH=$TARGETARCH", "GOARCH=amd64", "hard-coded GOARCH=amd64"},
		{"GOARCH in ENV", "WORKDIR /src", "ENV GOARCH=arm64\nWORKDIR /src", "hard-coded GOARCH=arm64"},
		{"GOARCH in legacy ENV", "WORKDIR /src", "ENV GOARCH amd64\nWORKDIR /src", "hard-coded GOARCH=amd64"},
		{"missing --platform", "FROM --platform=$BUILDPLATFORM golang", "FROM golang", "--platform=$BUILDPLATFORM"},
		{"platform hard-coded", "--platform=$BUILDPLATFORM", "--platform=linux/amd64", `--platform="linux/amd64"`},
		{"cgo on", "CGO_ENABLED=0 GOOS", "CGO_ENABLED=1 GOOS", `CGO_ENABLED="1"`},
		{"cgo unset", "CGO_ENABLED=0 GOOS", "GOOS", `CGO_ENABLED=""`},
		{"GOOS hard-coded", "GOOS=$TARGETOS", "GOOS=linux", `GOOS="linux"`},
		{"no ARG", "ARG TARGETOS TARGETARCH", "ARG TARGETOS", "does not declare ARG TARGETARCH"},
		{"ARG default", "ARG TARGETOS TARGETARCH", "ARG TARGETOS TARGETARCH=amd64", "ARG TARGETARCH has a default"},
		{"no -trimpath", "go build -trimpath", "go build", "lacks -trimpath"},
		{"alpine final", "FROM gcr.io/distroless/static-debian12:nonroot", "FROM alpine:3.20", `"alpine:3.20" is neither`},
		{"distroless root tag", "static-debian12:nonroot\n", "static-debian12:latest\n", "is neither"},
		{"root user", "USER nonroot:nonroot", "USER root", "runs as root"},
		{"uid 0", "USER nonroot:nonroot", "USER 0:0", "runs as root"},
		{"no user", "USER nonroot:nonroot\n", "", "sets no USER"},
		{"shell entrypoint", `ENTRYPOINT ["/ko-app/sample-server"]`, "ENTRYPOINT /ko-app/sample-server", "not exec form"},
		{"entrypoint elsewhere", `ENTRYPOINT ["/ko-app/sample-server"]`, `ENTRYPOINT ["/app/server"]`, "not copied from stage"},
		{"shell healthcheck", `CMD ["/ko-app/sample-server", "-healthcheck"]`, "CMD curl -f http://localhost:8080/healthz", "HEALTHCHECK"},
		{"final on build platform", "FROM gcr.io/distroless", "FROM --platform=$BUILDPLATFORM gcr.io/distroless", "final stage uses --platform=$BUILDPLATFORM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(good, tt.old, tt.new, 1)
			if bad == good {
				t.Fatalf("replacement %q not found in the Dockerfile", tt.old)
			}
			problems, err := checkDockerfile("bad.Dockerfile", bad)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				if strings.Contains(p, tt.want) {
					if !strings.HasPrefix(p, "bad.Dockerfile:") {
						t.Errorf("problem %q does not name the file and line", p)
					}
					return
				}
			}
			t.Errorf("no problem mentions %q; got %q", tt.want, problems)
		})
	}
}

func TestDockerfileChecksSmallFiles(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"single stage", "FROM golang:1.26\nRUN CGO_ENABLED=0 go build -trimpath .\n", "build stage is the final image"},
		{"no go build", "FROM scratch\nCOPY app /app\n", "no RUN instruction runs go build"},
		{"scratch is fine but needs USER", "FROM --platform=$BUILDPLATFORM golang:1.26 AS b\nARG TARGETOS TARGETARCH\n" +
			"RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath -o /app .\n" +
			"FROM scratch\nCOPY --from=b /app /app\nENTRYPOINT [\"/app\"]\n", "sets no USER"},
		{"ENV sets cgo for the stage", "FROM --platform=$BUILDPLATFORM golang:1.26 AS b\nARG TARGETOS TARGETARCH\nENV CGO_ENABLED=1\n" +
			"RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -o /app .\n", `CGO_ENABLED="1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems, err := checkDockerfile("x", tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Errorf("problems %q lack %q", problems, tt.want)
			}
		})
	}
	clean := "FROM --platform=$BUILDPLATFORM golang:1.26 AS b\nARG TARGETOS TARGETARCH\n" +
		"RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath -o /app .\n" +
		"FROM scratch\nCOPY --from=b /app /app\nUSER 65532:65532\nENTRYPOINT [\"/app\"]\n"
	if problems, err := checkDockerfile("x", clean); err != nil || len(problems) != 0 {
		t.Errorf("clean scratch Dockerfile: %q %v, want no problems", problems, err)
	}
}

func TestParseDockerfile(t *testing.T) {
	src := "# syntax=docker/dockerfile:1\n# escape=`\n\nfrom --platform=$BUILDPLATFORM golang AS b\n" +
		"RUN --mount=type=cache,target=/x a `\n  # a comment inside\n  b \\\n\n" +
		"# trailing\nCOPY --from=b /a /b\n"
	got, err := parseDockerfile("Dockerfile", src)
	if err != nil {
		t.Fatal(err)
	}
	want := []dfInstruction{
		{line: 4, cmd: "FROM", flags: []string{"--platform=$BUILDPLATFORM"}, args: "golang AS b"},
		{line: 5, cmd: "RUN", flags: []string{"--mount=type=cache,target=/x"}, args: `a   b \`},
		{line: 10, cmd: "COPY", flags: []string{"--from=b"}, args: "/a /b"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestParseDockerfileMalformed(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown instruction", "FROM a\n  FORM b\n", `Dockerfile:2:3: unknown instruction "FORM"`},
		{"bad escape", "# escape=x\nFROM a\n", "Dockerfile:1:1: escape directive"},
		{"heredoc", "FROM a\nRUN <<EOF\necho hi\nEOF\n", "Dockerfile:2:1: RUN uses a heredoc"},
		{"no arguments", "FROM a\nUSER\n", "Dockerfile:2:1: USER has no arguments"},
		{"instruction before FROM", "RUN x\nFROM a\n", "Dockerfile:1:1: RUN before the first FROM"},
		{"FROM arity", "FROM a AS\n", `Dockerfile:1:1: FROM "a AS"`},
		{"empty", "# only a comment\n", "Dockerfile:1:1: no FROM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ins, err := parseDockerfile("Dockerfile", tt.src)
			if err == nil {
				_, err = splitStages("Dockerfile", ins)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestShellWords(t *testing.T) {
	tests := []struct {
		in   string
		want [][]string
	}{
		{"a b  c", [][]string{{"a", "b", "c"}}},
		{`go build -ldflags "-s -w -X main.v=${V}" -o /x .`, [][]string{{"go", "build", "-ldflags", "-s -w -X main.v=${V}", "-o", "/x", "."}}},
		{"a && b; c | d || e", [][]string{{"a"}, {"b"}, {"c"}, {"d"}, {"e"}}},
		{`'it''s' "q\"x" \&`, [][]string{{`its`, `q"x`, "&"}}},
		{"", nil},
		{`"unterminated`, [][]string{{"unterminated"}}},
	}
	for _, tt := range tests {
		if got := shellWords(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("shellWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzParseDockerfile: the reader and the checks never panic, and what the
// reader accepts has known keywords and increasing line numbers.
func FuzzParseDockerfile(f *testing.F) {
	if b, err := os.ReadFile(dockerfilePath); err == nil {
		f.Add(string(b))
	}
	f.Add("FROM a\nRUN b \\\n# c\n d\n")
	f.Add("# escape=`\nFROM a AS b\nRUN x `\n")
	f.Add("FROM --platform=$BUILDPLATFORM a AS b\nARG TARGETOS TARGETARCH\nRUN GOARCH=\"$TARGETARCH\" go build\nFROM scratch\nENTRYPOINT [\"/a\"]\n")
	f.Fuzz(func(t *testing.T, src string) {
		ins, err := parseDockerfile("fuzz", src)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz:") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		last := 0
		for _, in := range ins {
			if !dfInstructions[in.cmd] || in.line <= last {
				t.Errorf("bad instruction %+v after line %d", in, last)
			}
			last = in.line
		}
		_, _ = checkDockerfile("fuzz", src)
	})
}
