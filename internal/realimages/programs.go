package realimages

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/imgcheck/imgcheck/internal/runctest"
)

// SSLProgramGreeting starts the line the SSL program prints when it ran.
const SSLProgramGreeting = "ssl program started with"

// sslProgramSource makes a TLS context, so that it needs libssl.so.3 and
// libcrypto.so.3 at start and their OPENSSL_3.0.0 symbol versions.
const sslProgramSource = `#include <stdio.h>
#include <openssl/ssl.h>
#include <openssl/crypto.h>

int main(void) {
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		fprintf(stderr, "SSL_CTX_new failed\n");
		return 1;
	}
	printf("` + SSLProgramGreeting + ` %s\n", OpenSSL_version(OPENSSL_VERSION));
	SSL_CTX_free(ctx);
	return 0;
}
`

// SSLProgram compiles a C program linked dynamically against OpenSSL 3
// (Debian's libssl-dev, or libssl-dev:arm64 for arm64 with
// aarch64-linux-gnu-gcc) for linux/arch. Its runtime libraries are in
// HostPackage(t, "libssl3:"+arch). It prints SSLProgramGreeting and the
// OpenSSL version and exits 0.
func SSLProgram(t testing.TB, arch string) []byte {
	t.Helper()
	cc := map[string]string{"amd64": "x86_64-linux-gnu-gcc", "arm64": "aarch64-linux-gnu-gcc"}[arch]
	if arch == runtime.GOARCH {
		cc = "gcc"
	}
	if cc == "" {
		t.Fatalf("SSLProgram: no C compiler known for %s", arch)
	}
	runctest.Require(t, cc)
	dir := t.TempDir()
	src, bin := filepath.Join(dir, "ssl.c"), filepath.Join(dir, "ssl")
	if err := os.WriteFile(src, []byte(sslProgramSource), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-O2", "-o", bin, src, "-lssl", "-lcrypto").CombinedOutput(); err != nil {
		t.Fatalf("compiling the libssl program for %s with %s (needs libssl-dev:%s; run .ci/install-tools): %v\n%s", arch, cc, arch, err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	needed, err := f.ImportedLibraries()
	if err != nil || !slices.Contains(needed, "libssl.so.3") || f.Machine != elfMachine(arch) {
		t.Fatalf("the libssl program for %s is %s needing %v (%v)", arch, f.Machine, needed, err)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
