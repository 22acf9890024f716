package build

import (
	"os"

	"github.com/imgcheck/imgcheck/build/koconfig"
)

// FromEnvironment returns a Builder set up the way ko sets itself up from
// its process: workDir (the working directory when "") anchors packages
// and .ko.yaml, environ (os.Environ() when nil) holds KO_CONFIG_PATH and
// the other ko variables, and the .ko.yaml they select is loaded.
func FromEnvironment(workDir string, environ []string) (*Builder, error) {
	if workDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		workDir = wd
	}
	if environ == nil {
		environ = os.Environ()
	}
	cfg, err := koconfig.Load(workDir, LookupEnv(environ))
	if err != nil {
		return nil, err
	}
	return &Builder{WorkDir: workDir, Environ: environ, Config: cfg}, nil
}

// Getenv returns a variable of the Builder's environment ("" when unset).
func (b *Builder) Getenv(key string) string {
	env := b.Environ
	if env == nil {
		env = os.Environ()
	}
	return LookupEnv(env)(key)
}
