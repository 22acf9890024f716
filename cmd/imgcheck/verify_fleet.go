package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/imgcheck/imgcheck/taskdef"
	"github.com/imgcheck/imgcheck/verify"
)

// loadVerifyInputs turns the command line into one input per task
// definition. Several task definitions (repeated --taskdef, or a
// directory) verify a fleet in one run: each container with its own image.
func loadVerifyInputs(ctx context.Context, o *verifyOptions) ([]verify.Input, error) {
	params, err := parseParams(o.params)
	if err != nil {
		return nil, err
	}
	lo := taskdef.LoadOptions{Resource: o.resource, Params: params}
	refs, err := expandTaskdefs(o.taskdefs)
	if err != nil {
		return nil, err
	}
	if len(refs) <= 1 {
		ref := ""
		if len(refs) == 1 {
			ref = refs[0]
		}
		in, err := loadVerifyInput(ctx, o, ref, lo)
		return []verify.Input{in}, err
	}
	if len(o.images) > 0 || len(o.containers) > 0 || o.service != "" || len(o.platforms) > 0 {
		return nil, fmt.Errorf("with several task definitions each container is verified with its own image: IMAGE, --container, --service and --platform need a single --taskdef")
	}
	var inputs []verify.Input
	for _, ref := range refs {
		in, err := loadVerifyInput(ctx, o, ref, lo)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ref, err)
		}
		inputs = append(inputs, in)
	}
	return inputs, nil
}

// expandTaskdefs replaces a directory by the task definition files in it
// (*.json, *.yaml, *.yml, sorted); files, ARNs and families stay as given.
func expandTaskdefs(refs []string) ([]string, error) {
	var out []string
	for _, ref := range refs {
		st, err := os.Stat(ref)
		if err != nil || !st.IsDir() {
			out = append(out, ref)
			continue
		}
		entries, err := os.ReadDir(ref)
		if err != nil {
			return nil, fmt.Errorf("--taskdef %s: %w", ref, err)
		}
		var files []string
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if !e.IsDir() && (ext == ".json" || ext == ".yaml" || ext == ".yml") {
				files = append(files, filepath.Join(ref, e.Name()))
			}
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("--taskdef %s: the directory holds no .json, .yaml or .yml file", ref)
		}
		sort.Strings(files)
		out = append(out, files...)
	}
	return out, nil
}
