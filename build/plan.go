package build

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/imgcheck/imgcheck/build/koconfig"
	"github.com/imgcheck/imgcheck/image/filecap"
)

// buildPlan is everything about a package that does not depend on the
// platform: rendered settings, the kodata layer, annotations.
type buildPlan struct {
	pkg         Package
	environ     []string
	dir         string
	env         []string
	flags       []string
	ldflags     []string
	kodata      *memoryLayer  // nil without kodata/
	fileCaps    *filecap.Caps // security.capability of the binary; nil for none
	created     time.Time
	annotations map[string]string
	labels      map[string]string // config labels added over the base's
	user        string            // config user; the base's when ""
}

func (b *Builder) plan(ctx context.Context, environ []string, cfg *koconfig.Config, pkg Package, s koconfig.Settings, created time.Time) (*buildPlan, error) {
	getenv := LookupEnv(environ)
	git := koconfig.ReadGitInfo(ctx, s.Dir)
	// ko renders {{.Date}} from the clock; a set SOURCE_DATE_EPOCH wins here
	// so that such builds can be reproducible.
	buildTime := time.Now()
	if getenv("SOURCE_DATE_EPOCH") != "" {
		buildTime = created
	}
	var goEnv map[string]string
	if mentionsGoEnv(s) {
		var err error
		if goEnv, err = readGoEnv(ctx, s.Dir); err != nil {
			return nil, err
		}
	}
	where := cfg.Path
	if where == "" {
		where = ".ko.yaml"
	}
	label := func(key string) string {
		if s.BuildID != "" {
			return fmt.Sprintf("%s: build %q %s", where, s.BuildID, key)
		}
		return where + ": " + key
	}
	data := koconfig.NewTemplateData(environ, buildTime, git, goEnv)
	env, err := koconfig.RenderAll(label("env"), s.Env, data)
	if err != nil {
		return nil, err
	}
	// Flags and ldflags see the build's own env, as ko's templates do.
	data = koconfig.NewTemplateData(append(slices.Clone(environ), env...), buildTime, git, goEnv)
	flags, err := koconfig.RenderAll(label("flags"), s.Flags, data)
	if err != nil {
		return nil, err
	}
	// Ldflags of the caller replace those of .ko.yaml, which are then not
	// rendered at all (a template they no longer need cannot fail).
	ldflags := slices.Clone(b.Ldflags)
	if len(ldflags) == 0 {
		if ldflags, err = koconfig.RenderAll(label("ldflags"), s.Ldflags, data); err != nil {
			return nil, err
		}
	}
	p := &buildPlan{
		pkg: pkg, environ: environ, dir: s.Dir, env: env, flags: flags, ldflags: ldflags, created: created, fileCaps: s.FileCaps,
		annotations: map[string]string{
			AnnotationSource:   git.RemoteURL,
			AnnotationRevision: git.FullCommit,
			AnnotationVersion:  koconfig.ExactTag(ctx, s.Dir),
		},
		labels: b.Labels, user: b.User,
	}
	maps.Copy(p.annotations, b.Annotations)
	root := pkg.ModuleDir
	if root == "" {
		root = b.WorkDir
	}
	files, err := kodataFiles(pkg.Dir, root)
	if err != nil {
		return nil, err
	}
	if files != nil {
		dataTime, err := sourceDateEpoch(getenv("KO_DATA_DATE_EPOCH"), created)
		if err != nil {
			return nil, fmt.Errorf("KO_DATA_DATE_EPOCH: %w", err)
		}
		if p.kodata, err = newReproducibleLayer(files, dataTime); err != nil {
			return nil, fmt.Errorf("making the kodata layer: %w", err)
		}
	}
	return p, nil
}

func mentionsGoEnv(s koconfig.Settings) bool {
	for _, list := range [][]string{s.Env, s.Flags, s.Ldflags} {
		for _, v := range list {
			if strings.Contains(v, ".GoEnv") {
				return true
			}
		}
	}
	return false
}

func readGoEnv(ctx context.Context, dir string) (map[string]string, error) {
	cmd := exec.CommandContext(ctx, "go", "env", "-json")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go env -json (for {{.GoEnv}} templates): %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	m := map[string]string{}
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, fmt.Errorf("reading go env -json: %w", err)
	}
	return m, nil
}

// readFileLimited reads a built binary; the bound guards against a
// Compiler that points at something unexpected.
func readFileLimited(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than %d", path, st.Size(), limit)
	}
	return os.ReadFile(path)
}
