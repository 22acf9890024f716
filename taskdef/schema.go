package taskdef

import (
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

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
// Schemas are derived from the aws-sdk-go-v2 ECS types, so the set of keys
// follows the real API (the SDK's JSON member names are its Go field names
// with a lower-case first letter).
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

var schemasOnce = sync.OnceValue(buildSchemas)

func buildSchemas() *schemaSet {
	b := schemaBuilder{memo: map[reflect.Type]*schema{}}
	reg := b.build(reflect.TypeFor[ecs.RegisterTaskDefinitionInput]())
	out := b.build(reflect.TypeFor[types.TaskDefinition]())
	set := &schemaSet{readOnly: map[string]bool{}}
	for name := range out.fields {
		if _, ok := reg.fields[name]; !ok {
			set.readOnly[name] = true
		}
	}
	set.register = taskSchema(reg, b)
	set.describe = taskSchema(union(reg, out), b)
	create := b.build(reflect.TypeFor[ecs.CreateServiceInput]())
	// Service definitions take the CreateService input and the Service object
	// describe-services returns: the ECS docs' own service definition template
	// mixes them (platformFamily), and so do ecspresso files.
	set.describeService = union(create, b.build(reflect.TypeFor[types.Service]()))
	set.createService = set.describeService
	// CloudFormation's ForceNewDeployment is an object there, a bool in UpdateService.
	set.cfnService = withField(create, "forceNewDeployment", &schema{kind: schemaAny})
	empty := &schema{kind: schemaObject, fields: map[string]*schema{}, fold: map[string]string{}}
	set.describeWrapper = withField(withField(empty, "taskDefinition", set.describe), "tags", b.build(reflect.TypeFor[[]types.Tag]()))
	set.servicesWrapper = withField(withField(empty, "services", &schema{kind: schemaList, elem: set.describeService}), "failures", &schema{kind: schemaAny})
	return set
}

// taskSchema adjusts a task definition schema: task cpu and memory accept
// numbers as well as strings, as ECS does, and a container definition may
// hold runtimePlatform, which ECS ignores there but real files contain; the
// reader turns it into a warning instead of an unknown-key error.
func taskSchema(s *schema, b schemaBuilder) *schema {
	c := copyObject(s)
	c.fields["cpu"] = &schema{kind: schemaCPUOrMemory}
	c.fields["memory"] = &schema{kind: schemaCPUOrMemory}
	container := withField(s.fields["containerDefinitions"].elem, "runtimePlatform", b.build(reflect.TypeFor[types.RuntimePlatform]()))
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

type schemaBuilder struct {
	memo map[reflect.Type]*schema
}

func (b *schemaBuilder) build(t reflect.Type) *schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := b.memo[t]; ok {
		return s
	}
	if t == reflect.TypeFor[time.Time]() {
		return &schema{kind: schemaTimestamp}
	}
	switch t.Kind() {
	case reflect.String:
		return &schema{kind: schemaString, enum: enumValues(t)}
	case reflect.Int, reflect.Int32, reflect.Int64:
		return &schema{kind: schemaInt}
	case reflect.Float32, reflect.Float64:
		return &schema{kind: schemaFloat}
	case reflect.Bool:
		return &schema{kind: schemaBool}
	case reflect.Slice:
		return &schema{kind: schemaList, elem: b.build(t.Elem())}
	case reflect.Map:
		return &schema{kind: schemaMap, elem: b.build(t.Elem())}
	case reflect.Struct:
		s := &schema{kind: schemaObject, fields: map[string]*schema{}, fold: map[string]string{}}
		b.memo[t] = s
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Anonymous {
				continue
			}
			if f.Name == "ResultMetadata" {
				continue
			}
			name := lowerFirst(f.Name)
			s.fields[name] = b.build(f.Type)
			s.fold[strings.ToLower(name)] = name
		}
		return s
	default:
		return &schema{kind: schemaAny}
	}
}

// enumValues calls the Values method smithy generates on enum string types.
func enumValues(t reflect.Type) []string {
	m, ok := t.MethodByName("Values")
	if !ok || m.Type.NumIn() != 1 || m.Type.NumOut() != 1 || m.Type.Out(0).Kind() != reflect.Slice {
		return nil
	}
	res := m.Func.Call([]reflect.Value{reflect.New(t).Elem()})[0]
	out := make([]string, res.Len())
	for i := range out {
		out[i] = res.Index(i).String()
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
