package build

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/imgcheck/imgcheck/image"
)

// Publisher writes a built artifact somewhere and returns the reference
// that names it (printed on stdout, one per package).
type Publisher interface {
	Publish(ctx context.Context, art *Artifact, tags []string) (string, error)
}

// RepoCreator creates a missing repository before a push (ECR needs one per
// image name). The registry package provides the ECR implementation.
type RepoCreator interface {
	EnsureRepository(ctx context.Context, repo name.Repository) error
}

// defaultTag is the tag applied when none is given, as ko does.
const defaultTag = "latest"

// tagsOrDefault returns tags, or ["latest"] when empty, after checking each
// is a valid tag.
func tagsOrDefault(tags []string) ([]string, error) {
	if len(tags) == 0 {
		return []string{defaultTag}, nil
	}
	for _, t := range tags {
		if !image.ValidTag(t) {
			return nil, fmt.Errorf("tag %q is not a valid image tag (letters, digits, _ . -, not starting with . or -, at most 128)", t)
		}
	}
	return tags, nil
}

// Naming says how a push target and a package make a repository name,
// after ko's naming flags.
type Naming int

// The namings. NamingDefault is imgcheck's: a --push repository is the
// repository itself for one package and <repo>/<binary name> for several;
// KO_DOCKER_REPO is always <repo>/<binary name> (ko's -B).
const (
	NamingDefault  Naming = iota
	NamingBase            // <repo>/<binary name>: ko's --base-import-paths (-B)
	NamingBare            // <repo>: ko's --bare
	NamingPreserve        // <repo>/<import path>: ko's --preserve-import-paths (-P)
)

func (n Naming) String() string {
	switch n {
	case NamingBase:
		return "base import paths"
	case NamingBare:
		return "bare"
	case NamingPreserve:
		return "preserved import paths"
	}
	return "default"
}

// Repository names the repository pkg goes to under repo. NamingDefault
// is NamingBase here: the one-package rule is applied by Targets.
func (n Naming) Repository(repo string, pkg Package, opts ...name.Option) (name.Repository, error) {
	repo = strings.TrimSuffix(repo, "/")
	full := repo + "/" + pkg.Name
	switch n {
	case NamingBare:
		full = repo
	case NamingPreserve:
		full = repo + "/" + pkg.ImportPath
	}
	r, err := name.NewRepository(full, opts...)
	if err != nil {
		return name.Repository{}, fmt.Errorf("repository %q: %w", full, err)
	}
	return r, nil
}

// RepositoryFor names the repository a package is pushed to. Like ko's
// --base-import-paths: <repo>/<binary name>; with bare, the repo itself
// (ko's --bare), which is what --push REPO means for a single package.
func RepositoryFor(repo string, pkg Package, bare bool, opts ...name.Option) (name.Repository, error) {
	if bare {
		return NamingBare.Repository(repo, pkg, opts...)
	}
	return NamingBase.Repository(repo, pkg, opts...)
}
