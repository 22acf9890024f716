// Package image reads what a container image contains with as few bytes as
// possible: its platforms, its config, and the files its entrypoint needs.
//
// # Opening
//
//	src, err := image.Open(ctx, "ghcr.io/acme/app:1.2", image.Options{})
//	src, err := image.Open(ctx, "oci:./out:app:latest", opts)  // OCI layout entry "app:latest"
//	src, err := image.Open(ctx, "oci-archive:app.tar", opts)   // OCI archive
//	src, err := image.Open(ctx, "tarball:image.tar", opts)     // docker save or OCI archive
//	src, err := image.FromIndex("built", idx, opts)            // in memory, before a push
//
// Open fetches the root manifest and checks it against its digest (the
// digest in the reference, and the registry's Docker-Content-Digest for a
// tag). Configs are hashed too. Registry access (credentials, insecure
// hosts, retries, request counting) comes from Options.Registry.
//
// # Manifests and platforms
//
// Manifests lists every manifest of an index (nested indexes flattened,
// with their Path) classified as KindRunnable, KindAttestation (platform
// unknown/unknown or vnd.docker.reference.type=attestation-manifest),
// KindArtifact or KindIndex. Select opens the runnable manifest for a
// platform, matched by platform.Matches (linux/arm64 matches
// linux/arm64/v8 and an empty variant; an unasked variant matches any;
// Windows matches on the first three parts of os.version), and fails with
// *NoMatchingPlatformError listing what there is. OpenManifest opens a
// listed manifest directly. An *Image is one opened manifest with its
// config and layers; it keeps the descriptor platform and the config
// platform apart so a caller can report a disagreement.
//
// # Files
//
// Lookup resolves a path in the merged filesystem, top layer first:
// whiteouts and opaque directories hide lower layers, symlinks are followed
// inside the image root (".." never escapes, at most MaxSymlinks), hard
// links read as their target. A miss is not an error: File.Found is false
// and File.Reason/Detail/LayersSearched/WhiteoutLayer say why.
// ResolveCommand adds PATH search and WorkingDir like a container runtime.
// Identify reads the first bytes of a file (4 KiB, more if image/binfmt asks,
// at most 1 MiB) and returns what binfmt makes of it; ReadFile reads small
// files such as /etc/passwd.
//
// Hard links are resolved as the runtimes' layer appliers make them
// (containerd's overlayfs snapshotter, Docker's overlay2): the target must
// come earlier in the same layer, found through the symlinks that layer
// has written; the link then has its target's type, mode, owner and
// content (File.HardLink names the target). A link the runtime cannot make
// (target missing, later, in another layer, a directory) fails the layer:
// *HardLinkError.
//
// # Run user and permissions
//
// ResolveUser resolves a user spec ("name", "uid", "name:group", "uid:gid",
// ...) against the merged /etc/passwd and /etc/group with the rules and
// messages of the runtime's user package: a spec the runtime refuses is a
// *UserError ("unable to find user app: no matching entries in passwd
// file"). CheckExec, CheckRead and CheckSearch apply the kernel's
// permission rules for the resulting Cred to a File and the directories
// its lookup searched (File.Dirs), returning a *Denial with the evidence;
// CheckAccess first settles directories only implied by deeper names
// (ResolveDirs), which may read further into the layers. UserFromSpec
// settles what a spec alone gives (root, a numeric uid, uid:gid) without
// reading; a Cred whose groups are not read yet says GroupsUnknown, and a
// check they would decide is a Denial with NeedsGroups.
//
// # Dynamic loader
//
// LoaderFS serves the merged file system to the loader emulation of
// package image/ldso: paths resolve as the kernel's open(2) resolves them
// (symlinks across layers, ".." after a symlink, whiteouts), hard links
// are one file, a directory the user may not search is EACCES, and
// contents come through the same bounded, counted reads as Identify.
//
// # Minimal bytes
//
// Layers are never downloaded up front. Each layer is scanned lazily: its
// compressed blob is fetched with an HTTP range of 64 KiB, then (when more
// is needed) the rest in one open-ended ranged request, and fed to the decompressor and tar reader only as far as a question
// needs; the scan stops at the entry asked for and keeps its place, so the
// file's first bytes are read from the same stream. A registry that ignores
// Range gets one plain GET whose body is abandoned early. Fetched bytes and
// layer indexes live in a Cache keyed by digest, which Sources may share.
// Stats reports requests, bytes received and layer bytes fetched, and
// Stats.Layers how each layer was read (LayerFromCache, LayerStreamed,
// LayerPartial, LayerSkipped) in how many passes.
//
// One pass per layer: as a scan leaves a file it keeps what a check may
// read of it later (capture.go): the ELF header and binfmt.ELFExtents of
// every executable and shared object, /etc/passwd, /etc/group,
// /etc/ld.so.cache, the musl path files, the first 4 KiB of scripts and
// executables, files of at most 1 KiB; within Limits.MaxCaptureBytes per
// layer, MaxCacheCaptureBytes per Cache and MaxCaptureFileBytes per file. So a layer is streamed
// once however many files the checks need from it; a question about bytes
// that were not kept starts the layer over (more bytes, the same answer).
//
// Options.LayerIndex (a LayerIndex, one directory, DefaultCacheDir) keeps
// a layer's index and kept bytes between runs once a scan has read the
// whole layer and checked its digest and diff_id. A later run answers
// that layer without a request; a new image on a known base reads only
// its new layers. Entries are content addressed (never stale), written
// atomically, checksummed (a damaged one is ignored and rewritten),
// bounded with least-recently-used eviction; write failures are logged and
// the run goes on without them.
//
// A layer read only in part cannot be checked against its digest: such
// results are marked ReadPrefix. Options.Strict reads the identified file's
// whole layer, checks its digest and diff_id (ReadVerified) and reads Go
// build info; VerifyLayer does the same for any layer. Any layer scan that
// reaches the end is checked.
//
// # Errors and bounds
//
// Every error wraps one of ErrNotFound, ErrUnauthorized, ErrNetwork,
// ErrCanceled (the caller's context ended), ErrDigestMismatch
// (*DigestMismatchError), ErrMalformed (*HardLinkError and
// *SizeMismatchError among others), ErrLimit, ErrUnsupported (a layer media
// type the runtime cannot apply), ErrSchema1, ErrNoMatchingPlatform or
// ErrRunUser (*UserError). Every size a descriptor declares is held to what
// is read. Limits bound manifest and config sizes (4 MiB), the descriptors
// and bytes of an image's indexes, tar entries (1,000,000), name lengths and
// path depth, decompressed size and ratio per layer and per image, the
// memory of path indexes per layer and per image, and file reads; nothing
// is extracted to disk.
package image
