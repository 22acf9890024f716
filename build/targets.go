package build

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/imgcheck/imgcheck/image"
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
	// ErrNoDockerRepo: a push to KO_DOCKER_REPO was asked for and the
	// variable is not set.
	ErrNoDockerRepo = errors.New("pushing to KO_DOCKER_REPO was asked for, but KO_DOCKER_REPO is not set")
	// ErrBareSeveral: bare naming puts every package in one repository,
	// where each would overwrite the others' tags.
	ErrBareSeveral = errors.New("bare naming pushes every package to the repository itself, where each would overwrite the tags of the others; build one package at a time")
)

// DockerRepoPush says whether KO_DOCKER_REPO is a target (ko's --push).
type DockerRepoPush int

// The KO_DOCKER_REPO modes.
const (
	// DockerRepoAuto: KO_DOCKER_REPO is the target when nothing else is
	// named.
	DockerRepoAuto DockerRepoPush = iota
	// DockerRepoOn: KO_DOCKER_REPO is a target besides the named ones
	// (ko's --push=true); it must be set.
	DockerRepoOn
	// DockerRepoOff: no push to KO_DOCKER_REPO (ko's --push=false).
	DockerRepoOff
)

// Targets describes where results go, as the command line says it.
type Targets struct {
	// Push lists REPO[:tag] targets. A tag in a target is pushed in
	// addition to the build's tags.
	Push      []string
	OCILayout string
	Tarball   string
	// KODockerRepo is ko's push target, used as DockerRepo says. Images
	// are named <repo>/<binary name> unless Naming says otherwise.
	KODockerRepo string
	DockerRepo   DockerRepoPush
	// Naming forms repository names from Push and KODockerRepo.
	Naming Naming
	// PerPackage is set when several packages are built: with the default
	// naming every Push repository gets /<binary name> appended.
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

// Publishers turns targets into publishers. Precedence: the named targets
// plus KODockerRepo when DockerRepo is DockerRepoOn; with DockerRepoAuto,
// KODockerRepo only when nothing is named; else an OCI layout in
// DefaultLayoutDir.
func (t Targets) Publishers() ([]Publisher, error) {
	if t.NameOptions == nil {
		t.NameOptions = func(string) []name.Option { return nil }
	}
	pushes, err := t.pushTargets()
	if err != nil {
		return nil, err
	}
	if t.CreateRepo && len(pushes) == 0 {
		return nil, ErrCreateRepoWithoutRegistry
	}
	if t.CreateRepo && t.Creator == nil {
		return nil, errors.New("creating repositories: no repository creator configured")
	}
	var pubs []Publisher
	for _, p := range pushes {
		pub, err := t.registryPublisher(p.target, p.naming)
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

type pushTarget struct {
	target string
	naming Naming
}

// pushTargets lists the registry targets with the naming each gets.
func (t Targets) pushTargets() ([]pushTarget, error) {
	if t.Naming == NamingBare && t.PerPackage {
		return nil, ErrBareSeveral
	}
	explicit := t.Naming
	if explicit == NamingDefault {
		explicit = NamingBare // one package: the repository itself
		if t.PerPackage {
			explicit = NamingBase
		}
	}
	var out []pushTarget
	for _, p := range t.Push {
		out = append(out, pushTarget{p, explicit})
	}
	useDockerRepo := t.DockerRepo == DockerRepoOn ||
		(t.DockerRepo == DockerRepoAuto && len(out) == 0 && t.OCILayout == "" && t.Tarball == "" && t.KODockerRepo != "")
	if !useDockerRepo {
		return out, nil
	}
	repo := t.KODockerRepo
	if repo == "" {
		return nil, ErrNoDockerRepo
	}
	for _, local := range []string{"ko.local", "kind.local"} {
		if repo == local || strings.HasPrefix(repo, local+"/") {
			return nil, fmt.Errorf("KO_DOCKER_REPO=%s: %w", repo, ErrDaemonTarget)
		}
	}
	naming := t.Naming
	if naming == NamingDefault {
		naming = NamingBase
	}
	return append(out, pushTarget{repo, naming}), nil
}

// RegistryHosts lists the registry hosts the targets push to, for a
// caller that allows plain HTTP to them.
func (t Targets) RegistryHosts() []string {
	pushes, err := t.pushTargets()
	if err != nil {
		return nil
	}
	var hosts []string
	for _, p := range pushes {
		if r, err := name.ParseReference(p.target, name.WeakValidation); err == nil {
			hosts = append(hosts, r.Context().RegistryStr())
		}
	}
	return hosts
}

func (t Targets) registryPublisher(target string, naming Naming) (Publisher, error) {
	repoStr, extraTag := target, ""
	if strings.Contains(target, "@") {
		return nil, fmt.Errorf("push target %s: want a repository, optionally with :tag, not a digest", target)
	}
	if r, err := name.ParseReference(target, t.NameOptions(target)...); err == nil {
		if tag, ok := r.(name.Tag); ok && strings.HasSuffix(target, ":"+tag.TagStr()) {
			repoStr, extraTag = strings.TrimSuffix(target, ":"+tag.TagStr()), tag.TagStr()
			if !image.ValidTag(extraTag) {
				return nil, fmt.Errorf("push target %s: %q is not a valid tag", target, extraTag)
			}
		}
	}
	opts := t.NameOptions(repoStr)
	if _, err := name.NewRepository(repoStr, opts...); err != nil {
		return nil, fmt.Errorf("push target %s: %w", target, err)
	}
	// What naming makes of it must be a repository too ("//" is one, but
	// naming trims a trailing slash): checked with a package of a valid name.
	probe := Package{Name: "app", ImportPath: "example.com/app"}
	if _, err := naming.Repository(repoStr, probe, opts...); err != nil {
		return nil, fmt.Errorf("push target %s: %w", target, err)
	}
	pub := &RegistryPublisher{
		Repository: func(p Package) (name.Repository, error) {
			return naming.Repository(repoStr, p, opts...)
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
