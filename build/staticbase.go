package build

import (
	"encoding/pem"
	"io/fs"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// Names of the built-in bases, usable wherever a base image reference is.
const (
	BaseStatic  = "static"
	BaseScratch = "scratch"
)

const (
	nonrootUID   = 65532
	caBundlePath = "/etc/ssl/certs/ca-certificates.crt"
	defaultPATH  = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)

// staticBaseFiles are the files of the built-in static base, the same on
// every platform: what a static Go binary needs and nothing else.
func staticBaseFiles() []layerFile {
	return []layerFile{
		{Path: "/etc/passwd", Mode: 0o644, Data: []byte(
			"root:x:0:0:root:/root:/sbin/nologin\n" +
				"nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n" +
				"nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{Path: "/etc/group", Mode: 0o644, Data: []byte("root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n")},
		// Go's resolver reads nsswitch.conf to decide files-before-DNS.
		{Path: "/etc/nsswitch.conf", Mode: 0o644, Data: []byte("hosts: files dns\n")},
		{Path: caBundlePath, Mode: 0o644, Data: caBundlePEM()},
		{Path: "/tmp", Dir: true, Mode: 0o777 | fs.ModeSticky},
		{Path: "/root", Dir: true, Mode: 0o700},
		{Path: "/home/nonroot", Dir: true, Mode: 0o700, UID: nonrootUID},
	}
}

// caBundlePEM renders the Mozilla NSS roots shipped in
// golang.org/x/crypto/x509roots/fallback as PEM. Roots carrying a constraint
// (a distrust-after date) are left out: a PEM file cannot express the
// constraint, and trusting them without it would be wider than NSS does.
func caBundlePEM() []byte {
	var out []byte
	for r := range bundle.Roots() {
		if r.Constraint != nil {
			continue
		}
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate})...)
	}
	return out
}

// staticBase is the built-in base for one platform. Its layer is identical
// for every platform; only the config's platform fields differ.
func staticBase(layer *memoryLayer, p v1.Platform) *baseImage {
	cfg := platformConfig(p)
	cfg.Config.User = "65532"
	cfg.Config.WorkingDir = "/home/nonroot"
	cfg.Config.Env = []string{"PATH=" + defaultPATH, "SSL_CERT_FILE=" + caBundlePath}
	cfg.History = []v1.History{{Created: v1.Time{Time: time.Unix(0, 0).UTC()}, CreatedBy: "imgcheck build: built-in static base"}}
	cfg.RootFS.DiffIDs = []v1.Hash{layer.diffID}
	return &baseImage{layers: []v1.Layer{layer}, descs: []v1.Descriptor{mustDescriptor(layer)}, config: cfg}
}

func scratchBase(p v1.Platform) *baseImage {
	cfg := platformConfig(p)
	cfg.Config.Env = []string{"PATH=" + defaultPATH}
	return &baseImage{config: cfg}
}

func platformConfig(p v1.Platform) *v1.ConfigFile {
	return &v1.ConfigFile{
		OS:           p.OS,
		Architecture: p.Architecture,
		Variant:      p.Variant,
		OSVersion:    p.OSVersion,
		Created:      v1.Time{Time: time.Unix(0, 0).UTC()},
		RootFS:       v1.RootFS{Type: "layers"},
	}
}

func mustDescriptor(l *memoryLayer) v1.Descriptor {
	return v1.Descriptor{MediaType: l.mediaType, Digest: l.digest, Size: int64(len(l.compressed))}
}
