// Package build makes reproducible, multi-platform OCI images of Go main
// packages without a container daemon, the way ko does, and publishes them
// to a registry, an OCI image layout or an OCI layout archive.
//
// The pieces are small interfaces so that behaviour is added by wrapping:
// a Compiler turns a package into a binary for one platform, a Verifier
// judges each assembled platform image before anything leaves the machine,
// and a Publisher writes the finished index somewhere. Builder ties them
// together.
package build
