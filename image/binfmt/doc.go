// Package binfmt tells what an executable file is from its first bytes.
//
// Identify reads an ELF header and program header table (class, byte order,
// OS/ABI, type, machine, PT_INTERP, PT_DYNAMIC), a PE header (DOS header,
// COFF header, optional header magic and subsystem) or a "#!" line, and
// maps the machine to a GOARCH name. ReadGoBuildInfo reads the Go
// toolchain's build information when the whole binary is at hand.
//
// Why a prefix: imgcheck inspects binaries inside container image layers
// that may be hundreds of megabytes, fetched over the network. Everything
// that decides whether a binary will start on a platform (architecture,
// static or dynamic, which interpreter) sits in the first few KiB of the
// file, so the image package streams a layer only until the entrypoint's
// first bytes arrive. Identify therefore never needs the whole file: when a
// header points beyond the prefix it says how many bytes it needs (Info.Need)
// and the caller may fetch more and call again. IdentifyPrefix takes the
// file's size too (a tar header knows it), so that offsets beyond the end of
// the file are reported as problems instead of needs; IdentifyReader runs
// the loop over an io.Reader with a byte limit.
//
// Why not debug/elf: elf.NewFile wants an io.ReaderAt over the whole file and
// trusts sizes read from the header, so hostile input can make it allocate
// hugely or fail late. This package parses the few fields it needs itself,
// bounds-checks every offset and length, mirrors the limits the Linux kernel
// applies when it execs a file (fs/binfmt_elf.c, fs/binfmt_script.c), and
// reports malformed headers in Info.Problems instead of panicking or failing.
//
// Answers fail closed: Info.Static is true only for a complete, clean ELF
// executable without PT_INTERP. Callers deciding whether a file will run
// should treat Need > 0 (incomplete) and Problems (malformed) as "cannot
// tell" or "will not start".
package binfmt
