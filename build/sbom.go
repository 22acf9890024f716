package build

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Media and artifact types of the SBOM referrers.
const (
	SPDXArtifactType       = "application/spdx+json"
	ociEmptyConfigType     = "application/vnd.oci.empty.v1+json"
	ociEmptyJSON           = "{}"
	spdxNamespacePrefix    = "https://spdx.org/spdxdocs/imgcheck/"
	spdxCreator            = "Tool: imgcheck"
	spdxNoAssertion        = "NOASSERTION"
	spdxRefDocument        = "SPDXRef-DOCUMENT"
	spdxDescribes          = "DESCRIBES"
	spdxDependsOn          = "DEPENDS_ON"
	purlTypeGolang         = "pkg:golang/"
	spdxDataLicense        = "CC0-1.0"
	spdxVersion            = "SPDX-2.3"
	spdxPackageManagerType = "PACKAGE-MANAGER"
)

type spdxDocument struct {
	SPDXVersion       string             `json:"spdxVersion"`
	DataLicense       string             `json:"dataLicense"`
	SPDXID            string             `json:"SPDXID"`
	Name              string             `json:"name"`
	DocumentNamespace string             `json:"documentNamespace"`
	CreationInfo      spdxCreationInfo   `json:"creationInfo"`
	Packages          []spdxPackage      `json:"packages"`
	Relationships     []spdxRelationship `json:"relationships"`
}

type spdxCreationInfo struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
}

type spdxPackage struct {
	Name             string        `json:"name"`
	SPDXID           string        `json:"SPDXID"`
	VersionInfo      string        `json:"versionInfo,omitempty"`
	DownloadLocation string        `json:"downloadLocation"`
	FilesAnalyzed    bool          `json:"filesAnalyzed"`
	LicenseConcluded string        `json:"licenseConcluded"`
	LicenseDeclared  string        `json:"licenseDeclared"`
	CopyrightText    string        `json:"copyrightText"`
	ExternalRefs     []spdxExtRef  `json:"externalRefs,omitempty"`
	Checksums        []spdxSummary `json:"checksums,omitempty"`
}

type spdxExtRef struct {
	ReferenceCategory string `json:"referenceCategory"`
	ReferenceType     string `json:"referenceType"`
	ReferenceLocator  string `json:"referenceLocator"`
}

type spdxSummary struct {
	Algorithm     string `json:"algorithm"`
	ChecksumValue string `json:"checksumValue"`
}

type spdxRelationship struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

// goModule is one module from a binary's build info.
type goModule struct{ Path, Version string }

// modulesOf lists the main module, then the Go toolchain as "stdlib", then
// the dependencies (replacements applied), sorted and without duplicates.
func modulesOf(bi *debug.BuildInfo) (main goModule, deps []goModule) {
	main = goModule{Path: bi.Main.Path, Version: bi.Main.Version}
	if main.Path == "" {
		main.Path = bi.Path
	}
	deps = append(deps, goModule{Path: "stdlib", Version: bi.GoVersion})
	for _, d := range bi.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		deps = append(deps, goModule{Path: m.Path, Version: m.Version})
	}
	return main, deps
}

// renderSPDX writes an SPDX 2.3 document for the modules of one or more
// binaries. subject is the digest the document describes; the namespace is
// derived from it, so the document is a pure function of its inputs.
func renderSPDX(docName string, subject v1.Hash, created time.Time, main goModule, deps []goModule) ([]byte, error) {
	deps = slices.Clone(deps)
	slices.SortFunc(deps, func(a, b goModule) int { return strings.Compare(a.Path+"@"+a.Version, b.Path+"@"+b.Version) })
	deps = slices.Compact(deps)
	doc := spdxDocument{
		SPDXVersion:       spdxVersion,
		DataLicense:       spdxDataLicense,
		SPDXID:            spdxRefDocument,
		Name:              docName,
		DocumentNamespace: spdxNamespacePrefix + docName + "/" + subject.Hex,
		CreationInfo:      spdxCreationInfo{Created: created.UTC().Format(time.RFC3339), Creators: []string{spdxCreator}},
	}
	add := func(id string, m goModule) {
		doc.Packages = append(doc.Packages, spdxPackage{
			Name: m.Path, SPDXID: id, VersionInfo: m.Version,
			DownloadLocation: spdxNoAssertion, LicenseConcluded: spdxNoAssertion,
			LicenseDeclared: spdxNoAssertion, CopyrightText: spdxNoAssertion,
			ExternalRefs: []spdxExtRef{{ReferenceCategory: spdxPackageManagerType, ReferenceType: "purl", ReferenceLocator: purl(m)}},
		})
	}
	mainID := "SPDXRef-Package-main"
	add(mainID, main)
	doc.Relationships = append(doc.Relationships, spdxRelationship{Element: spdxRefDocument, Type: spdxDescribes, Related: mainID})
	for i, d := range deps {
		id := fmt.Sprintf("SPDXRef-Package-%d-%s", i, spdxIDSafe(d.Path))
		add(id, d)
		doc.Relationships = append(doc.Relationships, spdxRelationship{Element: mainID, Type: spdxDependsOn, Related: id})
	}
	return json.MarshalIndent(doc, "", "  ")
}

// purl is the package URL of a Go module (the Go toolchain as stdlib).
func purl(m goModule) string {
	p := purlTypeGolang + m.Path
	if m.Version != "" && m.Version != "(devel)" {
		p += "@" + m.Version
	}
	return p
}

// spdxIDSafe keeps the characters SPDX allows in identifiers.
func spdxIDSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, s)
}

// referrerManifest is an OCI 1.1 artifact manifest pointing at subject.
type referrerManifest struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     types.MediaType   `json:"mediaType"`
	ArtifactType  string            `json:"artifactType"`
	Config        v1.Descriptor     `json:"config"`
	Layers        []v1.Descriptor   `json:"layers"`
	Subject       *v1.Descriptor    `json:"subject"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

// newSBOMReferrer wraps an SPDX document as an artifact whose subject is
// the described manifest. It is a v1.Image so every publisher can write it.
func newSBOMReferrer(spdx []byte, subject v1.Descriptor, created time.Time) (v1.Image, error) {
	layer := newRawBlobLayer(spdx, SPDXArtifactType)
	emptyDigest := v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", sha256.Sum256([]byte(ociEmptyJSON)))}
	subj := v1.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size}
	m := referrerManifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  SPDXArtifactType,
		Config:        v1.Descriptor{MediaType: ociEmptyConfigType, Digest: emptyDigest, Size: int64(len(ociEmptyJSON)), Data: []byte(ociEmptyJSON)},
		Layers:        []v1.Descriptor{mustDescriptor(layer)},
		Subject:       &subj,
		Annotations:   map[string]string{AnnotationCreated: created.UTC().Format(time.RFC3339)},
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding SBOM referrer manifest: %w", err)
	}
	return newRawImage(&rawImage{
		manifest: raw, config: []byte(ociEmptyJSON), mediaType: types.OCIManifestSchema1,
		layers: map[v1.Hash]v1.Layer{layer.digest: layer},
	}, m.Layers)
}
