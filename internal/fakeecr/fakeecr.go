// Package fakeecr is a local endpoint that speaks the Amazon ECR JSON 1.1
// protocol (the subset imgcheck calls: GetAuthorizationToken,
// CreateRepository, DescribeRepositories and DescribeImages), so that tests
// can run the real aws-sdk-go-v2 client against it via
// AWS_ENDPOINT_URL_ECR. It serves only 127.0.0.1.
package fakeecr

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imgcheck/imgcheck/internal/fakeaws"
)

const targetPrefix = "AmazonEC2ContainerRegistry_V20150921."

// Options configure a Server.
type Options struct {
	Username string        // default "AWS"
	Password string        // the registry password the token carries
	TTL      time.Duration // token lifetime, default 12h
	Account  string        // default 123456789012
}

// Server is a running fake ECR API endpoint.
type Server struct {
	URL  string
	opts Options

	mu         sync.Mutex
	calls      map[string]int
	failWith   *APIError
	repos      map[string]bool
	scanOnPush map[string]bool
	images     map[string][]Image // repository -> images
}

// Image is an image DescribeImages knows, with its scan results.
type Image struct {
	Digest string
	Tags   []string
	Status string // imageStatus (ACTIVE, ARCHIVED, ...); "" leaves it out of the answer
	// ScanStatus is imageScanStatus.status ("" for no scan) and Findings
	// the imageScanFindingsSummary's findingSeverityCounts.
	ScanStatus string
	Findings   map[string]int
}

// APIError is an AWS JSON protocol error the server answers with.
type APIError struct {
	Status  int
	Type    string // e.g. ExpiredTokenException
	Message string
}

// Start runs a server until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Username == "" {
		opts.Username = "AWS"
	}
	if opts.TTL == 0 {
		opts.TTL = 12 * time.Hour
	}
	if opts.Account == "" {
		opts.Account = "123456789012"
	}
	s := &Server{opts: opts, calls: map[string]int{}, repos: map[string]bool{}, scanOnPush: map[string]bool{}, images: map[string][]Image{}}
	hs, err := fakeaws.ServeLocal(http.HandlerFunc(s.serve))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// SetEnv points the AWS SDK default config chain at this server with static
// test credentials, and cuts it off from any real configuration.
func (s *Server) SetEnv(t testing.TB, region string) {
	t.Helper()
	t.Setenv("AWS_ENDPOINT_URL_ECR", s.URL)
	fakeaws.SetStaticEnv(t, region, "AKIDFAKEECRTEST", "fake-secret-key")
}

// FailWith makes every following call fail with err (nil restores success).
func (s *Server) FailWith(err *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failWith = err
}

// Calls returns how often an operation (e.g. "GetAuthorizationToken") was called.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// Repository reports whether a repository exists and whether it scans on push.
func (s *Server) Repository(name string) (exists, scanOnPush bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.repos[name], s.scanOnPush[name]
}

// AddRepository creates a repository directly.
func (s *Server) AddRepository(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repos[name] = true
}

// AddImage creates the repository if needed and adds an image to it.
func (s *Server) AddImage(repository string, img Image) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repos[repository] = true
	s.images[repository] = append(s.images[repository], img)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	if r.Method != http.MethodPost || !ok {
		writeError(w, &APIError{Status: 400, Type: "UnknownOperationException", Message: "unknown target"})
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=") {
		writeError(w, &APIError{Status: 400, Type: "MissingAuthenticationTokenException", Message: "request is not SigV4 signed"})
		return
	}
	var body map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		writeError(w, &APIError{Status: 400, Type: "SerializationException", Message: err.Error()})
		return
	}
	s.mu.Lock()
	s.calls[op]++
	fail := s.failWith
	s.mu.Unlock()
	if fail != nil {
		writeError(w, fail)
		return
	}
	switch op {
	case "GetAuthorizationToken":
		s.getAuthorizationToken(w)
	case "CreateRepository":
		s.createRepository(w, body)
	case "DescribeRepositories":
		s.describeRepositories(w, body)
	case "DescribeImages":
		s.describeImages(w, body)
	default:
		writeError(w, &APIError{Status: 400, Type: "UnknownOperationException", Message: "operation " + op + " is not served by fakeecr"})
	}
}

