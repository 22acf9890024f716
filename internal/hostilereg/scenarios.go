package hostilereg

import (
	"fmt"
)

// Each scenario stores one hostile image in its own repository and returns
// the reference to check. app is the content of /app, the entrypoint of
// every image (a real binary lets a well-formed image pass).

// Good is a well-formed image, the control: /app in one layer.
func (s *Server) Good(app []byte) (string, error) {
	return s.image("good", app, func(*ImageSpec) {})
}

// StallManifest: the manifest's headers come, its body never does.
func (s *Server) StallManifest(app []byte) (string, error) {
	ref, err := s.image("stall-manifest", app, func(*ImageSpec) {})
	s.Behave("stall-manifest:1", Stall)
	return ref, err
}

// StallLayer: the layer's headers come, its body never does.
func (s *Server) StallLayer(app []byte) (string, error) {
	var layer string
	ref, err := s.image("stall-layer", app, func(spec *ImageSpec) { layer = Digest(spec.Layers[0].Data) })
	s.Behave(layer, Stall)
	return ref, err
}

// DripManifest: the manifest comes a byte per DripInterval.
func (s *Server) DripManifest(app []byte) (string, error) {
	ref, err := s.image("drip-manifest", app, func(*ImageSpec) {})
	s.Behave("drip-manifest:1", Drip)
	return ref, err
}

// DripLayer: the layer comes a byte per DripInterval.
func (s *Server) DripLayer(app []byte) (string, error) {
	var layer string
	ref, err := s.image("drip-layer", app, func(spec *ImageSpec) { layer = Digest(spec.Layers[0].Data) })
	s.Behave(layer, Drip)
	return ref, err
}

// ConfigSizeLie: the manifest declares the config 5 bytes longer than it is.
func (s *Server) ConfigSizeLie(app []byte) (string, error) {
	return s.image("config-size-lie", app, func(spec *ImageSpec) { spec.ConfigSizeDelta = 5 })
}

// LayerSizeLie: the manifest declares the layer 10 bytes shorter than it is.
func (s *Server) LayerSizeLie(app []byte) (string, error) {
	return s.image("layer-size-lie", app, func(spec *ImageSpec) { spec.Layers[0].SizeDelta = -10 })
}

// ChunkedLayerSizeLie: the manifest declares the layer delta bytes longer
// than it is, and the layer comes whole, without Range or length: only
// reading it to the end shows the lie.
func (s *Server) ChunkedLayerSizeLie(app []byte, delta int64) (string, error) {
	var layer string
	repo := fmt.Sprintf("chunked-size-lie-%d", delta)
	ref, err := s.image(repo, app, func(spec *ImageSpec) {
		spec.Layers[0].SizeDelta = delta
		layer = Digest(spec.Layers[0].Data)
	})
	s.Behave(layer, Chunked)
	return ref, err
}

// IndexEntrySizeLie: the index declares its manifest 7 bytes longer than it is.
func (s *Server) IndexEntrySizeLie(app []byte) (string, error) {
	l, err := appLayer("index-size-lie", app)
	if err != nil {
		return "", err
	}
	m := s.PutImage("index-size-lie", "", ImageSpec{Entrypoint: []string{"/app"}, Layers: []Layer{l}})
	m.Size += 7
	s.PutIndex("index-size-lie", "1", []Descriptor{m})
	return s.Host + "/index-size-lie:1", nil
}

// UnknownMediaType: the layer's media type is one no runtime knows.
func (s *Server) UnknownMediaType(app []byte) (string, error) {
	return s.image("unknown-media-type", app, func(spec *ImageSpec) {
		spec.Layers[0].MediaType = "application/vnd.example.layer.v1.tar+weird"
	})
}

// EncryptedMediaType: the layer is encrypted (ocicrypt).
func (s *Server) EncryptedMediaType(app []byte) (string, error) {
	return s.image("encrypted-media-type", app, func(spec *ImageSpec) {
		spec.Layers[0].MediaType = "application/vnd.oci.image.layer.v1.tar+gzip+encrypted"
	})
}

// FanOut: an index of refs references to one child index of entries
// manifests (refs*entries descriptors once expanded; about 1 MB in all).
func (s *Server) FanOut(refs, entries int) (string, error) {
	children := make([]Descriptor, entries)
	for i := range children {
		children[i] = Descriptor{MediaType: MediaTypeManifest, Digest: Digest(fmt.Appendf(nil, "manifest %d", i)), Size: 500,
			Platform: &Platform{OS: "linux", Architecture: "amd64"}}
	}
	child := s.PutIndex(fmt.Sprintf("fan-out-%d-%d", refs, entries), "", children)
	root := make([]Descriptor, refs)
	for i := range root {
		root[i] = child
	}
	repo := fmt.Sprintf("fan-out-%d-%d", refs, entries)
	s.PutIndex(repo, "1", root)
	return s.Host + "/" + repo + ":1", nil
}

// DeepPaths: a layer of entries files, each depth components deep, above
// the layer with /app.
func (s *Server) DeepPaths(app []byte, entries, depth int) (string, error) {
	blob, diffID, err := DeepPaths(entries, depth)
	if err != nil {
		return "", err
	}
	return s.image(fmt.Sprintf("deep-paths-%d-%d", entries, depth), app, func(spec *ImageSpec) {
		spec.Layers = append(spec.Layers, Layer{Data: blob, DiffID: diffID})
	})
}

// Bombs: layers gzip bombs of chunks*BombChunkBytes zeros each, above the
// layer with /app: a lookup of /app reads through all of them.
func (s *Server) Bombs(app []byte, layers, chunks int) (string, error) {
	chunk, err := ZeroChunk()
	if err != nil {
		return "", err
	}
	blob, diffID, err := Bomb(chunk, chunks)
	if err != nil {
		return "", err
	}
	return s.image(fmt.Sprintf("bombs-%d-%d", layers, chunks), app, func(spec *ImageSpec) {
		for i := range layers {
			// Distinct blobs of the same tar: one more empty gzip member each.
			b := append(append([]byte{}, blob...), emptyMembers(i)...)
			spec.Layers = append(spec.Layers, Layer{Data: b, DiffID: diffID})
		}
	})
}

// image stores repo:1, an image with /app in its one layer, as edit leaves it.
func (s *Server) image(repo string, app []byte, edit func(*ImageSpec)) (string, error) {
	l, err := appLayer(repo, app)
	if err != nil {
		return "", err
	}
	spec := ImageSpec{Entrypoint: []string{"/app"}, Layers: []Layer{l}}
	edit(&spec)
	s.PutImage(repo, "1", spec)
	return s.Host + "/" + repo + ":1", nil
}

// appLayer holds /app, and /etc/scenario naming the scenario so that no
// two scenarios share a layer blob (behaviours are set by digest).
func appLayer(scenario string, app []byte) (Layer, error) {
	blob, diffID, err := TarGz(File{Name: "app", Mode: 0o755, Data: app}, File{Name: "etc/scenario", Mode: 0o644, Data: []byte(scenario)})
	return Layer{Data: blob, DiffID: diffID}, err
}

// emptyMembers is n empty gzip members.
func emptyMembers(n int) []byte {
	var out []byte
	for range n {
		b, _ := gzipBytes(nil) // writing to memory cannot fail
		out = append(out, b...)
	}
	return out
}
