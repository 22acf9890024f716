package koconfig

import (
	"fmt"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/imgcheck/imgcheck/internal/suggest"
)

// Parse parses the contents of a .ko.yaml; name is used in error messages.
func Parse(name string, data []byte) (*Config, error) {
	p := parser{file: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	cfg := &Config{Path: name}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return cfg, nil // empty file
	}
	root := resolve(doc.Content[0])
	if isNull(root) {
		return cfg, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, p.errorf(root, "", "the top level must be a mapping of settings, not %s", kindName(root))
	}
	err := p.eachKey(root, topLevelKeys, koOnlyTopLevelKeys, func(key string, v *yaml.Node) error {
		var err error
		switch key {
		case "defaultBaseImage":
			cfg.DefaultBaseImage, err = p.str(key, v)
		case "baseImageOverrides":
			cfg.BaseImageOverrides, err = p.stringMap(key, v)
		// ko reads the top-level lists with viper's GetStringSlice, which
		// splits a single string at white space.
		case "defaultPlatforms":
			cfg.DefaultPlatforms, err = p.list(key, v, splitPlatforms)
		case "defaultEnv":
			cfg.DefaultEnv, err = p.list(key, v, fields)
		case "defaultFlags":
			cfg.DefaultFlags, err = p.list(key, v, fields)
		case "defaultLdflags":
			cfg.DefaultLdflags, err = p.list(key, v, fields)
		case "builds":
			cfg.Builds, err = p.builds(v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

type parser struct{ file string }

func (p parser) errorf(n *yaml.Node, key, format string, args ...any) error {
	where := fmt.Sprintf("%s:%d:%d", p.file, n.Line, n.Column)
	if key != "" {
		where += ": " + key
	}
	return fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...))
}

// eachKey walks a mapping, refusing duplicate, unsupported and unknown keys,
// and calls fn with the canonical spelling of each supported key.
func (p parser) eachKey(m *yaml.Node, known, koOnly []string, fn func(string, *yaml.Node) error) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn, v := resolve(m.Content[i]), resolve(m.Content[i+1])
		if kn.Kind != yaml.ScalarNode {
			return p.errorf(kn, "", "a key must be a plain string, not %s", kindName(kn))
		}
		key, ok := canonicalKey(kn.Value, known)
		if !ok {
			if k, ko := canonicalKey(kn.Value, koOnly); ko {
				return p.errorf(kn, k, "ko supports this key but imgcheck does not yet; remove it or build with ko (see docs/build.md)")
			}
			if s := suggest.Closest(kn.Value, known, koOnly); s != "" {
				return p.errorf(kn, kn.Value, "unknown key (did you mean %q?)", s)
			}
			return p.errorf(kn, kn.Value, "unknown key (supported: %s)", strings.Join(known, ", "))
		}
		if seen[key] {
			return p.errorf(kn, key, "key appears twice")
		}
		seen[key] = true
		if err := fn(key, v); err != nil {
			return err
		}
	}
	return nil
}

func (p parser) builds(v *yaml.Node) ([]Build, error) {
	if isNull(v) {
		return nil, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, p.errorf(v, "builds", "want a list of builds, got %s", kindName(v))
	}
	var out []Build
	for i, item := range v.Content {
		item = resolve(item)
		if item.Kind != yaml.MappingNode {
			return nil, p.errorf(item, fmt.Sprintf("builds[%d]", i), "want a mapping with id, dir, main, env, flags, ldflags, linux_capabilities; got %s", kindName(item))
		}
		b := Build{Line: item.Line}
		err := p.eachKey(item, buildKeys, koOnlyBuildKeys, func(key string, v *yaml.Node) error {
			var err error
			label := fmt.Sprintf("builds[%d].%s", i, key)
			switch key {
			case "id":
				b.ID, err = p.str(label, v)
			case "dir":
				b.Dir, err = p.str(label, v)
			case "main":
				b.Main, err = p.str(label, v)
			// ko decodes builds[] with mapstructure: env ([]string) lifts a
			// single string into a list of one, ldflags (StringArray) keeps
			// it whole, flags and linux_capabilities (FlagArray) split it
			// at white space.
			case "env":
				b.Env, err = p.list(label, v, single)
			case "flags":
				b.Flags, err = p.list(label, v, fields)
			case "ldflags":
				b.Ldflags, err = p.list(label, v, single)
			case "linux_capabilities":
				err = p.capabilities(label, v, &b)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func (p parser) str(key string, v *yaml.Node) (string, error) {
	if isNull(v) {
		return "", nil
	}
	if v.Kind != yaml.ScalarNode {
		return "", p.errorf(v, key, "want a string, got %s", kindName(v))
	}
	return v.Value, nil
}

// list reads a list of strings. A single string is turned into a list by
// fromScalar, with the rule ko applies to that key.
func (p parser) list(key string, v *yaml.Node, fromScalar func(string) ([]string, error)) ([]string, error) {
	if isNull(v) {
		return []string{}, nil
	}
	if v.Kind == yaml.ScalarNode {
		out, err := fromScalar(v.Value)
		if err != nil {
			return nil, p.errorf(v, key, "%v", err)
		}
		return out, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, p.errorf(v, key, "want a list of strings, got %s", kindName(v))
	}
	out := make([]string, 0, len(v.Content))
	for _, item := range v.Content {
		item = resolve(item)
		if item.Kind != yaml.ScalarNode || isNull(item) {
			return nil, p.errorf(item, key, "want a string list item, got %s", kindName(item))
		}
		out = append(out, item.Value)
	}
	return out, nil
}

func (p parser) stringMap(key string, v *yaml.Node) (map[string]string, error) {
	if isNull(v) {
		return map[string]string{}, nil
	}
	if v.Kind != yaml.MappingNode {
		return nil, p.errorf(v, key, "want a mapping of import path to image, got %s", kindName(v))
	}
	out := make(map[string]string, len(v.Content)/2)
	for i := 0; i+1 < len(v.Content); i += 2 {
		kn, vn := resolve(v.Content[i]), resolve(v.Content[i+1])
		if kn.Kind != yaml.ScalarNode || vn.Kind != yaml.ScalarNode || isNull(vn) {
			return nil, p.errorf(kn, key, "want import path: image reference, got %s: %s", kindName(kn), kindName(vn))
		}
		// ko (through viper) compares import paths without case.
		k := strings.ToLower(kn.Value)
		if _, dup := out[k]; dup {
			return nil, p.errorf(kn, key+"."+kn.Value, "import path appears twice")
		}
		out[k] = vn.Value
	}
	return out, nil
}

// resolve follows an alias to the node it names. Aliases are one level deep
// in every shape this file accepts, so following them cannot blow up.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; i < 8 && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "null"
		}
		// Not the value itself: a misplaced KEY=secret must not be echoed.
		return "a single value"
	case yaml.AliasNode:
		return "an alias"
	}
	return "an empty document"
}

// splitPlatforms splits a single-string defaultPlatforms at white space
// (viper) and commas (ko splits a one-element platform list at commas).
func splitPlatforms(s string) ([]string, error) {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }), nil
}

// fields splits a single string at white space, as ko does for the keys
// that take flags. A template whose action holds spaces ("{{ .Env.V }}")
// would be cut apart and fail in ko too: say so here, with the fix.
func fields(s string) ([]string, error) {
	out := strings.Fields(s)
	for i, f := range out {
		if strings.Count(f, "{{") != strings.Count(f, "}}") {
			// The value is not echoed: it may be a secret.
			return nil, fmt.Errorf("ko splits a single string at spaces, which cuts a {{ }} template apart (at word %d); write the value as a list", i+1)
		}
	}
	return out, nil
}

// single keeps a single string whole, as one list item.
func single(s string) ([]string, error) { return []string{s}, nil }
