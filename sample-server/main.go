// Command sample-server is the HTTP and WebSocket service that imgcheck
// builds, verifies and deploys as its example. See README.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/imgcheck/imgcheck/sample-server/server"
)

// Set at link time, for example
// -ldflags "-X main.version=v1.2.3 -X main.commit=abc1234"; empty values fall
// back to the build information the Go toolchain embeds.
var (
	version string
	commit  string
)

// Exit codes: 0 clean stop or healthy, 1 failure or unhealthy, 2 bad usage
// or configuration.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// healthcheckTimeout keeps -healthcheck well inside an ECS health check
// timeout (5 s in the examples).
const healthcheckTimeout = 3 * time.Second

func main() {
	os.Exit(run(os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, lookupEnv func(string) (string, bool), stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("sample-server", flag.ContinueOnError)
	flags.SetOutput(stderr)
	healthcheck := flags.Bool("healthcheck", false,
		"request http://127.0.0.1:$PORT/healthz and exit 0 if it answers 200, else 1 (for container health checks)")
	showVersion := flags.Bool("version", false, "print the version as JSON and exit")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK // usage was asked for and printed
		}
		return exitUsage
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "sample-server: unexpected argument %q\n", flags.Arg(0))
		return exitUsage
	}
	build := resolveBuildInfo(version, commit)
	if *showVersion {
		out, err := json.Marshal(build)
		if err != nil {
			fmt.Fprintf(stderr, "sample-server: encoding version: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(stdout, "%s\n", out)
		return exitOK
	}

	cfg, err := server.ConfigFromEnv(lookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "sample-server: invalid configuration: %v\n", err)
		return exitUsage
	}
	if *healthcheck {
		if err := checkHealth(context.Background(), cfg.Port, healthcheckTimeout); err != nil {
			fmt.Fprintf(stderr, "sample-server: unhealthy: %v\n", err)
			return exitFailed
		}
		return exitOK
	}

	logger := slog.New(slog.NewJSONHandler(stdout, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		// After the first signal, a second one kills the process at once.
		<-ctx.Done()
		stop()
	}()

	srv, err := server.New(cfg, build, logger)
	if err != nil {
		fmt.Fprintf(stderr, "sample-server: %v\n", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		logger.Error("cannot listen", "addr", cfg.Addr(), "error", err.Error())
		return exitFailed
	}
	if err := srv.Serve(ctx, ln); err != nil {
		logger.Error("server stopped with an error", "error", err.Error())
		return exitFailed
	}
	return exitOK
}

// resolveBuildInfo prefers the link-time values and falls back to what the
// Go toolchain recorded: the module version and the VCS revision.
func resolveBuildInfo(ldVersion, ldCommit string) server.BuildInfo {
	info, _ := debug.ReadBuildInfo()
	return buildInfoFrom(ldVersion, ldCommit, info)
}

func buildInfoFrom(ldVersion, ldCommit string, info *debug.BuildInfo) server.BuildInfo {
	b := server.BuildInfo{Version: ldVersion, Commit: ldCommit}
	if info != nil && b.Version == "" {
		b.Version = info.Main.Version
	}
	if info != nil && b.Commit == "" {
		var revision, modified string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if len(revision) > 12 {
			revision = revision[:12]
		}
		if revision != "" && modified == "true" {
			revision += "-dirty"
		}
		b.Commit = revision
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	return b
}
