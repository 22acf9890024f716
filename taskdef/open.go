package taskdef

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// OpenOptions configure Open.
type OpenOptions struct {
	// LoadOptions apply to every task definition read, whatever its source.
	LoadOptions
	// ECS describes task definitions named by ARN or family[:revision]. Nil
	// makes such references an error.
	ECS ECSDescriber
}

// Open reads the task definitions ref names:
//
//   - a directory: every *.json, *.yaml and *.yml file in it (not in its
//     subdirectories), in name order. Service definitions and ecspresso
//     configurations in it are not task definitions: each service is paired
//     with the task definition it deploys (TaskDefinition.Service; see
//     pairServices for how), so its rules run as if it had been given;
//   - an ecspresso configuration (ecspresso.yml): the task definition it
//     names, paired with the service definition it names;
//   - a file in any other supported shape;
//   - otherwise an ARN or family[:revision]: the task definition registered
//     in ECS, read through opts.ECS.
//
// A path that exists always wins over the ECS reading of the same string.
func Open(ctx context.Context, ref string, opts OpenOptions) ([]*TaskDefinition, error) {
	st, statErr := os.Stat(ref)
	var td *TaskDefinition
	var err error
	switch {
	case statErr == nil && st.IsDir():
		return openDir(ctx, ref, opts.LoadOptions)
	case statErr != nil && looksLive(ref):
		td, err = loadLive(ctx, ref, opts.ECS, opts.LoadOptions)
	default:
		td, err = openFile(ctx, ref, opts.LoadOptions)
	}
	if err != nil {
		return nil, err
	}
	return []*TaskDefinition{td}, nil
}

func openFile(ctx context.Context, path string, opts LoadOptions) (*TaskDefinition, error) {
	l, err := loadAny(ctx, path, opts)
	switch {
	case err != nil:
		return nil, err
	case l.config != nil:
		return openEcspresso(ctx, *l.config, opts)
	case l.svc != nil:
		return nil, fmt.Errorf("%s: this is a service definition (%s), not a task definition", path, l.svc.Source.Shape)
	}
	return l.td, nil
}

// taskdefExts are the extensions of the files a directory contributes.
var taskdefExts = []string{".json", ".yaml", ".yml"}

func openDir(ctx context.Context, dir string, opts LoadOptions) ([]*TaskDefinition, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading task definition directory %s: %w", dir, err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && slices.Contains(taskdefExts, strings.ToLower(filepath.Ext(e.Name()))) {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("task definition directory %s holds no .json, .yaml or .yml file", dir)
	}
	slices.Sort(files) // ReadDir sorts by name already; the order is part of the contract
	var tds []*TaskDefinition
	var svcs []*Service
	var configs []ecspressoConfig
	for _, f := range files {
		l, err := loadAny(ctx, f, opts)
		if err != nil {
			return nil, err
		}
		switch {
		case l.td != nil:
			tds = append(tds, l.td)
		case l.svc != nil:
			svcs = append(svcs, l.svc)
		default:
			configs = append(configs, *l.config)
		}
	}
	for _, cfg := range configs {
		if tds, svcs, err = pairEcspresso(ctx, cfg, tds, svcs, opts); err != nil {
			return nil, err
		}
	}
	if len(tds) == 0 {
		return nil, fmt.Errorf("task definition directory %s holds service definitions but no task definition", dir)
	}
	if err := pairServices(dir, tds, svcs); err != nil {
		return nil, err
	}
	return tds, nil
}
