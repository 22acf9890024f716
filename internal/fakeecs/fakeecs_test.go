package fakeecs

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestServerProtocol(t *testing.T) {
	srv, err := New("us-east-1", "123456789012", TaskDefinition{Family: "web", Revision: 2, JSON: []byte(`{"containerDefinitions": []}`)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	signed := "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=abc"
	tests := []struct {
		name, target, auth, body string
		wantStatus               int
		wantType                 string
	}{
		{"found", targetPrefix + "DescribeTaskDefinition", signed, `{"taskDefinition":"web:2"}`, 200, ""},
		{"latest revision", targetPrefix + "DescribeTaskDefinition", signed, `{"taskDefinition":"web"}`, 200, ""},
		{"unknown", targetPrefix + "DescribeTaskDefinition", signed, `{"taskDefinition":"nope"}`, 400, "ClientException"},
		{"unsigned", targetPrefix + "DescribeTaskDefinition", "", `{"taskDefinition":"web"}`, 403, "MissingAuthenticationTokenException"},
		{"wrong region", targetPrefix + "DescribeTaskDefinition", strings.Replace(signed, "us-east-1", "eu-west-1", 1), `{"taskDefinition":"web"}`, 403, "MissingAuthenticationTokenException"},
		{"other operation", targetPrefix + "ListClusters", signed, `{}`, 400, "UnknownOperationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", contentType)
			req.Header.Set("X-Amz-Target", tt.target)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || (tt.wantType != "" && body["__type"] != tt.wantType) {
				t.Errorf("status %d body %v, want %d %s", resp.StatusCode, body, tt.wantStatus, tt.wantType)
			}
			if tt.wantStatus == 200 {
				td, _ := body["taskDefinition"].(map[string]any)
				if td["taskDefinitionArn"] != "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2" {
					t.Errorf("taskDefinition %v", td)
				}
			}
		})
	}
	if n := len(srv.Requests()); n != len(tests) {
		t.Errorf("recorded %d requests, want %d", n, len(tests))
	}
}
