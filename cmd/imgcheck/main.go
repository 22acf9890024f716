// Command imgcheck builds multi-arch container images of Go services without
// a Docker daemon and verifies, before deployment, that an image will start on
// the AWS ECS / Fargate task that is about to run it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// ECS and CI runners stop us with SIGTERM; a person with Ctrl-C. Both
	// cancel the context so long work (pulls, pushes, builds) ends cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], streams{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	os.Exit(code)
}
