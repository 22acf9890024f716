package taskdef

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/imgcheck/imgcheck/internal/suggest"
)

// DefaultMaxBytes is the largest input accepted unless LoadOptions says
// otherwise. Real task definitions are a few KiB; CloudFormation templates
// are capped by AWS at 1 MB.
const DefaultMaxBytes = 4 << 20

// LoadOptions tune reading.
type LoadOptions struct {
	// Params are CloudFormation parameter values (and pseudo parameters such
	// as AWS::Region or AWS::AccountId); they win over Parameter defaults.
	Params map[string]string
	// Resource picks a CloudFormation resource by logical id (or, for
	// describe-services output, a service by name) when there are several.
	Resource string
	// MaxBytes bounds the input size; 0 means DefaultMaxBytes.
	MaxBytes int64
}

func (o LoadOptions) maxBytes() int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes
}

// document is a parsed input file, kept so a pinned copy can be written in
// the same shape.
type document struct {
	file   string
	data   []byte
	format string // "json" or "yaml"
	root   *node
	shape  Shape
	task   *node // the task definition object within root (after resolution for CloudFormation)
}

// Load reads a task definition file in any supported shape.
func Load(ctx context.Context, path string, opts LoadOptions) (*TaskDefinition, error) {
	data, err := readBounded(ctx, path, opts.maxBytes())
	if err != nil {
		return nil, err
	}
	return Parse(path, data, opts)
}

// LoadService reads a service definition file in any supported shape.
func LoadService(ctx context.Context, path string, opts LoadOptions) (*Service, error) {
	data, err := readBounded(ctx, path, opts.maxBytes())
	if err != nil {
		return nil, err
	}
	return ParseService(path, data, opts)
}

func readBounded(ctx context.Context, path string, limit int64) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: file is larger than %d bytes; refusing to read it", path, limit)
	}
	return data, nil
}

// Parse reads a task definition from data; name is used in positions.
func Parse(name string, data []byte, opts LoadOptions) (*TaskDefinition, error) {
	doc, err := parseDocument(name, data, opts)
	if err != nil {
		return nil, err
	}
	return taskOf(doc, opts)
}

// taskOf reads the task definition of a parsed document.
func taskOf(doc *document, opts LoadOptions) (*TaskDefinition, error) {
	switch doc.shape {
	case ShapeCloudFormation:
		t, err := readTemplate(doc.root, opts)
		if err != nil {
			return nil, err
		}
		id, err := t.pick(doc.file, cfnTaskDefinitionType, opts.Resource)
		if err != nil {
			return nil, err
		}
		return cfnTask(doc, t, id)
	case ShapeRegister, ShapeDescribe, ShapeLive:
		return apiTask(doc)
	case ShapeEcspresso:
		return nil, fmt.Errorf("%s: this is an ecspresso configuration, not a task definition", doc.file)
	}
	return nil, fmt.Errorf("%s: this is a service definition (%s), not a task definition", doc.file, doc.shape)
}

// ParseService reads a service definition from data.
func ParseService(name string, data []byte, opts LoadOptions) (*Service, error) {
	doc, err := parseDocument(name, data, opts)
	if err != nil {
		return nil, err
	}
	return serviceOfDocument(doc, opts)
}

// serviceOfDocument reads the service definition of a parsed document.
func serviceOfDocument(doc *document, opts LoadOptions) (*Service, error) {
	switch doc.shape {
	case ShapeCloudFormation:
		t, err := readTemplate(doc.root, opts)
		if err != nil {
			return nil, err
		}
		id, err := t.pick(doc.file, cfnServiceType, opts.Resource)
		if err != nil {
			return nil, err
		}
		return cfnService(doc, t, id)
	case ShapeCreateService, ShapeDescribeServices:
		return apiService(doc, opts)
	case ShapeEcspresso:
		return nil, fmt.Errorf("%s: this is an ecspresso configuration, not a service definition", doc.file)
	}
	return nil, fmt.Errorf("%s: this is a task definition (%s), not a service definition", doc.file, doc.shape)
}

func parseDocument(name string, data []byte, opts LoadOptions) (*document, error) {
	if int64(len(data)) > opts.maxBytes() {
		return nil, fmt.Errorf("%s: input is larger than %d bytes; refusing to read it", name, opts.maxBytes())
	}
	doc := &document{file: name, data: data, format: formatOf(name, data)}
	var err error
	if doc.format == "json" {
		doc.root, err = parseJSON(name, data)
	} else {
		doc.root, err = parseYAML(name, data)
	}
	if err != nil {
		return nil, err
	}
	doc.shape, err = detectShape(name, doc.root)
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// formatOf decides JSON or YAML: by extension, else by the first character.
func formatOf(name string, data []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return "json"
	case ".yaml", ".yml":
		return "yaml"
	}
	trimmed := strings.TrimLeft(string(data[:min(len(data), 4096)]), " \t\r\n\ufeff")
	if strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[") {
		return "json"
	}
	return "yaml"
}

