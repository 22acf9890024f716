package examples

import (
	"reflect"
	"strings"
	"testing"
)

func TestLines(t *testing.T) {
	tests := []struct {
		name, text, prompt string
		want               []string
	}{
		{"help text", "  # a comment\n  imgcheck build ./cmd/app\n\n  imgcheck build x # why\n", "", []string{"imgcheck build ./cmd/app", "imgcheck build x"}},
		{"continued", "go run ./cmd/imgcheck build ./a \\\n  --base static \\\n  --push r\nnext", "", []string{"go run ./cmd/imgcheck build ./a --base static --push r", "next"}},
		{"transcript", "$ imgcheck verify x\noutput line\n$ echo $?\n1", "$ ", []string{"imgcheck verify x", "echo $?"}},
		{"transcript continued", "$ imgcheck verify x \\\n>   --taskdef td.json\nout", "$ ", []string{"imgcheck verify x --taskdef td.json"}},
		{"quoted hash kept", `imgcheck verify --ignore "a # b"`, "", []string{`imgcheck verify --ignore "a # b"`}},
		{"backslash at the end of the text", "imgcheck build \\", "", []string{`imgcheck build \`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range Lines("help", tt.text, tt.prompt) {
				if e.Where != "help" || e.Block != 0 {
					t.Errorf("%q: where %q block %d", e.Line, e.Where, e.Block)
				}
				got = append(got, e.Line)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMarkdown(t *testing.T) {
	md := strings.Join([]string{
		"# title",               // 1
		"```sh",                 // 2
		"imgcheck build ./a \\", // 3
		"  --base static",       // 4
		"skopeo copy a b",       // 5
		"```",                   // 6
		"```console",            // 7
		"$ imgcheck verify x",   // 8
		"output",                // 9
		"```",                   // 10
		"```",                   // 11
		"imgcheck verify not-a-shell-block",
		"```",
		"```go",
		"imgcheck verify go-code",
		"```",
	}, "\n")
	want := []Example{
		{Where: "README.md:3", Block: 1, Line: "imgcheck build ./a --base static"},
		{Where: "README.md:5", Block: 1, Line: "skopeo copy a b"},
		{Where: "README.md:8", Block: 2, Line: "imgcheck verify x"},
	}
	if got := Markdown("README.md", md); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestVerb(t *testing.T) {
	tests := map[string]string{
		"imgcheck verify x":                         "verify",
		"KO_DOCKER_REPO=r imgcheck build ./a":       "build",
		"A=1 B_2=x go run ./cmd/imgcheck build ./a": "build",
		"go run ./cmd/imgcheck":                     "",
		"ko build ./a":                              "",
		"skopeo copy a b":                           "",
		"./.ci/test":                                "",
		"echo $?":                                   "",
	}
	for line, want := range tests {
		if got := (Example{Line: line}).Verb(); got != want {
			t.Errorf("%q: verb %q, want %q", line, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		line    string
		want    []Command
		wantErr string
	}{
		{line: "imgcheck verify x --taskdef td.json", want: []Command{{Args: []string{"imgcheck", "verify", "x", "--taskdef", "td.json"}}}},
		{line: "KO_DOCKER_REPO=reg.example/api imgcheck build --bare ./cmd/api", want: []Command{{Env: []string{"KO_DOCKER_REPO=reg.example/api"}, Args: []string{"imgcheck", "build", "--bare", "./cmd/api"}}}},
		{line: "imgcheck build ./a --tarball a.tar && skopeo copy oci-archive:a.tar docker://r/a:v1", want: []Command{
			{Args: []string{"imgcheck", "build", "./a", "--tarball", "a.tar"}},
			{Args: []string{"skopeo", "copy", "oci-archive:a.tar", "docker://r/a:v1"}},
		}},
		{line: `imgcheck verify --ignore 'IC313,IC209' "a b" c\ d x=y`, want: []Command{{Args: []string{"imgcheck", "verify", "--ignore", "IC313,IC209", "a b", "c d", "x=y"}}}},
		{line: `"A=1" imgcheck`, want: []Command{{Args: []string{"A=1", "imgcheck"}}}},
		{line: "imgcheck verify '$HOME'", want: []Command{{Args: []string{"imgcheck", "verify", "$HOME"}}}},
		{line: "echo $?", wantErr: "shell syntax ($)"},
		{line: "imgcheck verify x | tee out", wantErr: "shell syntax (|)"},
		{line: "imgcheck verify x > out", wantErr: "shell syntax (>)"},
		{line: "imgcheck verify x & wait", wantErr: "shell syntax (&)"},
		{line: "imgcheck verify x; true", wantErr: "shell syntax (;)"},
		{line: "imgcheck verify 'x", wantErr: "unterminated quote"},
		{line: "A=1", wantErr: "no program"},
		{line: "imgcheck build && ", wantErr: "no program"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := Parse(tt.line)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestImgcheck(t *testing.T) {
	tests := []struct {
		args []string
		want []string
		ok   bool
	}{
		{[]string{"imgcheck", "build", "./a"}, []string{"build", "./a"}, true},
		{[]string{"go", "run", "./cmd/imgcheck", "build", "./a"}, []string{"build", "./a"}, true},
		{[]string{"go", "run", "./cmd/other"}, nil, false},
		{[]string{"skopeo", "copy"}, nil, false},
	}
	for _, tt := range tests {
		got, ok := Command{Args: tt.args}.Imgcheck()
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: %q %v, want %q %v", tt.args, got, ok, tt.want, tt.ok)
		}
	}
}

func TestHelp(t *testing.T) {
	help := "Build images.\n\nUsage:\n  imgcheck build [flags]\n\nExamples:\n  # first\n  imgcheck build ./a\n\n  imgcheck build ./b\n\nFlags:\n  -h, --help   help\n\nGlobal Flags:\n  --x\n"
	want := "  # first\n  imgcheck build ./a\n\n  imgcheck build ./b\n"
	if got := Help(help); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := Help("Usage:\n  imgcheck version\n"); got != "" {
		t.Errorf("no Examples section: got %q", got)
	}
}