func (s *Server) getAuthorizationToken(w http.ResponseWriter) {
	token := base64.StdEncoding.EncodeToString([]byte(s.opts.Username + ":" + s.opts.Password))
	expires := time.Now().Add(s.opts.TTL)
	writeJSON(w, map[string]any{
		"authorizationData": []map[string]any{{
			"authorizationToken": token,
			"expiresAt":          float64(expires.UnixMilli()) / 1000,
			"proxyEndpoint":      "https://" + s.opts.Account + ".dkr.ecr.us-east-1.amazonaws.com",
		}},
	})
}

func (s *Server) createRepository(w http.ResponseWriter, body map[string]any) {
	name, _ := body["repositoryName"].(string)
	if name == "" {
		writeError(w, &APIError{Status: 400, Type: "InvalidParameterException", Message: "repositoryName is required"})
		return
	}
	scan := false
	if cfg, ok := body["imageScanningConfiguration"].(map[string]any); ok {
		scan, _ = cfg["scanOnPush"].(bool)
	}
	s.mu.Lock()
	exists := s.repos[name]
	if !exists {
		s.repos[name] = true
		s.scanOnPush[name] = scan
	}
	s.mu.Unlock()
	if exists {
		writeError(w, &APIError{Status: 400, Type: "RepositoryAlreadyExistsException",
			Message: fmt.Sprintf("The repository with name '%s' already exists in the registry with id '%s'", name, s.opts.Account)})
		return
	}
	writeJSON(w, map[string]any{"repository": s.repoJSON(name)})
}

func (s *Server) describeRepositories(w http.ResponseWriter, body map[string]any) {
	names, _ := body["repositoryNames"].([]any)
	var out []map[string]any
	for _, n := range names {
		name, _ := n.(string)
		exists, _ := s.Repository(name)
		if !exists {
			writeError(w, &APIError{Status: 400, Type: "RepositoryNotFoundException",
				Message: fmt.Sprintf("The repository with name '%s' does not exist in the registry with id '%s'", name, s.opts.Account)})
			return
		}
		out = append(out, s.repoJSON(name))
	}
	writeJSON(w, map[string]any{"repositories": out})
}

// describeImages answers DescribeImages for imageIds (by tag or digest).
func (s *Server) describeImages(w http.ResponseWriter, body map[string]any) {
	repo, _ := body["repositoryName"].(string)
	ids, _ := body["imageIds"].([]any)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.repos[repo] {
		writeError(w, &APIError{Status: 400, Type: "RepositoryNotFoundException",
			Message: fmt.Sprintf("The repository with name '%s' does not exist in the registry with id '%s'", repo, s.opts.Account)})
		return
	}
	details := []map[string]any{}
	for _, id := range ids {
		m, _ := id.(map[string]any)
		tag, _ := m["imageTag"].(string)
		digest, _ := m["imageDigest"].(string)
		img, ok := s.findImage(repo, tag, digest)
		if !ok {
			writeError(w, &APIError{Status: 400, Type: "ImageNotFoundException",
				Message: fmt.Sprintf("The image with imageId {imageDigest:'%s', imageTag:'%s'} does not exist within the repository with name '%s' in the registry with id '%s'",
					digest, tag, repo, s.opts.Account)})
			return
		}
		d := map[string]any{"registryId": s.opts.Account, "repositoryName": repo, "imageDigest": img.Digest, "imageTags": img.Tags,
			"imageSizeInBytes": 1234, "imagePushedAt": 1704164645, "imageManifestMediaType": "application/vnd.oci.image.index.v1+json"}
		if img.Status != "" {
			d["imageStatus"] = img.Status
		}
		if img.ScanStatus != "" {
			d["imageScanStatus"] = map[string]any{"status": img.ScanStatus, "description": "The scan was completed successfully."}
		}
		if img.Findings != nil {
			d["imageScanFindingsSummary"] = map[string]any{"findingSeverityCounts": img.Findings, "imageScanCompletedAt": 1704164700}
		}
		details = append(details, d)
	}
	writeJSON(w, map[string]any{"imageDetails": details})
}

func (s *Server) findImage(repo, tag, digest string) (Image, bool) {
	for _, img := range s.images[repo] {
		if digest != "" && img.Digest == digest || digest == "" && slices.Contains(img.Tags, tag) {
			return img, true
		}
	}
	return Image{}, false
}

func (s *Server) repoJSON(name string) map[string]any {
	return map[string]any{
		"repositoryName": name,
		"registryId":     s.opts.Account,
		"repositoryArn":  "arn:aws:ecr:us-east-1:" + s.opts.Account + ":repository/" + name,
		"repositoryUri":  s.opts.Account + ".dkr.ecr.us-east-1.amazonaws.com/" + name,
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *APIError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Type, "message": e.Message})
}
