package realimages

import (
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/internal/imagetest"
)

// DebianPath is the environment's PATH in Debian's and busybox's official
// images.
const DebianPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// AppPath is where AppLayer puts the program.
const AppPath = "/app/server"

// Config is the configuration of a linux test image.
type Config struct {
	Arch             string // GOARCH naming: amd64, arm64
	Entrypoint, Cmd  []string
	Env              []string // nil: DebianPath
	User, WorkingDir string
}

// Image assembles a linux image of the layers (bottom first) with cfg; an
// arm64 image has variant v8, as Docker's official arm64 images do.
func Image(t testing.TB, cfg Config, layers ...v1.Layer) v1.Image {
	t.Helper()
	env := cfg.Env
	if env == nil {
		env = []string{DebianPath}
	}
	variant := ""
	if cfg.Arch == "arm64" {
		variant = "v8"
	}
	return imagetest.Image(t, imagetest.ImageSpec{
		OS: "linux", Architecture: cfg.Arch, Variant: variant,
		Entrypoint: cfg.Entrypoint, Cmd: cfg.Cmd, Env: env, User: cfg.User, WorkingDir: cfg.WorkingDir,
		Layers: layers,
	})
}

// AppLayer is a layer with program at AppPath (mode, owned by root) and
// more entries after it.
func AppLayer(t testing.TB, program []byte, mode int64, more ...imagetest.Entry) v1.Layer {
	t.Helper()
	entries := append([]imagetest.Entry{imagetest.Dir("app"), imagetest.File("app/server", mode, program)}, more...)
	return imagetest.Layer(t, entries...)
}
