package taskdef

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode"
)

//go:generate go test ./ecsapi -run TestAPITypesFileMatchesSDK -update

// apiTypesJSON describes the aws-sdk-go-v2 ECS types the schemas are made
// of. It is generated from the SDK (package ecsapi's test checks that it
// matches the SDK version in go.mod), so this package validates against the
// real API without linking the SDK.
//
//go:embed apitypes.json
var apiTypesJSON []byte

// schemaKind is the JSON type a field takes.
type schemaKind int

const (
	schemaString schemaKind = iota
	schemaInt
	schemaFloat
	schemaBool
	schemaTimestamp
	schemaObject
	schemaList
	schemaMap // string keys, elem values
	schemaAny
	schemaCPUOrMemory // task-level cpu/memory: a string or a number
)

func (k schemaKind) String() string {
	return [...]string{"a string", "an integer", "a number", "a boolean", "a timestamp string", "an object", "an array", "an object", "a value", "a string or a number"}[k]
}

// schema describes the keys and types valid at one place in a document.
// Schemas are derived from the aws-sdk-go-v2 ECS types (through
// apitypes.json), so the set of keys follows the real API (the SDK's JSON
// member names are its Go field names with a lower-case first letter).
type schema struct {
	kind   schemaKind
	fields map[string]*schema // API member name -> schema (schemaObject)
	fold   map[string]string  // lower-case name -> API name (schemaObject)
	elem   *schema            // schemaList, schemaMap
	enum   []string           // allowed values of an enum string
}

func (s *schema) names() []string {
	out := make([]string, 0, len(s.fields))
	for k := range s.fields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// schemas are built once from the SDK types; they are never written after.
type schemaSet struct {
	register        *schema // RegisterTaskDefinition input
	describe        *schema // the taskDefinition object of DescribeTaskDefinition output (plus input-only keys)
	readOnly        map[string]bool
	createService   *schema
	describeService *schema
	cfnService      *schema // AWS::ECS::Service properties
	describeWrapper *schema // {"taskDefinition": ..., "tags": [...]}
	servicesWrapper *schema // {"services": [...], "failures": [...]}
}

// schemasOnce panics if the embedded file is malformed: that is a defect
// of the build, which every test of the package would show.
var schemasOnce = sync.OnceValue(func() *schemaSet {
	set, err := buildSchemas(apiTypesJSON)
	if err != nil {
		panic("taskdef: reading the embedded apitypes.json: " + err.Error())
	}
	return set
})

func buildSchemas(data []byte) (*schemaSet, error) {
	b := &schemaBuilder{memo: map[string]*schema{}}
	if err := json.Unmarshal(data, &b.types); err != nil {
		return nil, err
	}
	reg := b.build("ecs.RegisterTaskDefinitionInput")
	out := b.build("types.TaskDefinition")
	create := b.build("ecs.CreateServiceInput")
	service := b.build("types.Service")
	tags := b.build("[]types.Tag")
	runtimePlatform := b.build("types.RuntimePlatform")
	if b.err != nil {
		return nil, b.err
	}
	set := &schemaSet{readOnly: map[string]bool{}}
	for name := range out.fields {
		if _, ok := reg.fields[name]; !ok {
			set.readOnly[name] = true
		}
	}
	set.register = taskSchema(reg, runtimePlatform)
	set.describe = taskSchema(union(reg, out), runtimePlatform)
	// Service definitions take the CreateService input and the Service object
	// describe-services returns: the ECS docs' own service definition template
	// mixes them (platformFamily), and so do ecspresso files.
	set.describeService = union(create, service)
	set.createService = set.describeService
	// CloudFormation's ForceNewDeployment is an object there, a bool in UpdateService.
	set.cfnService = withField(create, "forceNewDeployment", &schema{kind: schemaAny})
	empty := &schema{kind: schemaObject, fields: map[string]*schema{}, fold: map[string]string{}}
	set.describeWrapper = withField(withField(empty, "taskDefinition", set.describe), "tags", tags)
	set.servicesWrapper = withField(withField(empty, "services", &schema{kind: schemaList, elem: set.describeService}), "failures", &schema{kind: schemaAny})
	return set, nil
}

// taskSchema adjusts a task definition schema: task cpu and memory accept
// numbers as well as strings, as ECS does, and a container definition may
// hold runtimePlatform, which ECS ignores there but real files contain; the
// reader turns it into a warning instead of an unknown-key error.
func taskSchema(s, runtimePlatform *schema) *schema {
	c := copyObject(s)
	c.fields["cpu"] = &schema{kind: schemaCPUOrMemory}
	c.fields["memory"] = &schema{kind: schemaCPUOrMemory}
	container := withField(s.fields["containerDefinitions"].elem, "runtimePlatform", runtimePlatform)
	c.fields["containerDefinitions"] = &schema{kind: schemaList, elem: container}
	return c
}

// withField returns a copy of an object schema with one more field.
func withField(s *schema, name string, f *schema) *schema {
	c := copyObject(s)
	c.fields[name] = f
	c.fold[strings.ToLower(name)] = name
	return c
}

func copyObject(s *schema) *schema {
	c := &schema{kind: schemaObject, fields: map[string]*schema{}, fold: map[string]string{}}
	for k, v := range s.fields {
		c.fields[k] = v
		c.fold[strings.ToLower(k)] = k
	}
	return c
}

func union(a, b *schema) *schema {
	c := copyObject(a)
	for k, v := range b.fields {
		if _, ok := c.fields[k]; !ok {
			c.fields[k] = v
			c.fold[strings.ToLower(k)] = k
		}
	}
	return c
}

// apiTypes is the layout of apitypes.json. A type expression is string,
// int, float, bool, timestamp, any, []E, map[string]E, or the name of an
// enum or a struct listed in the file.
type apiTypes struct {
	Structs map[string]map[string]string `json:"structs"` // name -> API member name -> type expression
	Enums   map[string][]string          `json:"enums"`   // name -> allowed values
}

// schemaBuilder turns type expressions into schemas; it keeps the first
// error so that buildSchemas checks once.
type schemaBuilder struct {
	types apiTypes
	memo  map[string]*schema // structs by name, so that shared types are built once
	err   error
}

func (b *schemaBuilder) build(expr string) *schema {
	switch expr {
	case "string":
		return &schema{kind: schemaString}
	case "int":
		return &schema{kind: schemaInt}
	case "float":
		return &schema{kind: schemaFloat}
	case "bool":
		return &schema{kind: schemaBool}
	case "timestamp":
		return &schema{kind: schemaTimestamp}
	case "any":
		return &schema{kind: schemaAny}
	}
	if elem, ok := strings.CutPrefix(expr, "[]"); ok {
		return &schema{kind: schemaList, elem: b.build(elem)}
	}
	if elem, ok := strings.CutPrefix(expr, "map[string]"); ok {
		return &schema{kind: schemaMap, elem: b.build(elem)}
	}
	if values, ok := b.types.Enums[expr]; ok {
		return &schema{kind: schemaString, enum: values}
	}
	if s, ok := b.memo[expr]; ok {
		return s
	}
	fields, ok := b.types.Structs[expr]
	if !ok {
		if b.err == nil {
			b.err = fmt.Errorf("unknown type %q", expr)
		}
		return &schema{kind: schemaAny}
	}
	s := &schema{kind: schemaObject, fields: map[string]*schema{}, fold: map[string]string{}}
	b.memo[expr] = s // before the fields: types may refer to themselves
	for name, f := range fields {
		s.fields[name] = b.build(f)
		s.fold[strings.ToLower(name)] = name
	}
	return s
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
