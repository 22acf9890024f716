package taskdef

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestIgnoreRequests(t *testing.T) {
	td := mustParse(t, "td.json", `{"family":"app","containerDefinitions":[
  {"name":"app","image":"app:v1","dockerLabels":{"imgcheck.ignore":"IC313, IC209","team":"x"}},
  {"name":"side","image":"side:v1"}]}`, LoadOptions{})
	ig := td.Containers[0].Ignore
	if ig == nil || !slices.Equal(ig.Rules, []string{"IC313", "IC209"}) || ig.Pos.Line != 2 || ig.Key != "dockerLabels.imgcheck.ignore" {
		t.Fatalf("container ignore = %+v", ig)
	}
	if !ig.Has("IC209") || ig.Has("IC101") || td.Containers[1].Ignore.Has("IC313") {
		t.Error("Has answers wrongly")
	}

	tmpl := `Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Metadata:
      imgcheck:
        ignore: [IC313, "IC305,IC306"]
    Properties:
      Family: app
      ContainerDefinitions:
        - Name: app
          Image: app:v1
`
	cfn := mustParse(t, "stack.yaml", tmpl, LoadOptions{})
	if cfn.Ignore == nil || !slices.Equal(cfn.Ignore.Rules, []string{"IC313", "IC305", "IC306"}) || cfn.Ignore.Pos.Line != 6 {
		t.Fatalf("metadata ignore = %+v", cfn.Ignore)
	}
	svc, err := ParseService("svc.yaml", []byte(`Resources:
  Svc:
    Type: AWS::ECS::Service
    Metadata:
      imgcheck:
        ignore: IC306
    Properties:
      ServiceName: web
`), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !svc.Ignore.Has("IC306") {
		t.Errorf("service metadata ignore = %+v", svc.Ignore)
	}
}

// A suppression that cannot be read is an error, never silently dropped.
func TestIgnoreMalformed(t *testing.T) {
	for name, src := range map[string]string{
		"label not a string":     `{"family":"a","containerDefinitions":[{"name":"a","image":"a","dockerLabels":{"imgcheck.ignore":["IC313"]}}]}`,
		"metadata not an object": "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Metadata:\n      imgcheck: IC313\n    Properties:\n      Family: a\n",
		"metadata unknown key":   "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Metadata:\n      imgcheck:\n        ingore: [IC313]\n    Properties:\n      Family: a\n",
		"metadata wrong item":    "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Metadata:\n      imgcheck:\n        ignore: [{a: b}]\n    Properties:\n      Family: a\n",
	} {
		t.Run(name, func(t *testing.T) {
			file := "td.json"
			if strings.HasPrefix(src, "Resources") {
				file = "stack.yaml"
			}
			_, err := Parse(file, []byte(src), LoadOptions{})
			var errs Errors
			if !errors.As(err, &errs) || !strings.Contains(err.Error(), "imgcheck") {
				t.Fatalf("err = %v, want a positioned error naming the imgcheck key", err)
			}
		})
	}
}
