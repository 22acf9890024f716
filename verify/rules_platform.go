package verify

import (
	"fmt"
	"strings"

	"github.com/imgcheck/imgcheck/image"
	"github.com/imgcheck/imgcheck/platform"
)

// platformRules compare the selected manifest with the task's platform.
func (c *checker) platformRules() {
	p := c.p
	if d := p.Descriptor; d != nil && !platform.Matches(platform.OSArch(*d), p.ConfigPlatform) {
		c.add("IC103", Finding{
			Message: fmt.Sprintf("the index lists manifest %s as %s but its config says %s",
				shortDigest(p.Digest.String()), platform.String(d), platform.String(&p.ConfigPlatform)),
			Evidence: fmt.Sprintf("descriptor platform %s, config os=%s architecture=%s", platform.String(d), p.ConfigPlatform.OS, p.ConfigPlatform.Architecture),
			Fix:      "rebuild the index so that each descriptor's platform comes from its image config"})
	}
	gzip, zstd := 0, 0
	for _, l := range p.Layers {
		switch l.Compression {
		case image.CompressionGzip:
			gzip++
		case image.CompressionZstd:
			zstd++
		}
	}
	if gzip > 0 && zstd > 0 {
		c.add("IC105", Finding{
			Message:  fmt.Sprintf("the image mixes %d gzip and %d zstd layers", gzip, zstd),
			Evidence: "layer media types of manifest " + shortDigest(p.Digest.String()),
			Fix:      "rebuild with one compression (gzip is supported everywhere)"})
	}
	if c.facts == nil || !c.facts.windows {
		return
	}
	if c.facts.arch == "ARM64" {
		c.add("IC107", Finding{Message: "Windows tasks run only on X86_64, the task asks for ARM64",
			Evidence: "operatingSystemFamily " + c.facts.osFamily, Fix: "set cpuArchitecture to X86_64",
			Location: loc(c.facts.td.RuntimePlatform.Pos)})
	}
	want := platform.WindowsBuild(c.facts.osFamily)
	have := p.ConfigPlatform.OSVersion
	if want != "" && !strings.HasPrefix(have+".", want+".") {
		c.add("IC106", Finding{
			Message:  fmt.Sprintf("the Windows image is built for os.version %q but %s needs %s.*", have, c.facts.osFamily, want),
			Evidence: "config os.version " + have,
			Fix:      "build the image FROM a base of the task's Windows Server version, or change operatingSystemFamily",
			Location: loc(c.facts.td.RuntimePlatform.Pos)})
	}
}

func shortDigest(d string) string {
	if i := strings.Index(d, ":"); i >= 0 && len(d) > i+13 {
		return d[:i+13]
	}
	return d
}

// schema1 records IC104, whether the image's root or a manifest its index
// lists is Docker schema 1: no current runtime pulls either.
func (c *checker) schema1(err error) {
	c.addStop("IC104", Finding{
		Message:  "the image uses a Docker schema 1 manifest, which current runtimes do not pull",
		Evidence: err.Error(),
		Fix:      "push the image again with a current client (docker buildx, ko, imgcheck build, skopeo copy)"})
}
