// Package fakeecs is a local HTTP endpoint that speaks the ECS JSON 1.1
// protocol for DescribeTaskDefinition, so tests can drive the real AWS SDK
// (pointed at it with AWS_ENDPOINT_URL_ECS) without touching AWS.
package fakeecs

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/imgcheck/imgcheck/internal/fakeaws"
)

const (
	targetPrefix = "AmazonEC2ContainerServiceV20141113."
	contentType  = "application/x-amz-json-1.1"
)

// TaskDefinition is one task definition the server knows.
type TaskDefinition struct {
	Family   string
	Revision int
	// JSON is the taskDefinition object as the API returns it (camelCase).
	// The server sets family, revision and taskDefinitionArn in it.
	JSON []byte
}

// The static credentials SetEnv configures: requests are signed with them.
const (
	AccessKeyID     = "AKIDEXAMPLE"
	SecretAccessKey = "fake-secret-for-tests"
)

// Server is a fake ECS endpoint on 127.0.0.1.
type Server struct {
	*httptest.Server
	Region  string
	Account string

	mu       sync.Mutex
	defs     map[string][]byte // family, family:revision and ARN -> taskDefinition JSON
	requests []Request
}

// SetEnv points the AWS SDK at the server for the rest of the test, with
// the static credentials above and no shared config, profile or IMDS, so
// that no AWS configuration on the machine leaks in.
func (s *Server) SetEnv(t testing.TB) {
	t.Helper()
	t.Setenv("AWS_ENDPOINT_URL_ECS", s.URL)
	fakeaws.SetStaticEnv(t, s.Region, AccessKeyID, SecretAccessKey)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
}

// Request is what the server saw, for assertions.
type Request struct {
	Target        string
	Authorization string
	Body          string
}

// New starts a server holding defs. Close it when done.
func New(region, account string, defs ...TaskDefinition) (*Server, error) {
	s := &Server{Region: region, Account: account, defs: map[string][]byte{}}
	latest := map[string]int{}
	for _, d := range defs {
		var obj map[string]any
		if err := json.Unmarshal(d.JSON, &obj); err != nil {
			return nil, fmt.Errorf("task definition %s:%d: %w", d.Family, d.Revision, err)
		}
		arn := fmt.Sprintf("arn:aws:ecs:%s:%s:task-definition/%s:%d", region, account, d.Family, d.Revision)
		obj["family"], obj["revision"], obj["taskDefinitionArn"] = d.Family, d.Revision, arn
		body, err := json.Marshal(map[string]any{"taskDefinition": obj, "tags": []any{}})
		if err != nil {
			return nil, err
		}
		s.defs[arn] = body
		s.defs[fmt.Sprintf("%s:%d", d.Family, d.Revision)] = body
		if d.Revision >= latest[d.Family] {
			latest[d.Family] = d.Revision
			s.defs[d.Family] = body
		}
	}
	srv, err := fakeaws.ServeLocal(http.HandlerFunc(s.serve))
	if err != nil {
		return nil, err
	}
	s.Server = srv
	return s, nil
}

// Requests returns the requests served so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", "reading body: "+err.Error())
		return
	}
	target := r.Header.Get("X-Amz-Target")
	auth := r.Header.Get("Authorization")
	s.mu.Lock()
	s.requests = append(s.requests, Request{Target: target, Authorization: auth, Body: string(body)})
	s.mu.Unlock()

	switch {
	case r.Method != http.MethodPost:
		writeError(w, http.StatusMethodNotAllowed, "UnknownOperationException", "only POST is supported")
	case !strings.HasPrefix(r.Header.Get("Content-Type"), contentType):
		writeError(w, http.StatusBadRequest, "SerializationException", "content type must be "+contentType)
	case !validSigV4(auth, s.Region):
		writeError(w, http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token")
	case target != targetPrefix+"DescribeTaskDefinition":
		writeError(w, http.StatusBadRequest, "UnknownOperationException", "unsupported operation "+target)
	default:
		s.describe(w, body)
	}
}

// validSigV4 checks the shape of a SigV4 Authorization header for ECS in
// the server's region. (It does not verify the signature: the point is that
// the SDK signed the request with the configured credentials.)
func validSigV4(auth, region string) bool {
	return strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=") &&
		strings.Contains(auth, "/"+region+"/ecs/aws4_request") &&
		strings.Contains(auth, "SignedHeaders=") &&
		strings.Contains(auth, "Signature=")
}

func (s *Server) describe(w http.ResponseWriter, body []byte) {
	var in struct {
		TaskDefinition string   `json:"taskDefinition"`
		Include        []string `json:"include"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.TaskDefinition == "" {
		writeError(w, http.StatusBadRequest, "ClientException", "taskDefinition is required")
		return
	}
	s.mu.Lock()
	out, ok := s.defs[in.TaskDefinition]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusBadRequest, "ClientException", "Unable to describe task definition.")
		return
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(out)
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}
