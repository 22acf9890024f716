package image

import (
	"context"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/platform"
)

// Select opens the runnable manifest for a platform, matched by
// platform.Matches. Attestations and artifacts are never selected. When
// several match, an exact variant wins, then the first in index order.
func (s *Source) Select(ctx context.Context, want v1.Platform) (*Image, error) {
	all, err := s.Manifests(ctx)
	if err != nil {
		return nil, err
	}
	i := platform.Best(want, all, func(m Manifest) *v1.Platform {
		if m.Kind != KindRunnable {
			return nil
		}
		return m.Platform
	})
	if i < 0 {
		return nil, &NoMatchingPlatformError{Want: want, Available: all}
	}
	return s.OpenManifest(ctx, all[i])
}