// shapeMarkers are the top-level keys that identify a shape.
var shapeMarkers = []string{"containerDefinitions", "taskDefinition", "Resources", "services", "serviceName", "capacityProviderStrategy", "launchType"}

func detectShape(name string, root *node) (Shape, error) {
	if root.kind != kindMap {
		return "", &Error{Pos: root.pos, Msg: fmt.Sprintf("the top-level value is %s; want an object (a task definition, service definition or CloudFormation template)", root.kind)}
	}
	has := func(k string) *node { return root.getRaw(k) }
	switch {
	case has("Resources") != nil || has("AWSTemplateFormatVersion") != nil:
		return ShapeCloudFormation, nil
	case has("containerDefinitions") != nil:
		for _, k := range root.keys {
			if schemasOnce().readOnly[k.str] {
				return ShapeDescribe, nil
			}
		}
		return ShapeRegister, nil
	case has("taskDefinition") != nil && has("taskDefinition").kind == kindMap:
		return ShapeDescribe, nil
	case has("services") != nil:
		return ShapeDescribeServices, nil
	case has("task_definition") != nil || has("service_definition") != nil:
		// Before the service keys: an ecspresso.yml also has cluster.
		return ShapeEcspresso, nil
	}
	for _, k := range []string{"serviceName", "taskDefinition", "launchType", "capacityProviderStrategy", "desiredCount", "loadBalancers", "cluster"} {
		if has(k) != nil {
			return ShapeCreateService, nil
		}
	}
	for _, k := range root.keys {
		if s := suggest.Closest(k.str, shapeMarkers); s != "" && s != k.str {
			return "", &Error{Pos: k.pos, Key: k.str, Msg: fmt.Sprintf("cannot tell what this file is: unknown key (did you mean %s?)", s)}
		}
	}
	return "", &Error{Pos: root.pos, Msg: "cannot tell what this file is: want containerDefinitions (task definition), taskDefinition (describe-task-definition output), Resources (CloudFormation), services (describe-services output) or a service definition"}
}

// apiTask reads register input or describe output.
func apiTask(doc *document) (*TaskDefinition, error) {
	set := schemasOnce()
	chk := &checker{}
	tdNode := doc.root
	if doc.root.getRaw("containerDefinitions") == nil {
		chk.check(doc.root, set.describeWrapper, "")
		tdNode = doc.root.get("taskDefinition")
	} else if doc.shape == ShapeRegister {
		chk.check(tdNode, set.register, "")
	} else {
		chk.check(tdNode, set.describe, "")
	}
	if len(chk.errs) > 0 {
		return nil, chk.errs
	}
	r := &taskReader{chk: chk, readOnly: set.readOnly}
	td := r.task(tdNode, doc.shape)
	if len(chk.errs) > 0 {
		return nil, chk.errs
	}
	td.Source = Source{File: doc.file, Shape: doc.shape, Format: doc.format}
	td.Warnings = chk.warns
	doc.task = tdNode
	td.doc = doc
	return td, nil
}

// apiService reads CreateService input or DescribeServices output.
func apiService(doc *document, opts LoadOptions) (*Service, error) {
	set := schemasOnce()
	chk := &checker{}
	svcNode := doc.root
	if doc.shape == ShapeDescribeServices {
		chk.check(doc.root, set.servicesWrapper, "")
		if len(chk.errs) > 0 {
			return nil, chk.errs
		}
		var err error
		if svcNode, err = pickService(doc, opts.Resource); err != nil {
			return nil, err
		}
	} else {
		chk.check(svcNode, set.createService, "")
	}
	if len(chk.errs) > 0 {
		return nil, chk.errs
	}
	svc := serviceOf(svcNode)
	svc.Source = Source{File: doc.file, Shape: doc.shape, Format: doc.format}
	svc.Warnings = chk.warns
	return svc, nil
}

func pickService(doc *document, want string) (*node, error) {
	list := items(doc.root.get("services"))
	var names []string
	for _, s := range list {
		name := stringOf(s.get("serviceName")).Value
		if want != "" && name == want {
			return s, nil
		}
		names = append(names, name)
	}
	switch {
	case want != "":
		return nil, fmt.Errorf("%s: no service %q (services: %s)", doc.file, want, listOrNone(names))
	case len(list) == 1:
		return list[0], nil
	case len(list) == 0:
		return nil, errors.New(doc.file + ": describe-services output holds no service")
	}
	return nil, fmt.Errorf("%s: %d services (%s); %w", doc.file, len(list), strings.Join(names, ", "), ErrAmbiguous)
}
