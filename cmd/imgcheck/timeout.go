package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"
)

// defaultRunTimeout bounds a whole verify or inspect run: the registry
// transport bounds each request and each stalled body, and this bounds
// their sum, so a CI step always ends with a verdict or exit 2.
const defaultRunTimeout = 5 * time.Minute

// runTimeout is the --timeout flag of the verbs that read images.
type runTimeout struct{ d time.Duration }

func (t *runTimeout) register(fs *pflag.FlagSet) {
	fs.DurationVar(&t.d, "timeout", defaultRunTimeout, "give up after this long (could not verify, exit 2); 0 means no limit")
}

// apply returns ctx bounded by the timeout; when it expires the context's
// cause says so, and that is what the report quotes.
func (t runTimeout) apply(ctx context.Context) (context.Context, context.CancelFunc) {
	if t.d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, t.d, fmt.Errorf("timed out after %s (--timeout): %w", t.d, context.DeadlineExceeded))
}
