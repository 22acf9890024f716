package taskdef

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgcheck/imgcheck/internal/corpus"
)

// modelWithoutImages renders a task definition for comparison, images and
// the source left out.
func modelWithoutImages(t *testing.T, td *TaskDefinition) string {
	t.Helper()
	c := *td
	c.Source = Source{}
	c.ReadOnlyFields = nil
	c.Containers = append([]Container(nil), td.Containers...)
	for i := range c.Containers {
		c.Containers[i].Image = String{}
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRewriteImagesRoundTrip(t *testing.T) {
	dir := corpus.TaskdefsDir(t)
	tests := []struct {
		file, container string
		opts            LoadOptions
		wantSame        bool // every byte but the image is unchanged
	}{
		{file: "aws-docs-fargate-linux-httpd-webserver.json", container: "sample-fargate-app", wantSame: true},
		{file: "kayac-ecspresso-ci-task-def-must-env.json", container: "bash", wantSame: true},
		{file: "aws-samples-ecs-refarch-cloudformation-website-service.yaml", container: "website-service", wantSame: true},
		{file: "aws-docs-cfn-cluster-taskdef-service.json", container: "sample-fargate-app", wantSame: true},
		{file: "abdelali12-codes-ecs-opentelemetry-describe-output.json", container: "ci-coordinator"},
		{file: "alexdiru-rust-backend-aws-hostport-mismatch.json", container: "rust-backend"},
	}
	const pinned = "registry.example/app@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			td, err := Load(context.Background(), filepath.Join(dir, tt.file), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			out, err := td.RewriteImages(map[string]string{tt.container: pinned})
			if err != nil {
				t.Fatal(err)
			}
			again, err := Parse(td.Source.File, out, tt.opts)
			if err != nil {
				t.Fatalf("rewritten file does not load: %v\n%s", err, out)
			}
			var got String
			for _, c := range again.Containers {
				if c.Name.Value == tt.container {
					got = c.Image
				}
			}
			if got.Value != pinned {
				t.Fatalf("image after rewrite = %+v", got)
			}
			if tt.wantSame {
				var old String
				for _, c := range td.Containers {
					if c.Name.Value == tt.container {
						old = c.Image
					}
				}
				li := newLineIndex("", td.doc.data)
				start := li.offset(old.Pos.Line, old.Pos.Column)
				before := string(td.doc.data[:start])
				if !strings.HasPrefix(string(out), before) || !strings.HasSuffix(string(out), string(td.doc.data[start+len(jsonString(old.Value)):])) {
					t.Errorf("bytes other than the image changed")
				}
				if modelWithoutImages(t, td) != modelWithoutImages(t, again) {
					t.Errorf("model changed beyond the image")
				}
				return
			}
			// describe output becomes register input without read-only fields.
			if again.Source.Shape != ShapeRegister || len(again.ReadOnlyFields) != 0 {
				t.Errorf("rewritten describe output: shape %s, read-only %v", again.Source.Shape, again.ReadOnlyFields)
			}
			if bytes.Contains(out, []byte("taskDefinitionArn")) || bytes.Contains(out, []byte("registeredAt")) {
				t.Errorf("read-only fields left in:\n%s", out)
			}
			if again.CPU.Value != td.CPU.Value || again.Memory.Value != td.Memory.Value || len(again.Containers) != len(td.Containers) {
				t.Errorf("content changed: cpu %v -> %v", td.CPU, again.CPU)
			}
		})
	}
}

func TestRewriteImagesYAMLStyles(t *testing.T) {
	src := "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n" +
		"        - {Name: a, Image: nginx:1}\n" +
		"        - Name: b\n          Image: \"redis:7\" # cache\n" +
		"        - Name: c\n          Image: 'app:it''s'\n"
	td := mustParse(t, "t.yaml", src, LoadOptions{})
	out, err := td.RewriteImages(map[string]string{"a": "nginx@sha256:aa", "b": "redis@sha256:bb", "c": "app@sha256:cc"})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer("Image: nginx:1}", "Image: nginx@sha256:aa}", `"redis:7"`, `"redis@sha256:bb"`, `'app:it''s'`, `'app@sha256:cc'`).Replace(src)
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}

func TestRewriteImagesRefusals(t *testing.T) {
	src := "Parameters:\n  Img: {Type: String, Default: nginx}\nResources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          Image: !Ref Img\n"
	td := mustParse(t, "t.yaml", src, LoadOptions{})
	if _, err := td.RewriteImages(map[string]string{"a": "x"}); err == nil || !strings.Contains(err.Error(), "t.yaml:9:18: image of container a is a CloudFormation expression") {
		t.Errorf("expression image: %v", err)
	}
	if _, err := td.RewriteImages(map[string]string{"web": "x"}); err == nil || !strings.Contains(err.Error(), `no container named "web"`) {
		t.Errorf("unknown container: %v", err)
	}
}
