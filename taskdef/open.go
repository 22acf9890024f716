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
//     subdirectories), in name order;
//   - a file in any supported shape;
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
		td, err = Load(ctx, ref, opts.LoadOptions)
	}
	if err != nil {
		return nil, err
	}
	return []*TaskDefinition{td}, nil
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
	tds := make([]*TaskDefinition, 0, len(files))
	for _, f := range files {
		td, err := Load(ctx, f, opts)
		if err != nil {
			return nil, err
		}
		tds = append(tds, td)
	}
	return tds, nil
}
