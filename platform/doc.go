// Package platform is imgcheck's one vocabulary for a platform: the
// os/arch/variant (and, for Windows, os.version) that an image is built
// for and a task runs on. It holds no image contents; an opened manifest
// with its config and layers is an image.Image.
//
// # Text form
//
// Parse reads "os/arch[/variant][:os.version]" ("linux/arm64",
// "linux/arm/v7", "windows/amd64:10.0.20348") and String writes it. The OS
// is lower-cased and kernel or vendor architecture names become GOARCH
// names (x86_64 -> amd64, aarch64 -> arm64, i686 -> 386), so a platform
// from uname, a Dockerfile or an ECS task compares with one from an index.
//
// # Matching
//
// Matches(want, have) decides whether an offered platform (an index entry,
// an image config, a base image) serves a wanted one. It follows
// go-containerregistry's v1.Platform.Satisfies, where a field the
// requirement leaves empty is not compared, with the normalisations a
// container runtime applies:
//
//   - os must be equal (case aside) and architecture equal once
//     normalised;
//   - an empty wanted variant accepts any variant (linux/arm64 accepts
//     linux/arm64/v8, linux/arm accepts linux/arm/v7);
//   - a wanted variant accepts the same variant, or no variant when it is
//     the architecture's baseline (arm64 v8, amd64 v1): an image that names
//     no variant is built for the baseline, so linux/arm64/v8 accepts
//     linux/arm64, while linux/amd64/v3 does not accept linux/amd64;
//   - a wanted Windows os.version accepts an os.version with the same first
//     three parts (major.minor.build: the revision does not change which
//     hosts run it); os.version is not compared for other systems.
//
// Best picks among several matches the one whose variant is exactly the
// wanted one, then the first: image.Source.Select and the build's base
// selection both use it.
//
// # ECS
//
// FromECS maps a task's runtimePlatform to the platform its image must
// offer: cpuArchitecture X86_64 (the default) is amd64, ARM64 is arm64, an
// operatingSystemFamily WINDOWS_SERVER_* is windows with the os.version
// build of that Windows Server release (WindowsBuild), anything else linux.
// IsWindowsFamily is the one test for a Windows family.
package platform
