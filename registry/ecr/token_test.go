package ecr

import (
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
	if strings.Contains(tok.String(), "pass:with") {
		t.Errorf("String leaks the password: %s", tok)
	}
}
