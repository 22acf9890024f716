package examples

import (
	"slices"
	"strings"
)

// Transcript is a command of a console block and the lines the block shows
// it printed: those after its "$ " line (and its continuations) up to the
// next "$ " line or the end of the block.
type Transcript struct {
	Example           // Line is "" for a prompt with only a comment
	Output   []string // as written, untrimmed
	OutputAt int      // the file's line number of Output[0] (where it would be when there is none), from 1
}

// Transcripts returns the commands of md's ```console blocks, in order,
// with the output each shows; name is the file's name for Where.
func Transcripts(name, md string) []Transcript {
	var out []Transcript
	for _, b := range codeBlocks(md) {
		if b.lang != "console" {
			continue
		}
		raw := strings.Split(b.body, "\n")
		cmds := scan(name, b.body, "$ ", b.firstLine, b.n)
		for i, c := range cmds {
			end := len(raw)
			if i+1 < len(cmds) {
				end = cmds[i+1].first
			}
			out = append(out, Transcript{
				Example:  c.Example,
				Output:   slices.Clone(raw[c.last+1 : end]),
				OutputAt: b.firstLine + c.last + 1,
			})
		}
	}
	return out
}
