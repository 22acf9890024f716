package build

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// Package is a Go main package to build.
type Package struct {
	ImportPath string
	Dir        string // absolute
	// Name is the binary's name in the image: the last element of the
	// import path, as ko names it.
	Name string
	// ModulePath and ModuleDir describe the main module, when there is one.
	ModulePath string
	ModuleDir  string
}

// ResolvePackage finds the main package named by arg (an import path, a
// ko:// reference, or a directory such as ./cmd/app) relative to workDir.
func ResolvePackage(ctx context.Context, workDir, arg string) (Package, error) {
	target := strings.TrimPrefix(arg, "ko://")
	if target == "" {
		target = "."
	}
	if isDirArg(target) {
		d := target
		if !filepath.IsAbs(d) {
			d = filepath.Join(workDir, d)
		}
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return Package{}, fmt.Errorf("package %s: not a directory", arg)
		}
	}
	cmd := exec.CommandContext(ctx, "go", "list", "-json=ImportPath,Dir,Name,Module", "--", target)
	cmd.Dir = workDir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return Package{}, fmt.Errorf("resolving package %s: go list: %w: %s", arg, err, strings.TrimSpace(stderr.String()))
	}
	var listed struct {
		ImportPath, Dir, Name string
		Module                *struct{ Path, Dir string }
	}
	dec := json.NewDecoder(&stdout)
	if err := dec.Decode(&listed); err != nil {
		return Package{}, fmt.Errorf("resolving package %s: reading go list output: %w", arg, err)
	}
	if dec.More() {
		return Package{}, fmt.Errorf("package %s names several packages; name one main package", arg)
	}
	if listed.Name != "main" {
		return Package{}, fmt.Errorf("package %s (%s) is package %s, not a main package", arg, listed.ImportPath, listed.Name)
	}
	p := Package{ImportPath: listed.ImportPath, Dir: listed.Dir, Name: path.Base(listed.ImportPath)}
	if listed.Module != nil {
		p.ModulePath, p.ModuleDir = listed.Module.Path, listed.Module.Dir
	}
	return p, nil
}

// isDirArg reports whether arg is written as a path, like go build does:
// relative paths start with . or .., absolute ones with /.
func isDirArg(arg string) bool {
	return arg == "." || arg == ".." || strings.HasPrefix(arg, "./") || strings.HasPrefix(arg, "../") || filepath.IsAbs(arg)
}
