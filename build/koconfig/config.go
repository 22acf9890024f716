// Package koconfig reads ko's .ko.yaml so that a repository configured for ko
// builds the same program with imgcheck. It supports the keys listed in
// Supported, refuses the ones ko knows but imgcheck does not implement, and
// reports every other key as an error with file:line:col.
package koconfig

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/imgcheck/imgcheck/image/filecap"
)

// Config is a parsed .ko.yaml. The zero value is the configuration of a
// repository without a .ko.yaml.
type Config struct {
	// Path is the file the configuration was read from; empty when none.
	Path string

	DefaultBaseImage string
	// BaseImageOverrides maps an import path to a base image reference.
	BaseImageOverrides map[string]string
	DefaultPlatforms   []string
	DefaultEnv         []string
	DefaultFlags       []string
	DefaultLdflags     []string
	Builds             []Build
}

// Build is one entry of builds[]. Nil slices mean "not set", so that the
// defaults apply; an empty list set in the file is kept as empty.
type Build struct {
	ID      string
	Dir     string
	Main    string
	Env     []string
	Flags   []string
	Ldflags []string
	// LinuxCapabilities are the linux_capabilities terms as written (nil:
	// not set), and FileCaps what they mean: the security.capability
	// attribute ko writes on the binary, nil when none.
	LinuxCapabilities []string
	FileCaps          *filecap.Caps
	// Line is where the entry starts in Config.Path, for error messages.
	Line int
}

// configNames are the file names looked up in a directory, in order. ko reads
// its configuration through viper, which accepts both extensions.
var configNames = []string{".ko.yaml", ".ko.yml"}

// Load reads the configuration that ko would read when run in workDir:
// KO_CONFIG_PATH (a file, or a directory holding .ko.yaml) when set, else
// workDir/.ko.yaml. A missing default file is not an error; a missing
// KO_CONFIG_PATH is, because the user asked for it.
func Load(workDir string, getenv func(string) string) (*Config, error) {
	if p := getenv("KO_CONFIG_PATH"); p != "" {
		if !filepath.IsAbs(p) {
			p = filepath.Join(workDir, p)
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("KO_CONFIG_PATH %s: %w", p, err)
		}
		if !st.IsDir() {
			return loadFile(p)
		}
		cfg, found, err := loadFromDir(p)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("KO_CONFIG_PATH %s: no .ko.yaml in that directory", p)
		}
		return cfg, nil
	}
	cfg, _, err := loadFromDir(workDir)
	return cfg, err
}

func loadFromDir(dir string) (*Config, bool, error) {
	for _, n := range configNames {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, false, fmt.Errorf("looking for %s: %w", p, err)
		}
		cfg, err := loadFile(p)
		return cfg, true, err
	}
	return &Config{}, false, nil
}

// maxConfigBytes bounds what we read: a .ko.yaml is a few hundred bytes.
const maxConfigBytes = 1 << 20

func loadFile(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("%s: file is more than the %d bytes a .ko.yaml may have", path, maxConfigBytes)
	}
	return Parse(path, data)
}
