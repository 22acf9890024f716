package build

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/imgcheck/imgcheck/image"
)

// TarballPublisher writes an OCI layout archive (a tar of oci-layout,
// index.json and blobs/) holding the whole multi-platform index of every
// package published to it, loadable with
// `skopeo copy --all oci-archive:FILE ...` and `docker load`. index.json has one
// entry per package ("<name>:<first tag>"), so a one-package archive needs
// no reference to load. SBOMs are not included: index.json would then list
// more than one manifest and loaders would ask which one to take.
//
// The archive is rewritten after each Publish; Close removes the staging
// directory.
type TarballPublisher struct {
	File    string
	staging string
}

// Publish implements Publisher.
func (t *TarballPublisher) Publish(ctx context.Context, art *Artifact, tags []string) (string, error) {
	if t.staging == "" {
		dir, err := os.MkdirTemp("", "imgcheck-tarball-")
		if err != nil {
			return "", fmt.Errorf("creating staging directory for %s: %w", t.File, err)
		}
		t.staging = filepath.Join(dir, "layout")
	}
	lp := &LayoutPublisher{Dir: t.staging, NoReferrers: true, OneEntry: true}
	if _, err := lp.Publish(ctx, art, tags); err != nil {
		return "", err
	}
	if err := writeDirTar(t.staging, t.File); err != nil {
		return "", err
	}
	return image.Ref{Kind: image.RefArchive, Name: t.File, Digest: art.Digest}.String(), nil
}

// Close removes the staging layout.
func (t *TarballPublisher) Close() error {
	if t.staging == "" {
		return nil
	}
	return os.RemoveAll(filepath.Dir(t.staging))
}

// writeDirTar archives dir into file reproducibly (sorted, epoch times,
// owner 0:0), through a temporary file renamed into place so a reader
// never sees half an archive.
func writeDirTar(dir, file string) (rerr error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && d.Name() != layoutLockFile {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading staging layout: %w", err)
	}
	slices.Sort(paths)
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*")
	if err != nil {
		return fmt.Errorf("creating %s: %w", file, err)
	}
	defer func() {
		if rerr != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("creating %s: %w", file, err)
	}
	tw := tar.NewWriter(tmp)
	for _, p := range paths {
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		h := &tar.Header{Name: filepath.ToSlash(rel), ModTime: time.Unix(0, 0), Format: tar.FormatPAX, Mode: 0o644}
		if st.IsDir() {
			h.Typeflag, h.Name, h.Mode = tar.TypeDir, h.Name+"/", 0o755
		} else {
			h.Typeflag, h.Size = tar.TypeReg, st.Size()
		}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("writing %s: %w", file, err)
		}
		if h.Typeflag == tar.TypeReg {
			if err := copyFile(tw, p); err != nil {
				return fmt.Errorf("writing %s: %w", file, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", file, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", file, err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("writing %s: %w", file, err)
	}
	return nil
}

func copyFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
