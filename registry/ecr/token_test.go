package ecr

import (
	"fmt"
	"strings"
	"testing"
)

func TestDecodeTokenErrorsHideToken(t *testing.T) {
	for _, in := range []string{"%%%not-base64" + testPassword, "bm8tY29sb24tJHtzZWNyZXR9", "OnBhc3M=", "dXNlcjo="} {
		_, err := decodeToken(in)
		if err == nil {
			t.Errorf("decodeToken(%q) succeeded", in)
			continue
		}
		if strings.Contains(err.Error(), in) || strings.Contains(err.Error(), testPassword) {
			t.Errorf("error leaks the token: %v", err)
		}
	}
	tok, err := decodeToken("QVdTOnBhc3M6d2l0aDpjb2xvbnM=") // AWS:pass:with:colons
	if err != nil || tok.Username != "AWS" || tok.Password != "pass:with:colons" {
		t.Errorf("got %v, %v", tok, err)
	}
	for _, format := range []string{"%s", "%v", "%+v", "%#v"} {
		if out := fmt.Sprintf(format, tok); strings.Contains(out, "pass:with") {
			t.Errorf("%s leaks the password: %s", format, out)
		}
	}
}
