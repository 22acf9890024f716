package build

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
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

// validTag is the OCI distribution spec's tag grammar.
var validTag = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)

// defaultTag is the tag applied when none is given, as ko does.
const defaultTag = "latest"

// tagsOrDefault returns tags, or ["latest"] when empty, after checking each
// is a valid tag.
func tagsOrDefault(tags []string) ([]string, error) {
	if len(tags) == 0 {
		return []string{defaultTag}, nil
	}
	for _, t := range tags {
		if !validTag.MatchString(t) {
			return nil, fmt.Errorf("tag %q is not a valid image tag (letters, digits, _ . -, not starting with . or -, at most 128)", t)
		}
	}
	return tags, nil
}

// RepositoryFor names the repository a package is pushed to. Like ko's
// --base-import-paths: <repo>/<binary name>; with bare, the repo itself
// (ko's --bare), which is what --push REPO means for a single package.
func RepositoryFor(repo string, pkg Package, bare bool, opts ...name.Option) (name.Repository, error) {
	full := repo
	if !bare {
		full = strings.TrimSuffix(repo, "/") + "/" + pkg.Name
	}
	r, err := name.NewRepository(full, opts...)
	if err != nil {
		return name.Repository{}, fmt.Errorf("repository %q: %w", full, err)
	}
	return r, nil
}
