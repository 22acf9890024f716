package image

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
)

// DefaultPATH is the PATH a container gets when its image sets none
// (what Docker and containerd use).
const DefaultPATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// ResolveCommand finds the file a container runtime would execute for
// argv0: a path with a slash is taken as is (relative to workingDir, "/"
// when empty); a bare name is searched in pathEnv (DefaultPATH when empty)
// like exec.LookPath, skipping directories and files without an execute
// bit. Windows images resolve Windows paths (see resolveWindows). When only non-executable candidates exist the first is returned so
// that the caller can report its mode.
func (img *Image) ResolveCommand(ctx context.Context, argv0, workingDir, pathEnv string) (File, error) {
	if workingDir == "" {
		workingDir = "/"
	}
	if argv0 == "" {
		return File{Layer: -1, WhiteoutLayer: -1, Reason: ReasonNoSuchFile, Detail: "empty command"}, nil
	}
	if strings.EqualFold(img.Config.OS, "windows") {
		return img.resolveWindows(ctx, argv0, workingDir)
	}
	if strings.Contains(argv0, "/") {
		if path.IsAbs(argv0) {
			return img.Lookup(ctx, argv0)
		}
		return img.Lookup(ctx, path.Join(workingDir, argv0))
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
		f, err := img.Lookup(ctx, cand)
		if err != nil {
			return f, err
		}
		for _, l := range f.LayersSearched {
			if !slices.Contains(searched, l) {
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

// resolveWindows finds a Windows command. Windows layers keep the C:
// drive under "Files/"; the path is also tried as is for images built
// without that convention. A bare name is searched in the working
// directory and the system directories, with ".exe" appended when it has
// no extension.
func (img *Image) resolveWindows(ctx context.Context, argv0, workingDir string) (File, error) {
	winPath := func(s string) string {
		if len(s) >= 2 && s[1] == ':' {
			s = s[2:]
		}
		return path.Clean("/" + strings.ReplaceAll(s, `\`, "/"))
	}
	var cands []string
	if strings.ContainsAny(argv0, `\/`) {
		cands = []string{winPath(argv0)}
	} else {
		names := []string{argv0}
		if path.Ext(argv0) == "" {
			names = append(names, argv0+".exe")
		}
		for _, dir := range []string{winPath(workingDir), "/Windows/System32", "/Windows"} {
			for _, n := range names {
				cands = append(cands, path.Join(dir, n))
			}
		}
	}
	var searched []int
	var tried []string
	for _, c := range cands {
		for _, full := range []string{path.Join("/Files", c), c} {
			tried = append(tried, full)
			f, err := img.Lookup(ctx, full)
			if err != nil {
				return f, err
			}
			for _, l := range f.LayersSearched {
				if !slices.Contains(searched, l) {
					searched = append(searched, l)
				}
			}
			if f.Found && f.Type != TypeDir {
				return f, nil
			}
		}
	}
	return File{
		Path: argv0, Layer: -1, WhiteoutLayer: -1, Reason: ReasonNotInPath, LayersSearched: searched,
		Detail: fmt.Sprintf("%s not found (tried %s)", argv0, strings.Join(tried, ", ")),
	}, nil
}
