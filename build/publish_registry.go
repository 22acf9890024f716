package build

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// RegistryPublisher pushes to an OCI registry. Blobs the registry already
// has are not uploaded (HEAD first), base layers from the same registry
// are mounted, and the index is written only after every platform
// manifest is in place. After the push the index is read back and its
// digest compared.
type RegistryPublisher struct {
	// Repository names the target repository for a package.
	Repository func(Package) (name.Repository, error)
	// Options carry auth and transport (from package registry).
	Options []remote.Option
	// Jobs bounds concurrent blob uploads; 4 when < 1.
	Jobs int
	// Creator, when set, creates a missing repository first.
	Creator  RepoCreator
	Progress Progress
}

// Publish implements Publisher.
func (r *RegistryPublisher) Publish(ctx context.Context, art *Artifact, tags []string) (string, error) {
	tags, err := tagsOrDefault(tags)
	if err != nil {
		return "", err
	}
	repo, err := r.Repository(art.Package)
	if err != nil {
		return "", err
	}
	if r.Creator != nil {
		if err := r.Creator.EnsureRepository(ctx, repo); err != nil {
			return "", fmt.Errorf("creating repository %s: %w", repo, err)
		}
	}
	quiet := append(append([]remote.Option{}, r.Options...), remote.WithContext(ctx))
	digestRef := repo.Digest(art.Digest.String())
	// A rebuild with no change: every tag already names this index, which
	// was written only after all its children. Nothing to send.
	if !tagsPointAt(repo, tags, art.Digest, quiet) {
		opts, wait := r.options(ctx, art.Package.Name)
		err = remote.WriteIndex(digestRef, art.Index, opts...)
		wait()
		if err != nil {
			return "", fmt.Errorf("pushing %s: %w", digestRef, err)
		}
		for _, t := range tags {
			if err := remote.Tag(repo.Tag(t), art.Index, quiet...); err != nil {
				return "", fmt.Errorf("tagging %s: %w", repo.Tag(t), err)
			}
		}
	}
	for _, ref := range art.Referrers {
		d, err := ref.Digest()
		if err != nil {
			return "", err
		}
		if _, err := remote.Head(repo.Digest(d.String()), quiet...); err == nil {
			continue // attached by an earlier push of the same build
		}
		if err := remote.Write(repo.Digest(d.String()), ref, quiet...); err != nil {
			return "", fmt.Errorf("attaching SBOM %s: %w", d, err)
		}
	}
	if err := r.readBack(ctx, repo, art.Digest, tags); err != nil {
		return "", err
	}
	return digestRef.String(), nil
}

// options adds context, jobs and an upload progress channel; wait drains
// the channel after the write. The progress option is last so callers can
// drop it for calls that should not report.
func (r *RegistryPublisher) options(ctx context.Context, pkgName string) ([]remote.Option, func()) {
	jobs := r.Jobs
	if jobs < 1 {
		jobs = 4
	}
	updates := make(chan v1.Update, 16)
	var wg sync.WaitGroup
	wg.Add(1)
	var last v1.Update
	go func() {
		defer wg.Done()
		for u := range updates {
			if u.Error == nil {
				last = u
				if r.Progress != nil {
					r.Progress.Report(Event{Package: pkgName, Stage: StageUpload, Bytes: u.Complete, Total: u.Total})
				}
			}
		}
	}()
	opts := append(append([]remote.Option{}, r.Options...), remote.WithContext(ctx), remote.WithJobs(jobs), remote.WithProgress(updates))
	return opts, func() {
		wg.Wait()
		if r.Progress != nil {
			r.Progress.Report(Event{Package: pkgName, Stage: StageUpload, Bytes: last.Complete, Total: last.Total, Final: true})
		}
	}
}

// readBack fetches what the registry now serves and compares digests, so
// a proxy or a racing writer cannot leave a different image behind.
func (r *RegistryPublisher) readBack(ctx context.Context, repo name.Repository, want v1.Hash, tags []string) error {
	opts := append(append([]remote.Option{}, r.Options...), remote.WithContext(ctx))
	refs := []name.Reference{repo.Digest(want.String())}
	for _, t := range tags {
		refs = append(refs, repo.Tag(t))
	}
	var errs []error
	for _, ref := range refs {
		desc, err := remote.Get(ref, opts...)
		if err != nil {
			errs = append(errs, fmt.Errorf("reading back %s: %w", ref, err))
			continue
		}
		if desc.Digest != want {
			errs = append(errs, fmt.Errorf("reading back %s: registry serves %s, pushed %s", ref, desc.Digest, want))
		}
	}
	return errors.Join(errs...)
}

// tagsPointAt reports whether every tag already names digest.
func tagsPointAt(repo name.Repository, tags []string, digest v1.Hash, opts []remote.Option) bool {
	for _, t := range tags {
		desc, err := remote.Head(repo.Tag(t), opts...)
		if err != nil || desc.Digest != digest {
			return false
		}
	}
	return len(tags) > 0
}
