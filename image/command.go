package image

import (
	"context"
	"fmt"
	"path"
	"strings"
)

// DefaultPATH is the PATH a container gets when its image sets none
// (what Docker and containerd use).
const DefaultPATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// ResolveCommand finds the file a container runtime would execute for
// argv0: a path with a slash is taken as is (relative to workingDir, "/"
// when empty); a bare name is searched in pathEnv (DefaultPATH when empty)
// like exec.LookPath, skipping directories and files without an execute
// bit. When only non-executable candidates exist the first is returned so
// that the caller can report its mode.
func (p *Platform) ResolveCommand(ctx context.Context, argv0, workingDir, pathEnv string) (File, error) {
	if workingDir == "" {
		workingDir = "/"
	}
	if argv0 == "" {
		return File{Layer: -1, WhiteoutLayer: -1, Reason: ReasonNoSuchFile, Detail: "empty command"}, nil
	}
	if strings.Contains(argv0, "/") {
		if path.IsAbs(argv0) {
			return p.Lookup(ctx, argv0)
		}
		return p.Lookup(ctx, path.Join(workingDir, argv0))
	}
	if pathEnv == "" {
		pathEnv = DefaultPATH
	}
	var firstNonExec *File
	var searched []int
	var tried []string
	for _, dir := range strings.Split(pathEnv, ":") {
		if dir == "" || dir == "." {
			dir = workingDir
		} else if !path.IsAbs(dir) {
			dir = path.Join(workingDir, dir)
		}
		cand := path.Join(dir, argv0)
		tried = append(tried, cand)
		f, err := p.Lookup(ctx, cand)
		if err != nil {
			return f, err
		}
		for _, l := range f.LayersSearched {
			if !containsInt(searched, l) {
				searched = append(searched, l)
			}
		}
		if !f.Found || f.Type == TypeDir {
			continue
		}
		if f.Executable() {
			return f, nil
		}
		if firstNonExec == nil {
			firstNonExec = &f
		}
	}
	if firstNonExec != nil {
		return *firstNonExec, nil
	}
	return File{
		Path: argv0, Layer: -1, WhiteoutLayer: -1, Reason: ReasonNotInPath, LayersSearched: searched,
		Detail: fmt.Sprintf("%s not found in PATH %s (tried %s)", argv0, pathEnv, strings.Join(tried, ", ")),
	}, nil
}
