package build

import (
	"fmt"
	"io"
	"sync"
)

// ProgressPrinter renders progress events for people: plain lines
// ("linux/arm64: compile 3.2s", "linux/arm64: layer 6.1 MB",
// "upload 12.3 MB") for CI logs, and on a terminal (live) an upload line
// that updates in place.
type ProgressPrinter struct {
	w           io.Writer
	live        bool
	withPackage bool

	mu       sync.Mutex
	lineOpen bool // a live line without newline is on screen
}

// NewProgressPrinter writes to w; live enables in-place updates (only for
// terminals); withPackage prefixes lines with the binary name (several
// packages).
func NewProgressPrinter(w io.Writer, live, withPackage bool) *ProgressPrinter {
	return &ProgressPrinter{w: w, live: live, withPackage: withPackage}
}

// Report implements Progress.
func (p *ProgressPrinter) Report(e Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	prefix := ""
	if p.withPackage {
		prefix = e.Package + " "
	}
	if e.Platform != "" {
		prefix += e.Platform + ": "
	}
	switch e.Stage {
	case StageInfo:
		p.line(prefix + e.Line)
	case StageCompileLog:
		p.line(prefix + e.Line)
	case StageCompile:
		p.line(fmt.Sprintf("%scompile %.1fs", prefix, e.Duration.Seconds()))
	case StageLayer:
		p.line(fmt.Sprintf("%slayer %s", prefix, megabytes(e.Bytes)))
	case StageUpload:
		switch {
		case e.Final:
			p.line(fmt.Sprintf("%supload %s", prefix, megabytes(e.Bytes)))
		case p.live:
			fmt.Fprintf(p.w, "\r\033[K%supload %s / %s", prefix, megabytes(e.Bytes), megabytes(e.Total))
			p.lineOpen = true
		}
	}
}

// Done ends an open live line.
func (p *ProgressPrinter) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lineOpen {
		fmt.Fprintln(p.w)
		p.lineOpen = false
	}
}

func (p *ProgressPrinter) line(s string) {
	if p.lineOpen {
		fmt.Fprint(p.w, "\r\033[K")
		p.lineOpen = false
	}
	fmt.Fprintln(p.w, s)
}

func megabytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
