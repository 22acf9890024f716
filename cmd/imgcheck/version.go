package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// versionInfo is what "imgcheck version" reports, read from the build info
// the Go toolchain embeds, so no ldflags are needed to get a true answer.
type versionInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

func readVersionInfo() versionInfo {
	v := versionInfo{
		Version:  "(devel)",
		Commit:   "unknown",
		Go:       runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH,
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// versionLine is the one-line answer to --version: version, commit and Go.
func versionLine(v versionInfo) string {
	commit := v.Commit
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if v.Modified {
		commit += "-modified"
	}
	return fmt.Sprintf("%s (commit %s, %s, %s)", v.Version, commit, v.Go, v.Platform)
}

func newVersionCmd(s streams) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the imgcheck version, commit, Go version and platform",
		Example: `  imgcheck version
  imgcheck version --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := readVersionInfo()
			switch format {
			case "text":
				modified := ""
				if v.Modified {
					modified = " (modified)"
				}
				_, err := fmt.Fprintf(s.out, "imgcheck %s\ncommit   %s%s\ngo       %s\nplatform %s\n",
					v.Version, v.Commit, modified, v.Go, v.Platform)
				return err
			case "json":
				enc := json.NewEncoder(s.out)
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			default:
				return fmt.Errorf("unknown --format %q: want text or json", format)
			}
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}
