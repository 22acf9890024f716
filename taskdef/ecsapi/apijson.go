package ecsapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"time"
	"unicode"
)

// maxDepth bounds the nesting of an encoded value; ECS responses are a few
// levels deep, so this only stops a runaway.
const maxDepth = 64

// apiJSON encodes SDK values the way the ECS API and the AWS CLI show them:
// camelCase member names, unset members left out, timestamps as RFC 3339.
// (The SDK types carry no JSON tags, so encoding/json would use Go names.)
func apiJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeAPIValue(&buf, reflect.ValueOf(v), 0); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

func writeAPIValue(buf *bytes.Buffer, v reflect.Value, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("value nested deeper than %d levels", maxDepth)
	}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		v = v.Elem()
	}
	if t, ok := v.Interface().(time.Time); ok {
		return writeJSON(buf, t.Format(time.RFC3339Nano))
	}
	switch v.Kind() {
	case reflect.Struct:
		buf.WriteByte('{')
		first := true
		for i := range v.NumField() {
			f := v.Type().Field(i)
			fv := v.Field(i)
			if !f.IsExported() || f.Anonymous || f.Name == "ResultMetadata" || isUnset(fv) {
				continue
			}
			if !first {
				buf.WriteByte(',')
			}
			first = false
			_ = writeJSON(buf, lowerFirst(f.Name))
			buf.WriteByte(':')
			if err := writeAPIValue(buf, fv, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			_ = writeJSON(buf, k.String())
			buf.WriteByte(':')
			if err := writeAPIValue(buf, v.MapIndex(k), depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case reflect.Slice, reflect.Array:
		buf.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeAPIValue(buf, v.Index(i), depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case reflect.String:
		return writeJSON(buf, v.String())
	default:
		return writeJSON(buf, v.Interface())
	}
	return nil
}

// isUnset reports whether a member was not set: nil pointers, slices and
// maps, and empty enum strings.
func isUnset(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	case reflect.String:
		return v.String() == ""
	}
	return false
}

func writeJSON(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode adds a newline
	return nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}
