package build

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Result is what one package became: a reference per publisher, in order.
type Result struct {
	Package Package
	Digest  string
	Refs    []string
}

// WriteRefs writes every published reference, one per line, in the order
// of the packages and then of the publishers: what imgcheck build prints.
func WriteRefs(w io.Writer, results []Result) error {
	for _, r := range results {
		for _, ref := range r.Refs {
			if _, err := fmt.Fprintln(w, ref); err != nil {
				return err
			}
		}
	}
	return nil
}

// BuildAndPublish builds every package, then publishes each to every
// publisher. All packages are built and checked before anything is
// published, so a refused platform of one package keeps every package off
// every target. Publishers that are io.Closers are closed at the end.
func (b *Builder) BuildAndPublish(ctx context.Context, pkgArgs []string, tags []string, pubs []Publisher) (results []Result, rerr error) {
	defer func() {
		for _, p := range pubs {
			if c, ok := p.(io.Closer); ok {
				rerr = errors.Join(rerr, c.Close())
			}
		}
	}()
	if _, err := tagsOrDefault(tags); err != nil {
		return nil, err
	}
	if len(pkgArgs) == 0 {
		pkgArgs = []string{"."}
	}
	arts := make([]*Artifact, 0, len(pkgArgs))
	for _, arg := range pkgArgs {
		art, err := b.Build(ctx, arg)
		if err != nil {
			return nil, fmt.Errorf("building %s: %w", arg, err)
		}
		arts = append(arts, art)
	}
	if b.BeforePublish != nil {
		if err := b.BeforePublish(ctx, arts); err != nil {
			return nil, err
		}
	}
	for _, art := range arts {
		res := Result{Package: art.Package, Digest: art.Digest.String()}
		for _, p := range pubs {
			ref, err := p.Publish(ctx, art, tags)
			if err != nil {
				return results, fmt.Errorf("publishing %s: %w", art.Package.ImportPath, err)
			}
			b.progress().Report(Event{Package: art.Package.Name, Stage: StagePublished, Line: ref})
			res.Refs = append(res.Refs, ref)
		}
		results = append(results, res)
	}
	return results, nil
}
