package e2e

import "testing"

// TestClassifyStartFailures: the reasons the prediction table gives for
// real outputs of runc, glibc's loader, umoci and qemu-user.
func TestClassifyStartFailures(t *testing.T) {
	tests := []struct{ output, reason string }{
		{"/app/server: error while loading shared libraries: libssl.so.3: cannot open shared object file: No such file or directory\n",
			"error while loading shared libraries: libssl.so.3: cannot open shared object file: No such file or directory"},
		{"/app/server: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found (required by /app/server)\n" +
			"/app/server: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.32' not found (required by /app/server)\n",
			"version `GLIBC_2.34' not found (required by /app/server)"},
		{"generate config: generate config.json: cannot parse user spec: 'appuser': unable to find user appuser: no matching entries in passwd file",
			"unable to find user appuser: no matching entries in passwd file"},
		{"unable to find group staff: no matching entries in group file", "unable to find group staff: no matching entries in group file"},
		{".runctest-emulator: /app/server: Invalid ELF image for this architecture\n",
			"exec format error (qemu-aarch64: Invalid ELF image for this architecture)"},
		{`level=error msg="runc run failed: unable to start container process: exec: \"/app/server\": exec format error"`, "exec format error"},
		{`level=error msg="runc run failed: unable to start container process: exec /app/server: permission denied"`, "permission denied"},
		{`exec: \"/app/server\": stat /app/server: no such file or directory`, "no such file or directory"},
		{"qemu: Could not open '/app/server': No such file or directory", "no such file or directory"},
		{"panic: boom\n", ""},
	}
	for _, tt := range tests {
		if got := classify(tt.output); got.reason != tt.reason || got.starts {
			t.Errorf("classify(%q) = %+v, want reason %q", tt.output, got, tt.reason)
		}
	}
}
