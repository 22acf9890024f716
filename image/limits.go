package image

// Limits bound what a hostile image can make us do. Zero fields take the
// defaults below. "An image" is what one Source reads: its indexes and the
// layers of the manifests opened from it.
type Limits struct {
	MaxManifestBytes     int64 // a manifest or index document
	MaxConfigBytes       int64 // an image config blob
	MaxTarEntries        int   // entries in one layer
	MaxNameBytes         int   // a tar entry's name or link target
	MaxPathDepth         int   // components of a tar entry's name or link target
	MaxLayerBytes        int64 // uncompressed bytes read from one layer
	MaxImageBytes        int64 // uncompressed bytes read from all layers of an image, re-reads included
	MaxRatio             int64 // uncompressed bytes per compressed byte (after the first MiB)
	MaxLayerIndexBytes   int64 // memory of one layer's path index (see indexCost)
	MaxImageIndexBytes   int64 // memory of the path indexes of all layers of an image
	MaxFileBytes         int64 // bytes read of one file (strict mode reads whole binaries)
	MaxCachedBlobBytes   int64 // compressed bytes of one layer kept in memory for re-reads
	MaxIndexDepth        int   // nesting of indexes
	MaxDescriptors       int   // descriptors listed by all the indexes of an image, repeats included
	MaxIndexBytes        int64 // bytes of all the index documents of an image
	MaxCaptureBytes      int64 // file content a layer pass keeps of one layer (see capture.go)
	MaxCaptureFileBytes  int64 // content of one file a pass buffers to find what to keep of it
	MaxCacheCaptureBytes int64 // file content kept of all the layers of a Cache (the first layer's limit counts)
}

// Default limits.
const (
	DefaultMaxManifestBytes = 4 << 20
	DefaultMaxConfigBytes   = 4 << 20
	DefaultMaxTarEntries    = 1_000_000
	DefaultMaxNameBytes     = 4096
	// Real images nest a few tens deep; PATH_MAX allows 2048 one-letter
	// components, which only a hostile layer uses.
	DefaultMaxPathDepth  = 256
	DefaultMaxLayerBytes = 16 << 30
	// An image may unpack to what one layer may: four 8 GiB bombs, each
	// within the ratio and layer bounds, no longer add up to 32 GiB.
	DefaultMaxImageBytes = 16 << 30
	DefaultMaxRatio      = 1100 // deflate cannot exceed ~1032:1
	// 700,000 entries with 100-byte names; the heap holds about as much
	// (BenchmarkIndexMemory), and twice that between collections.
	DefaultMaxLayerIndexBytes = 256 << 20
	DefaultMaxImageIndexBytes = 512 << 20
	DefaultMaxFileBytes       = 512 << 20
	DefaultMaxCachedBlobBytes = 1 << 20 // a prefix for re-reads; copying whole scanned layers cost 40% of a scan
	DefaultMaxIndexDepth      = 4
	DefaultMaxDescriptors     = 4096     // real indexes list tens (platforms, attestations)
	DefaultMaxIndexBytes      = 16 << 20 // four documents of the largest size
	// A Debian base keeps ~2.3 MB: the headers and dynamic data
	// of its ~700 ELF files, its passwd, group and ld.so.cache, the first
	// 4 KiB of its scripts. 32 MiB buffers libicudata, not libLLVM.
	DefaultMaxCaptureBytes     = 32 << 20
	DefaultMaxCaptureFileBytes = 32 << 20
	// A verify run over many images keeps at most this much in all.
	DefaultMaxCacheCaptureBytes = 256 << 20
)

func (l Limits) withDefaults() Limits {
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxManifestBytes, DefaultMaxManifestBytes)
	def(&l.MaxConfigBytes, DefaultMaxConfigBytes)
	defInt(&l.MaxTarEntries, DefaultMaxTarEntries)
	defInt(&l.MaxNameBytes, DefaultMaxNameBytes)
	defInt(&l.MaxPathDepth, DefaultMaxPathDepth)
	def(&l.MaxLayerBytes, DefaultMaxLayerBytes)
	def(&l.MaxImageBytes, DefaultMaxImageBytes)
	def(&l.MaxRatio, DefaultMaxRatio)
	def(&l.MaxLayerIndexBytes, DefaultMaxLayerIndexBytes)
	def(&l.MaxImageIndexBytes, DefaultMaxImageIndexBytes)
	def(&l.MaxFileBytes, DefaultMaxFileBytes)
	def(&l.MaxCachedBlobBytes, DefaultMaxCachedBlobBytes)
	defInt(&l.MaxIndexDepth, DefaultMaxIndexDepth)
	defInt(&l.MaxDescriptors, DefaultMaxDescriptors)
	def(&l.MaxIndexBytes, DefaultMaxIndexBytes)
	def(&l.MaxCaptureBytes, DefaultMaxCaptureBytes)
	def(&l.MaxCaptureFileBytes, DefaultMaxCaptureFileBytes)
	def(&l.MaxCacheCaptureBytes, DefaultMaxCacheCaptureBytes)
	return l
}
