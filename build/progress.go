package build

import "time"

// Stage names a step of a build reported to a Progress.
type Stage string

// The stages, in the order a platform goes through them.
const (
	StageInfo         Stage = "info"          // what a build uses: base, build config (Line)
	StageCompileStart Stage = "compile-start" // a platform's compile began (Line: import path)
	StageCompileLog   Stage = "compile-log"   // one line of go build output
	StageCompile      Stage = "compile"       // compile finished (Duration)
	StageLayer        Stage = "layer"         // binary layer made (Bytes, compressed)
	StageUpload       Stage = "upload"        // bytes pushed so far (Bytes, Total); Final once done
	StagePublished    Stage = "published"     // a target holds the result (Line: reference)
	// StageStep is any other long step (Line: what it does, e.g.
	// "verifying api"); the event with Final ends the step of that Line.
	StageStep Stage = "step"
)

// Event is one progress report.
type Event struct {
	Package  string // binary name
	Platform string // os/arch[/variant]; empty for whole-package events
	Stage    Stage
	Duration time.Duration
	Bytes    int64
	Total    int64
	// Final marks the last upload event of a push, or the end of a
	// StageStep. Upload bytes include blobs the registry already had
	// (go-containerregistry counts them).
	Final bool
	Line  string
}

// Progress receives events from concurrent builds; implementations must be
// safe for concurrent use.
type Progress interface {
	Report(Event)
}

// ProgressFunc adapts a function to Progress.
type ProgressFunc func(Event)

// Report calls f.
func (f ProgressFunc) Report(e Event) { f(e) }

type discardProgress struct{}

func (discardProgress) Report(Event) {}

// lineWriter turns go build's output into StageCompileLog events.
type lineWriter struct {
	progress Progress
	pkg, pl  string
}

func (w lineWriter) Write(b []byte) (int, error) {
	line := string(b)
	for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r') {
		line = line[:len(line)-1]
	}
	w.progress.Report(Event{Package: w.pkg, Platform: w.pl, Stage: StageCompileLog, Line: line})
	return len(b), nil
}
