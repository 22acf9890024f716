package hostilereg

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"testing"
	"time"
)

func get(t *testing.T, url string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestServerBehaviours(t *testing.T) {
	s := Start()
	defer s.Close()
	blob := []byte("0123456789")
	d := s.PutBlob(blob)
	m := s.PutImage("repo", "1", ImageSpec{Entrypoint: []string{"/app"}, Layers: []Layer{{Data: blob, DiffID: d}}})
	base := "http://" + s.Host + "/v2/repo/"

	resp := get(t, base+"manifests/1", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Docker-Content-Digest") != m.Digest || resp.ContentLength != m.Size {
		t.Errorf("manifest: %s, digest %q, length %d; want %s, %d", resp.Status, resp.Header.Get("Docker-Content-Digest"), resp.ContentLength, m.Digest, m.Size)
	}
	if resp := get(t, base+"manifests/2", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown tag: %s", resp.Status)
	}
	resp = get(t, base+"blobs/"+d, http.Header{"Range": {"bytes=2-4"}})
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusPartialContent || string(body) != "234" || resp.Header.Get("Content-Range") != "bytes 2-4/10" {
		t.Errorf("range: %s %q %q", resp.Status, body, resp.Header.Get("Content-Range"))
	}

	s.Behave(d, Chunked)
	resp = get(t, base+"blobs/"+d, http.Header{"Range": {"bytes=2-4"}})
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK || string(body) != string(blob) || resp.ContentLength != -1 {
		t.Errorf("chunked: %s %q, length %d", resp.Status, body, resp.ContentLength)
	}

	s.Behave(d, Stall)
	resp = get(t, base+"blobs/"+d, nil)
	if resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(blob)) {
		t.Errorf("stall: %s, length %d", resp.Status, resp.ContentLength)
	}
	got := make(chan error, 1)
	go func() { _, err := resp.Body.Read(make([]byte, 1)); got <- err }()
	select {
	case err := <-got:
		t.Errorf("a stalled body gave %v", err)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestBombDiffIDIsTrue(t *testing.T) {
	// One chunk: 64 MiB of zeros in about 64 KiB.
	chunk, err := ZeroChunk()
	if err != nil {
		t.Fatal(err)
	}
	if len(chunk) > BombChunkBytes/1000 {
		t.Errorf("chunk of %d bytes: the ratio is below 1000:1", len(chunk))
	}
	blob, diffID, err := Bomb(chunk, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := gunzipDigest(t, blob); got != diffID {
		t.Errorf("diff_id %s, the layer's is %s", diffID, got)
	}
}

func gunzipDigest(t *testing.T, blob []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, zr); err != nil {
		t.Fatal(err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
