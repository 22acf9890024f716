package examples

import (
	"reflect"
	"strings"
	"testing"
)

func TestTranscripts(t *testing.T) {
	md := strings.Join([]string{
		"# title",                     // 1
		"```sh",                       // 2
		"imgcheck build ./a",          // 3
		"```",                         // 4
		"```console",                  // 5
		"$ imgcheck build ./a \\",     // 6
		">   --oci-layout l",          // 7
		"$ imgcheck verify oci:l",     // 8
		"report",                      // 9
		"",                            // 10
		"  indented: FAIL",            // 11
		"$ echo $?   # the exit code", // 12
		"1",                           // 13
		"```",                         // 14
		"```console",                  // 15
		"$ # only a comment",          // 16
		"text",                        // 17
		"```",                         // 18
	}, "\n")
	want := []Transcript{
		{Example: Example{Where: "README.md:6", Block: 2, Line: "imgcheck build ./a --oci-layout l"}, Output: []string{}, OutputAt: 8},
		{Example: Example{Where: "README.md:8", Block: 2, Line: "imgcheck verify oci:l"}, Output: []string{"report", "", "  indented: FAIL"}, OutputAt: 9},
		{Example: Example{Where: "README.md:12", Block: 2, Line: "echo $?"}, Output: []string{"1"}, OutputAt: 13},
		{Example: Example{Where: "README.md:16", Block: 3, Line: ""}, Output: []string{"text"}, OutputAt: 17},
	}
	got := Transcripts("README.md", md)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	mdLines := strings.Split(md, "\n")
	for _, tr := range got {
		for i, l := range tr.Output {
			if at := mdLines[tr.OutputAt-1+i]; at != l {
				t.Errorf("%s: output line %d is %q, but line %d of the file is %q", tr.Where, i, l, tr.OutputAt+i, at)
			}
		}
	}
}
