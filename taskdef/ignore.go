package taskdef

import (
	"strings"
)

// IgnoreLabel is the dockerLabels key with which a container definition asks
// a checker not to report some rules for that container: "IC313,IC209".
const IgnoreLabel = "imgcheck.ignore"

// IgnoreMetadataKey is the key of a CloudFormation resource's Metadata
// under which the same request is written for the whole resource:
//
//	Metadata:
//	  imgcheck:
//	    ignore: [IC313, IC209]
const IgnoreMetadataKey = "imgcheck"

// Ignore is a request, written in a definition's own file, to suppress
// some rules. This package reads it and leaves the rule IDs to the
// checker: it neither knows nor validates them.
type Ignore struct {
	Rules []string `json:"rules"`
	Pos   Pos      `json:"pos"` // of the value
	Key   string   `json:"key"` // where it is written, e.g. "dockerLabels.imgcheck.ignore"
}

// Has reports whether the request names rule.
func (ig *Ignore) Has(rule string) bool {
	if ig == nil {
		return false
	}
	for _, r := range ig.Rules {
		if r == rule {
			return true
		}
	}
	return false
}

// containerIgnore reads a container's IgnoreLabel. A value that is not a
// string (an unresolved CloudFormation expression, say) is an error: a
// suppression that cannot be read must not pass silently.
func (r *taskReader) containerIgnore(c *node) *Ignore {
	labels := c.get("dockerLabels")
	v := labels.getRaw(IgnoreLabel)
	if v.isNull() {
		return nil
	}
	key := "dockerLabels." + IgnoreLabel
	if v.kind != kindString {
		r.chk.errorf(v, key, "want a string of rule IDs such as \"IC313,IC209\", got %s", describeNode(v))
		return nil
	}
	return &Ignore{Rules: splitRuleList(v.str), Pos: v.pos, Key: key}
}

// resourceIgnore reads Metadata.imgcheck.ignore of a CloudFormation
// resource: a list of rule IDs, or one string of them.
func resourceIgnore(chk *checker, resource *node, id string) *Ignore {
	md := resource.getRaw("Metadata").getRaw(IgnoreMetadataKey)
	if md.isNull() {
		return nil
	}
	path := "Resources." + id + ".Metadata." + IgnoreMetadataKey
	if md.kind != kindMap {
		chk.errorf(md, path, "want an object such as {ignore: [IC313]}, got %s", describeNode(md))
		return nil
	}
	for _, k := range md.keys {
		if k.str != "ignore" {
			chk.errorf(k, path+"."+k.str, "unknown key (imgcheck reads %q)", "ignore")
		}
	}
	v := md.getRaw("ignore")
	if v.isNull() {
		return nil
	}
	ig := &Ignore{Pos: v.pos, Key: path + ".ignore"}
	switch v.kind {
	case kindString:
		ig.Rules = splitRuleList(v.str)
	case kindSeq:
		for _, it := range v.items {
			if it.kind != kindString {
				chk.errorf(it, ig.Key, "want a rule ID such as IC313, got %s", describeNode(it))
				continue
			}
			ig.Rules = append(ig.Rules, splitRuleList(it.str)...)
		}
	default:
		chk.errorf(v, ig.Key, "want a list of rule IDs, got %s", describeNode(v))
		return nil
	}
	return ig
}

// splitRuleList splits "IC313, IC209 IC101" at commas and spaces.
func splitRuleList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}
