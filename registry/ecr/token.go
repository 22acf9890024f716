package ecr

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TokenSource returns an ECR authorization token for a region.
type TokenSource interface {
	Token(ctx context.Context, region string) (Token, error)
}

// Token is a decoded ECR authorization token. Password is a secret: it is
// never logged or printed (String redacts it).
type Token struct {
	Username  string
	Password  string
	ExpiresAt time.Time
}

// String redacts the password so that a token logged by mistake leaks nothing.
func (t Token) String() string {
	return fmt.Sprintf("ECRToken{user=%s, password=<redacted>, expires=%s}", t.Username, t.ExpiresAt.Format(time.RFC3339))
}

// GoString redacts too: %#v would otherwise print every field, the
// password with them.
func (t Token) GoString() string { return t.String() }

// decodeToken decodes an ECR authorization token, base64 of "AWS:<password>".
// Error messages never include the token.
func decodeToken(encoded string) (Token, error) {
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return Token{}, errors.New("ECR authorization token is not valid base64")
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || pass == "" {
		return Token{}, errors.New("ECR authorization token is not of the form user:password")
	}
	return Token{Username: user, Password: pass}, nil
}
