package taskdef

// String is a string value read from an input, with where it came from.
// Set is false when the key was absent (or null). Unresolved is non-empty
// when the value is a CloudFormation expression or a template placeholder
// that cannot be known statically; Value then holds the source text, never a
// guess.
type String struct {
	Value      string `json:"value,omitempty"`
	Pos        Pos    `json:"pos"`
	Set        bool   `json:"set"`
	Unresolved string `json:"unresolved,omitempty"`
	// StackResource is the logical id of the resource of the same
	// CloudFormation template that an unresolved value reads (Ref or
	// Fn::GetAtt): the stack creates it, so it exists once deployed.
	StackResource string `json:"-"`
}

// Known reports whether the value is present and resolved.
func (s String) Known() bool { return s.Set && s.Unresolved == "" }

// Int is an integer value with its source text and position. For task cpu
// and memory, Value is normalized (CPU units, MiB) and Raw keeps the input.
type Int struct {
	Value      int    `json:"value"`
	Raw        string `json:"raw,omitempty"`
	Pos        Pos    `json:"pos"`
	Set        bool   `json:"set"`
	Unresolved string `json:"unresolved,omitempty"`
}

// Known reports whether the value is present and resolved.
func (i Int) Known() bool { return i.Set && i.Unresolved == "" }

// Bool is a boolean value with its position. When Set is false, Value holds
// the ECS default for the field.
type Bool struct {
	Value      bool   `json:"value"`
	Pos        Pos    `json:"pos"`
	Set        bool   `json:"set"`
	Unresolved string `json:"unresolved,omitempty"`
}

// Strings is a list of strings (entryPoint, command, healthCheck.command).
// Values is nil when the key is absent and non-nil (possibly empty) when it
// is present, so "not set" and "set to []" stay distinct.
type Strings struct {
	Values     []string `json:"values"`
	Pos        Pos      `json:"pos"`
	Set        bool     `json:"set"`
	Unresolved string   `json:"unresolved,omitempty"`
}

// Known reports whether the list is present and fully resolved.
func (s Strings) Known() bool { return s.Set && s.Unresolved == "" }

// Field is a key seen in the input, with its position.
type Field struct {
	Name string `json:"name"`
	Pos  Pos    `json:"pos"`
}
