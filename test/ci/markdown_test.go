package ci

import (
	"fmt"
	"strings"
	"testing"
)

// codeBlock is one fenced code block of a Markdown page. Its info string is
// "LANG [NAME]": docs/ci.md names the file a block is ("yaml .gitlab-ci.yml").
type codeBlock struct {
	Lang, Name string
	Body       string
	Line       int // 1-based line of the opening fence
}

// codeBlocks returns the fenced (```) code blocks of md, in order. An
// unterminated fence is an error naming its line.
func codeBlocks(md string) ([]codeBlock, error) {
	var out []codeBlock
	var cur *codeBlock
	var body strings.Builder
	fence := ""
	for i, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if cur == nil {
			if !strings.HasPrefix(trimmed, "```") {
				continue
			}
			n := len(trimmed) - len(strings.TrimLeft(trimmed, "`"))
			fence = trimmed[:n]
			info := strings.Fields(trimmed[n:])
			cur = &codeBlock{Line: i + 1}
			if len(info) > 0 {
				cur.Lang = info[0]
			}
			if len(info) > 1 {
				cur.Name = info[1]
			}
			body.Reset()
			continue
		}
		if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, "`") == "" {
			cur.Body = body.String()
			out = append(out, *cur)
			cur = nil
			continue
		}
		body.WriteString(line)
		body.WriteByte('\n')
	}
	if cur != nil {
		return out, fmt.Errorf("line %d: code block not closed", cur.Line)
	}
	return out, nil
}

// namedBlock returns the block called name, failing the test when there is
// not exactly one.
func namedBlock(t *testing.T, blocks []codeBlock, name string) codeBlock {
	t.Helper()
	var found []codeBlock
	for _, b := range blocks {
		if b.Name == name {
			found = append(found, b)
		}
	}
	if len(found) != 1 {
		t.Fatalf("docs/ci.md: want exactly one code block named %s, found %d", name, len(found))
	}
	return found[0]
}

func TestCodeBlocks(t *testing.T) {
	tests := []struct {
		name    string
		md      string
		want    []codeBlock
		wantErr string
	}{
		{name: "none", md: "# title\ntext\n"},
		{name: "named yaml", md: "x\n```yaml .gitlab-ci.yml\na: 1\n```\n",
			want: []codeBlock{{Lang: "yaml", Name: ".gitlab-ci.yml", Body: "a: 1\n", Line: 2}}},
		{name: "no info string", md: "```\nplain\n```",
			want: []codeBlock{{Body: "plain\n", Line: 1}}},
		{name: "longer fence keeps shorter fences inside", md: "````md\n```sh\necho\n```\n````\n",
			want: []codeBlock{{Lang: "md", Body: "```sh\necho\n```\n", Line: 1}}},
		{name: "two blocks", md: "```sh a.sh\necho a\n```\ntext\n```sh b.sh\necho b\n```\n",
			want: []codeBlock{{Lang: "sh", Name: "a.sh", Body: "echo a\n", Line: 1}, {Lang: "sh", Name: "b.sh", Body: "echo b\n", Line: 5}}},
		{name: "unterminated", md: "text\n```yaml\na: 1\n", wantErr: "line 2: code block not closed"},
		{name: "closing fence with text is content", md: "```sh\n```not a close\n", wantErr: "line 1: code block not closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := codeBlocks(tt.md)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func FuzzCodeBlocks(f *testing.F) {
	f.Add("```yaml x.yml\na: 1\n```\n")
	f.Add("````\n```\n````")
	f.Add("  ```sh\n  echo\n  ```")
	f.Fuzz(func(t *testing.T, md string) {
		blocks, err := codeBlocks(md)
		for _, b := range blocks {
			if !strings.Contains(md, b.Body) {
				t.Fatalf("block body %q is not part of the input", b.Body)
			}
			if b.Line < 1 || b.Line > strings.Count(md, "\n")+1 {
				t.Fatalf("block line %d out of range", b.Line)
			}
		}
		fences := 0
		for _, line := range strings.Split(md, "\n") {
			if strings.HasPrefix(strings.TrimLeft(line, " "), "```") {
				fences++
			}
		}
		// One fence line opens a block that nothing closes.
		if err == nil && fences == 1 {
			t.Fatalf("a single fence line parsed without error: %+v", blocks)
		}
	})
}
