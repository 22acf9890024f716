package distreg

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestRegistryWithAuthServesRanges(t *testing.T) {
	reg := Start(t, Options{Users: map[string]string{"ci": "pa55word"}})
	ref, err := name.ParseReference(reg.Host+"/test/app:v1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(200_000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err == nil {
		t.Fatal("anonymous push succeeded: auth is not enforced")
	}
	auth := remote.WithAuth(&authn.Basic{Username: "ci", Password: "pa55word"})
	if err := remote.Write(ref, img, auth); err != nil {
		t.Fatalf("push: %v", err)
	}
	layers, _ := img.Layers()
	dig, _ := layers[0].Digest()

	req, _ := http.NewRequest("GET", fmt.Sprintf("http://%s/v2/test/app/blobs/%s", reg.Host, dig), nil)
	req.SetBasicAuth("ci", "pa55word")
	req.Header.Set("Range", "bytes=0-99")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusPartialContent || len(body) != 100 {
		t.Fatalf("range GET: %s, %d bytes; want 206 and 100 bytes", resp.Status, len(body))
	}
}

func TestRegistryWithTokenAuth(t *testing.T) {
	reg := Start(t, Options{Users: map[string]string{"ci": "t0ken-pass"}, TokenAuth: true})
	ref, err := name.ParseReference(reg.Host+"/team/app:v1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err == nil {
		t.Fatal("anonymous push succeeded: token auth is not enforced")
	}
	if err := remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: "ci", Password: "wrong"})); err == nil {
		t.Fatal("push with a wrong password succeeded")
	}
	auth := remote.WithAuth(&authn.Basic{Username: "ci", Password: "t0ken-pass"})
	if err := remote.Write(ref, img, auth); err != nil {
		t.Fatalf("push with a token: %v\n%s", err, reg.Log())
	}
	if _, err := remote.Image(ref, auth); err != nil {
		t.Fatalf("pull with a token: %v", err)
	}
}
