package ecr

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/imgcheck/imgcheck/internal/fakeaws"
)

// tokenFromResponse runs a GetAuthorizationToken response body through the
// real SDK client and the token decoding.
func tokenFromResponse(body []byte) (Token, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	src := SDKTokenSource{ConfigOptions: fakeaws.CannedConfig(body)}
	return src.Token(ctx, "us-east-1")
}

func TestTokenFromCannedResponse(t *testing.T) {
	fakeaws.IsolateEnv(t)
	good := base64.StdEncoding.EncodeToString([]byte("AWS:" + testPassword))
	tok, err := tokenFromResponse([]byte(`{"authorizationData":[{"authorizationToken":"` + good + `","expiresAt":1.7e9}]}`))
	if err != nil || tok.Username != "AWS" || tok.Password != testPassword || tok.ExpiresAt.Unix() != 1.7e9 {
		t.Errorf("got %s, %v", tok, err)
	}
}

// tokenOfBody is the authorizationToken a GetAuthorizationToken response
// body carries, when it is well-formed JSON that has one.
func tokenOfBody(body []byte) string {
	var resp struct {
		AuthorizationData []struct {
			AuthorizationToken string `json:"authorizationToken"`
		} `json:"authorizationData"`
	}
	if json.Unmarshal(body, &resp) != nil || len(resp.AuthorizationData) == 0 {
		return ""
	}
	return resp.AuthorizationData[0].AuthorizationToken
}

// FuzzTokenResponse feeds arbitrary GetAuthorizationToken response bodies
// through the real SDK client and the token decoding: a token comes out
// whole (user, password, expiry) or not at all, and no error or String
// shows the token or its password.
func FuzzTokenResponse(f *testing.F) {
	fakeaws.IsolateEnv(f)
	good := base64.StdEncoding.EncodeToString([]byte("AWS:" + testPassword))
	f.Add([]byte(`{"authorizationData":[{"authorizationToken":"` + good + `","expiresAt":1.7e9,"proxyEndpoint":"https://123456789012.dkr.ecr.us-east-1.amazonaws.com"}]}`))
	f.Add([]byte(`{"authorizationData":[{"authorizationToken":"` + good + `"}]}`))
	f.Add([]byte(`{"authorizationData":[]}`))
	f.Add([]byte(`{"authorizationData":[{"authorizationToken":"%%%` + testPassword + `"}]}`))
	f.Add([]byte(`{"authorizationData":[{"authorizationToken":"OnBhc3M="}]}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, err := tokenFromResponse(body)
		if err != nil {
			if raw := tokenOfBody(body); len(raw) >= 8 && strings.Contains(err.Error(), raw) {
				t.Fatalf("error shows the token: %v", err)
			}
			if dec, derr := base64.StdEncoding.DecodeString(tokenOfBody(body)); derr == nil {
				if _, pass, _ := strings.Cut(string(dec), ":"); len(pass) >= 8 && strings.Contains(err.Error(), pass) {
					t.Fatalf("error shows the password: %v", err)
				}
			}
			return
		}
		if tok.Username == "" || tok.Password == "" || tok.ExpiresAt.IsZero() {
			t.Fatalf("incomplete token: %s (password set: %v)", tok, tok.Password != "")
		}
		if len(tok.Password) >= 8 && strings.Contains(tok.String(), tok.Password) {
			t.Fatalf("String shows the password: %s", tok)
		}
	})
}

// FuzzDecodeToken: a token decodes to a user and a password that encode
// back to it, or fails without showing it.
func FuzzDecodeToken(f *testing.F) {
	f.Add(base64.StdEncoding.EncodeToString([]byte("AWS:" + testPassword)))
	f.Add("QVdTOnBhc3M6d2l0aDpjb2xvbnM=")
	f.Add("%%%not-base64")
	f.Fuzz(func(t *testing.T, encoded string) {
		tok, err := decodeToken(encoded)
		if err != nil {
			if len(encoded) >= 8 && strings.Contains(err.Error(), encoded) {
				t.Fatalf("error shows the token: %v", err)
			}
			return
		}
		if tok.Username == "" || tok.Password == "" || strings.Contains(tok.Username, ":") {
			t.Fatalf("decoded %q to user %q", encoded, tok.Username)
		}
		raw, _ := base64.StdEncoding.DecodeString(encoded)
		if string(raw) != tok.Username+":"+tok.Password {
			t.Fatalf("%q does not decode back", encoded)
		}
	})
}
