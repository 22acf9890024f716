// Package realimages makes container images from real third-party file
// trees for the end-to-end tests that compare imgcheck's prediction with
// what runc does: Debian root file systems made by debootstrap from the
// Debian archive (any suite, native or --foreign for another
// architecture), busybox-static with its applets as hard links, a C
// program linked against libssl, layers of installed Debian packages, and
// images of them with a chosen configuration.
//
// The Debian trees take a minute or more to make, so each is kept as one
// gzip tar layer under os.UserCacheDir()/imgcheck-test, keyed by suite,
// architecture and the recipe's version; later runs read it in
// milliseconds. Building is serialised per key with a file lock and every
// file is written under a temporary name and renamed, so test processes
// running at the same time neither corrupt nor duplicate the cache.
//
// Making a tree runs debootstrap as root, as CI does; .ci/install-tools
// installs every tool used here.
package realimages
