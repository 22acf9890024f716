package build

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// DefaultLayoutDir is where a build goes when nothing names a target, so a
// first build needs no registry.
const DefaultLayoutDir = "out"

// Errors in the targets that a program can tell its users how to fix.
var (
	// ErrDaemonTarget: ko's ko.local and kind.local targets load into a
	// Docker daemon or a kind cluster.
	ErrDaemonTarget = errors.New("loads into a Docker daemon or kind, which imgcheck does not do; write an archive and load that")
	// ErrCreateRepoWithoutRegistry: repositories can be created only on a
	// registry target.
	ErrCreateRepoWithoutRegistry = errors.New("creating repositories needs a registry target")
)

// Targets describes where results go, as the command line says it.
type Targets struct {
	// Push lists REPO[:tag] targets. A tag in a target is pushed in
	// addition to the build's tags.
	Push      []string
	OCILayout string
	Tarball   string
	// KODockerRepo is ko's push target, used when no target is named.
	// Images are named <repo>/<binary name> (ko's --base-import-paths).
	KODockerRepo string
	// PerPackage appends /<binary name> to every --push repository (set
	// when several packages are built).
	PerPackage bool
	// CreateRepo creates missing repositories through Creator.
	CreateRepo bool
	Creator    RepoCreator
	// NameOptions gives the name options for a reference (plain HTTP for
	// allowed hosts); RemoteOptions carry auth and transport.
	NameOptions   func(string) []name.Option
	RemoteOptions []remote.Option
	Jobs          int
	Progress      Progress
}

// Publishers turns targets into publishers. Precedence: the named targets;
// else KODockerRepo; else an OCI layout in DefaultLayoutDir.
func (t Targets) Publishers() ([]Publisher, error) {
	if t.NameOptions == nil {
		t.NameOptions = func(string) []name.Option { return nil }
	}
	type push struct {
		target     string
		perPackage bool
	}
	var pushes []push
	for _, p := range t.Push {
		pushes = append(pushes, push{p, t.PerPackage})
	}
	if len(pushes) == 0 && t.OCILayout == "" && t.Tarball == "" && t.KODockerRepo != "" {
		repo := t.KODockerRepo
		for _, local := range []string{"ko.local", "kind.local"} {
			if repo == local || strings.HasPrefix(repo, local+"/") {
				return nil, fmt.Errorf("KO_DOCKER_REPO=%s: %w", repo, ErrDaemonTarget)
			}
		}
		pushes = append(pushes, push{repo, true})
	}
	if t.CreateRepo && len(pushes) == 0 {
		return nil, ErrCreateRepoWithoutRegistry
	}
	if t.CreateRepo && t.Creator == nil {
		return nil, errors.New("creating repositories: no repository creator configured")
	}
	var pubs []Publisher
	for _, p := range pushes {
		pub, err := t.registryPublisher(p.target, p.perPackage)
		if err != nil {
			return nil, err
		}
		pubs = append(pubs, pub)
	}
	if t.OCILayout != "" {
		pubs = append(pubs, &LayoutPublisher{Dir: t.OCILayout})
	}
	if t.Tarball != "" {
		pubs = append(pubs, &TarballPublisher{File: t.Tarball})
	}
	if len(pubs) == 0 {
		pubs = append(pubs, &LayoutPublisher{Dir: DefaultLayoutDir})
	}
	return pubs, nil
}

func (t Targets) registryPublisher(target string, perPackage bool) (Publisher, error) {
	repoStr, extraTag := target, ""
	if strings.Contains(target, "@") {
		return nil, fmt.Errorf("push target %s: want a repository, optionally with :tag, not a digest", target)
	}
	if r, err := name.ParseReference(target, t.NameOptions(target)...); err == nil {
		if tag, ok := r.(name.Tag); ok && strings.HasSuffix(target, ":"+tag.TagStr()) {
			repoStr, extraTag = strings.TrimSuffix(target, ":"+tag.TagStr()), tag.TagStr()
			if !validTag.MatchString(extraTag) {
				return nil, fmt.Errorf("push target %s: %q is not a valid tag", target, extraTag)
			}
		}
	}
	opts := t.NameOptions(repoStr)
	if _, err := name.NewRepository(repoStr, opts...); err != nil {
		return nil, fmt.Errorf("push target %s: %w", target, err)
	}
	pub := &RegistryPublisher{
		Repository: func(p Package) (name.Repository, error) {
			return RepositoryFor(repoStr, p, !perPackage, opts...)
		},
		Options:  t.RemoteOptions,
		Jobs:     max(t.Jobs, 4),
		Progress: t.Progress,
	}
	if t.CreateRepo {
		pub.Creator = t.Creator
	}
	if extraTag == "" {
		return pub, nil
	}
	return extraTagPublisher{inner: pub, tag: extraTag}, nil
}

// extraTagPublisher adds the tag written in a push target to the build's.
type extraTagPublisher struct {
	inner Publisher
	tag   string
}

func (e extraTagPublisher) Publish(ctx context.Context, art *Artifact, tags []string) (string, error) {
	return e.inner.Publish(ctx, art, append([]string{e.tag}, tags...))
}
