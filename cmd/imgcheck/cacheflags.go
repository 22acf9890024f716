package main

import (
	"log/slog"

	"github.com/spf13/pflag"

	"github.com/imgcheck/imgcheck/image"
)

// cacheFlags turn the layer cache off for the verbs that read images.
type cacheFlags struct {
	off bool
}

func (f *cacheFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.off, "no-cache", false,
		"neither read nor write the layer cache ($IMGCHECK_CACHE, else imgcheck in the user cache directory)")
}

// layerIndex opens the layer cache; one that cannot be opened is logged
// and the run goes on without it.
func (f *cacheFlags) layerIndex(logger *slog.Logger) *image.LayerIndex {
	if f.off {
		return nil
	}
	dir, err := image.DefaultCacheDir()
	if err == nil {
		var li *image.LayerIndex
		if li, err = image.OpenLayerIndex(dir, image.LayerIndexOptions{Logger: logger}); err == nil {
			return li
		}
	}
	logger.Warn("layer cache unavailable; going on without it", "err", err)
	return nil
}
