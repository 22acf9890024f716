// Package imagetest builds container images in-process for tests: real
// tiny Go binaries (static, cgo, PIE) for any GOARCH, layers from a list of
// tar entries (files, directories, symlinks, hard links, whiteouts, opaque
// directories), images and indexes with chosen platforms (including
// attestation manifests and descriptors that disagree with their config),
// an in-memory registry on 127.0.0.1 with a request log, and OCI layouts
// and tarballs on disk.
//
// Everything is deterministic (fixed timestamps, fixed owners) so that
// digests are stable for one Go toolchain, which golden files rely on.
package imagetest
