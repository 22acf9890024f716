package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imgcheck/imgcheck/internal/fakeecr"
)

// ecrHost is the ECR registry name the end-to-end tests push to.
const ecrHost = "123456789012.dkr.ecr.us-east-1.amazonaws.com"

// ecrPath makes ecrHost reach a local registry for an unmodified imgcheck
// process, with only standard mechanisms: HTTPS_PROXY names a CONNECT proxy
// that takes connections for ecrHost to a TLS front of the registry, and
// SSL_CERT_FILE trusts the test CA that signed the front's certificate for
// ecrHost. The ECR API is the fake endpoint (AWS_ENDPOINT_URL_ECR), whose
// token password the registry's htpasswd accepts for user AWS. What is
// simulated: the ECR API endpoint and the host name's resolution.
type ecrPath struct {
	env      []string
	api      *fakeecr.Server
	mu       sync.Mutex
	connects int
}

func startECRPath(t *testing.T, registryHost, password string) *ecrPath {
	t.Helper()
	api := fakeecr.Start(t, fakeecr.Options{Password: password})
	api.SetEnv(t, "us-east-1")
	caPEM, cert := testCertificate(t, ecrHost)
	front := httptest.NewUnstartedServer(httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: registryHost}))
	front.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	front.StartTLS()
	t.Cleanup(front.Close)

	p := &ecrPath{api: api}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		if r.Method != http.MethodConnect || host != ecrHost {
			http.Error(w, "this proxy only reaches "+ecrHost, http.StatusForbidden)
			return
		}
		p.mu.Lock()
		p.connects++
		p.mu.Unlock()
		upstream, err := net.DialTimeout("tcp", front.Listener.Addr().String(), 5*time.Second)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			upstream.Close()
			return
		}
		_, _ = conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		go func() { _, _ = io.Copy(upstream, buf); upstream.Close() }()
		go func() { _, _ = io.Copy(conn, upstream); conn.Close() }()
	}))
	t.Cleanup(proxy.Close)

	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	p.env = []string{"HTTPS_PROXY=" + proxy.URL, "https_proxy=" + proxy.URL, "SSL_CERT_FILE=" + caFile}
	return p
}

// connections counts the CONNECTs to ecrHost: proof the ECR name was used.
func (p *ecrPath) connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.connects
}

// testCertificate makes a CA and a server certificate for host.
func testCertificate(t *testing.T, host string) ([]byte, tls.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "imgcheck e2e CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return caPEM, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// digestOf picks the sha256 digest out of a reference.
func digestOf(t *testing.T, ref string) string {
	t.Helper()
	i := strings.Index(ref, "@sha256:")
	if i < 0 {
		t.Fatalf("%q has no digest", ref)
	}
	return ref[i+1:]
}
