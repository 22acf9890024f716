package build

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Heartbeat intervals: on a terminal the status line is redrawn every
// second; elsewhere (CI logs) a plain "still" line is written when a step
// has run this long since the last line about it.
const (
	LiveHeartbeat  = time.Second
	PlainHeartbeat = 30 * time.Second
)

// statusWidth bounds the live status line, so that it does not wrap on a
// narrow terminal (a wrapped line cannot be redrawn in place).
const statusWidth = 120

// ProgressPrinter renders progress events for people: plain lines
// ("linux/arm64: compiling example.com/api", "linux/arm64: compile 3.2s",
// "linux/arm64: layer 6.1 MB", "upload 12.3 MB") for CI logs, and on a
// terminal (live) a status line, redrawn in place, with every running
// step and its elapsed time. Start runs the heartbeat that keeps a long
// step visible.
type ProgressPrinter struct {
	w           io.Writer
	live        bool
	withPackage bool
	now         func() time.Time

	mu       sync.Mutex
	lineOpen bool // a live line without newline is on screen
	steps    []*runningStep
	stop     context.CancelFunc
	stopped  chan struct{}
}

// runningStep is a step between its start and its end event.
type runningStep struct {
	key       string
	label     string // what the status line says
	start     time.Time
	lastShown time.Time // plain mode: when a line last mentioned it
}

// NewProgressPrinter writes to w; live enables in-place updates (only for
// terminals); withPackage prefixes lines with the binary name (several
// packages).
func NewProgressPrinter(w io.Writer, live, withPackage bool) *ProgressPrinter {
	return &ProgressPrinter{w: w, live: live, withPackage: withPackage, now: time.Now}
}

// Start runs the heartbeat until Done: every LiveHeartbeat on a terminal,
// every PlainHeartbeat elsewhere.
func (p *ProgressPrinter) Start(ctx context.Context) {
	every := PlainHeartbeat
	if p.live {
		every = LiveHeartbeat
	}
	ctx, cancel := context.WithCancel(ctx)
	p.mu.Lock()
	p.stop, p.stopped = cancel, make(chan struct{})
	p.mu.Unlock()
	go func() {
		defer close(p.stopped)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				p.Heartbeat()
			}
		}
	}()
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
	now := p.now()
	switch e.Stage {
	case StageInfo, StageCompileLog:
		p.line(prefix + e.Line)
	case StageCompileStart:
		p.begin(stepKey(e, "compile"), prefix+"compiling", now)
		p.line(prefix + "compiling " + e.Line)
	case StageCompile:
		p.end(stepKey(e, "compile"))
		p.line(fmt.Sprintf("%scompile %.1fs", prefix, e.Duration.Seconds()))
	case StageLayer:
		p.line(fmt.Sprintf("%slayer %s", prefix, megabytes(e.Bytes)))
	case StageUpload:
		key := stepKey(e, "upload")
		if e.Final {
			p.end(key)
			p.line(fmt.Sprintf("%supload %s", prefix, megabytes(e.Bytes)))
			return
		}
		p.begin(key, fmt.Sprintf("%supload %s / %s", prefix, megabytes(e.Bytes), megabytes(e.Total)), now)
		if p.live {
			p.drawStatus(now)
		}
	case StageStep:
		key := stepKey(e, "step "+e.Line)
		if e.Final {
			p.end(key)
			return
		}
		p.begin(key, prefix+e.Line, now)
		p.line(prefix + e.Line)
	}
}

// Heartbeat shows the running steps: on a terminal it redraws the status
// line; elsewhere it writes one "still" line naming the steps that ran a
// PlainHeartbeat since a line last mentioned them. Start calls it; tests
// call it with a fake clock.
func (p *ProgressPrinter) Heartbeat() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.live {
		p.drawStatus(now)
		return
	}
	var due []string
	for _, s := range p.steps {
		if now.Sub(s.lastShown) >= PlainHeartbeat {
			due = append(due, fmt.Sprintf("%s (%s)", s.label, elapsed(now.Sub(s.start))))
			s.lastShown = now
		}
	}
	if len(due) > 0 {
		p.line("still running: " + joinSteps(due))
	}
}

// Done stops the heartbeat and ends an open live line.
func (p *ProgressPrinter) Done() {
	p.mu.Lock()
	stop, stopped := p.stop, p.stopped
	p.stop = nil
	p.mu.Unlock()
	if stop != nil {
		stop()
		<-stopped
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lineOpen {
		fmt.Fprintln(p.w)
		p.lineOpen = false
	}
}

func stepKey(e Event, kind string) string {
	return e.Package + "\x00" + e.Platform + "\x00" + kind
}

// begin starts a step, or updates the label of a running one.
func (p *ProgressPrinter) begin(key, label string, now time.Time) {
	for _, s := range p.steps {
		if s.key == key {
			s.label = label
			return
		}
	}
	p.steps = append(p.steps, &runningStep{key: key, label: label, start: now, lastShown: now})
}

func (p *ProgressPrinter) end(key string) {
	for i, s := range p.steps {
		if s.key == key {
			p.steps = append(p.steps[:i], p.steps[i+1:]...)
			return
		}
	}
}

// drawStatus redraws the live line: each running step, with its elapsed
// time once it passes a second.
func (p *ProgressPrinter) drawStatus(now time.Time) {
	if len(p.steps) == 0 {
		if p.lineOpen {
			fmt.Fprint(p.w, "\r\033[K")
			p.lineOpen = false
		}
		return
	}
	parts := make([]string, 0, len(p.steps))
	for _, s := range p.steps {
		part := s.label
		if d := now.Sub(s.start); d >= time.Second {
			part += " (" + elapsed(d) + ")"
		}
		parts = append(parts, part)
	}
	status := joinSteps(parts)
	if r := []rune(status); len(r) > statusWidth {
		status = string(r[:statusWidth-1]) + "…"
	}
	fmt.Fprint(p.w, "\r\033[K"+status)
	p.lineOpen = true
}

// line writes a plain line; on a terminal the status line of the running
// steps is drawn again below it.
func (p *ProgressPrinter) line(s string) {
	if p.lineOpen {
		fmt.Fprint(p.w, "\r\033[K")
		p.lineOpen = false
	}
	fmt.Fprintln(p.w, s)
	now := p.now()
	for _, st := range p.steps {
		st.lastShown = now
	}
	if p.live {
		p.drawStatus(now)
	}
}

func joinSteps(parts []string) string { return strings.Join(parts, "; ") }

// elapsed renders a duration the way people read it: 9s, 1m05s, 1h02m.
func elapsed(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func megabytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
