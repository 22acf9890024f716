package online

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// ECSTasksPrincipal is the service principal ECS assumes task and
// execution roles as.
const ECSTasksPrincipal = "ecs-tasks.amazonaws.com"

// ErrUndecidable: a trust policy uses a form this evaluator does not judge
// (NotAction or NotPrincipal in an Allow); the check cannot decide.
var ErrUndecidable = errors.New("the trust policy cannot be judged")

// TrustsService reports whether a role's trust policy (as IAM returns it,
// URL-encoded JSON, or plain JSON) lets the service principal service call
// sts:AssumeRole: an Allow statement names it (or "*") for an action that
// matches sts:AssumeRole, and no Deny statement does. Conditions are not
// evaluated: ECS satisfies the usual aws:SourceAccount and aws:SourceArn
// ones, and a condition it does not satisfy cannot be known from here.
func TrustsService(policy, service string) (bool, error) {
	doc, err := decodePolicy(policy)
	if err != nil {
		return false, err
	}
	allowed := false
	for i, st := range doc.Statement {
		if strings.EqualFold(st.Effect, "Deny") {
			if st.applies("sts:AssumeRole", service) {
				return false, nil
			}
			continue
		}
		if len(st.NotAction) > 0 || st.NotPrincipal != nil {
			if strings.EqualFold(st.Effect, "Allow") {
				return false, fmt.Errorf("statement %d uses NotAction or NotPrincipal: %w", i+1, ErrUndecidable)
			}
			continue
		}
		if strings.EqualFold(st.Effect, "Allow") && st.applies("sts:AssumeRole", service) {
			allowed = true
		}
	}
	return allowed, nil
}

// applies reports whether the statement covers action by service. A
// NotAction or NotPrincipal covers everything it does not name: a Deny of
// all principals but one account denies the service too.
func (st statement) applies(action, service string) bool {
	actionCovered := st.Action.matches(action)
	if len(st.NotAction) > 0 {
		actionCovered = !st.NotAction.matches(action)
	}
	principalCovered := st.Principal.names(service)
	if st.NotPrincipal != nil {
		principalCovered = !st.NotPrincipal.names(service)
	}
	return actionCovered && principalCovered
}

type policyDocument struct {
	Statement statements
}

type statement struct {
	Effect       string
	Principal    principal
	NotPrincipal *principal
	Action       stringOrList
	NotAction    stringOrList
}

// decodePolicy reads a policy document, URL-decoding it first when it is
// not plain JSON.
func decodePolicy(policy string) (policyDocument, error) {
	text := strings.TrimSpace(policy)
	if !strings.HasPrefix(text, "{") {
		decoded, err := url.PathUnescape(text)
		if err != nil {
			return policyDocument{}, fmt.Errorf("decoding the trust policy: %w", err)
		}
		text = decoded
	}
	var doc policyDocument
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return policyDocument{}, fmt.Errorf("reading the trust policy: %w", err)
	}
	return doc, nil
}

// statements is Statement: one object or a list of them.
type statements []statement

func (s *statements) UnmarshalJSON(b []byte) error {
	if strings.HasPrefix(strings.TrimSpace(string(b)), "{") {
		var one statement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = statements{one}
		return nil
	}
	var list []statement
	err := json.Unmarshal(b, &list)
	*s = list
	return err
}

// stringOrList is a policy value that is one string or a list of them.
type stringOrList []string

func (l *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = stringOrList{one}
		return nil
	}
	var list []string
	err := json.Unmarshal(b, &list)
	*l = list
	return err
}

func (l stringOrList) matches(action string) bool {
	for _, pattern := range l {
		if wildcardMatch(strings.ToLower(pattern), strings.ToLower(action)) {
			return true
		}
	}
	return false
}

// principal is Principal: "*" or an object of principal types, each with
// one or more values.
type principal struct {
	any      bool
	services stringOrList
}

func (p *principal) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		p.any = star == "*"
		return nil
	}
	var m map[string]stringOrList
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	p.services = m["Service"]
	// {"AWS": "*"} is the same as "*": every principal, services too.
	p.any = slices.Contains(m["AWS"], "*")
	return nil
}

func (p principal) names(service string) bool {
	if p.any {
		return true
	}
	for _, s := range p.services {
		if s == "*" || strings.EqualFold(s, service) {
			return true
		}
	}
	return false
}

// wildcardMatch matches s against an IAM pattern in which * is any run of
// characters and ? any one character.
func wildcardMatch(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if wildcardMatch(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
		}
		pattern, s = pattern[1:], s[1:]
	}
	return s == ""
}
