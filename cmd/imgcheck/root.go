package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
)

// streams are the process's standard streams, passed down so that commands
// can be run and tested without touching os.Stdout.
type streams struct {
	in  io.Reader
	out io.Writer // results
	err io.Writer // progress, logs and diagnostics
}

// isTerminal reports whether w is a terminal, where progress may update in
// place; anything else (CI logs, files) gets plain lines.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// imageRefForms is how the verbs' help names the image references that
// image.ParseRef reads.
const imageRefForms = `IMAGE is one of:
  registry.example/app:v1, docker://registry.example/app:v1  a registry
  oci:DIR[:name][@sha256:...], ocidir://DIR[:tag]           an OCI layout (skopeo, regctl)
  oci-archive:FILE[:name], tarball:FILE                     an OCI or docker save archive`

// globalOptions are flags every command shares.
type globalOptions struct {
	verbose bool
}

// logger returns the slog logger commands use for diagnostics on stderr.
func (g *globalOptions) logger(s streams) *slog.Logger {
	level := slog.LevelWarn
	if g.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: level}))
}

func newRootCmd(s streams) *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "imgcheck",
		Short: "Build Go service images and prove they start on their ECS task",
		Long: `imgcheck builds multi-arch container images of Go services without a Docker
daemon, and verifies before deployment that an image will start on the AWS
ECS / Fargate task definition that is about to run it.

Exit codes: 0 every check ran and passed; 1 findings at or above --fail-on;
2 could not verify (bad input, registry, network or auth error).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// A bare "imgcheck" prints help; "imgcheck typo" is an error (exit 2).
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	// --version prints what "imgcheck version" prints (ko, crane and
	// skopeo users reach for the flag).
	root.Version = versionLine(readVersionInfo())
	root.SetVersionTemplate("imgcheck {{.Version}}\n")
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "log debug detail to stderr")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return fmt.Errorf("%w (see '%s --help')", err, cmd.CommandPath())
	})
	root.AddCommand(
		newVersionCmd(s),
		newInspectCmd(s, g),
		newPlanCmd(s),
		newVerifyCmd(s, g),
		newBuildCmd(s, g),
	)
	return root
}

// run executes the command line and returns the process exit code. Errors are
// printed as one line on stderr, with the flag that fixes them when known.
func run(ctx context.Context, args []string, s streams) int {
	root := newRootCmd(s)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil {
		fmt.Fprintf(s.err, "imgcheck: %s\n", oneLine(withCommandHint(cmd, err)))
	}
	return exitCodeFor(err)
}
