package verify

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// runFamily runs one task-level rule family on its own.
func runFamily(f taskFacts, family func(*checker)) []Finding {
	c := &checker{facts: &f}
	family(c)
	return c.findings
}

var ruleIDPattern = regexp.MustCompile(`^IC\d{3}$`)

// packageSources parses the package's non-test files.
func packageSources(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatal("no package sources found: the test does not check anything")
	}
	return fset, files
}

// An unknown rule ID must not ship: every ID the code uses is in ruleTable
// (newFinding would panic on it), and every rule in the table is used.
func TestRuleIDsInCodeAreInTheTable(t *testing.T) {
	fset, files := packageSources(t)
	used := map[string]bool{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok && slices.ContainsFunc(vs.Names, func(id *ast.Ident) bool { return id.Name == "ruleTable" }) {
				return false // the table itself is not a use
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !ruleIDPattern.MatchString(s) {
				return true
			}
			used[s] = true
			if _, ok := LookupRule(s); !ok {
				t.Errorf("%s: rule %s is not in ruleTable", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
	for _, r := range Rules() {
		if !used[r.ID] {
			t.Errorf("rule %s is in ruleTable but no code reports it", r.ID)
		}
	}
}

// Rule ID and severity come from the table through newFinding: no finding
// literal in the package sets them by hand.
func TestFindingsTakeSeverityFromTheTable(t *testing.T) {
	fset, files := packageSources(t)
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if fn, ok := n.(*ast.FuncDecl); ok && fn.Name.Name == "newFinding" {
				return false
			}
			switch n := n.(type) {
			case *ast.CompositeLit:
				for _, lit := range findingLiterals(n) {
					for _, el := range lit.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok {
							t.Errorf("%s: unkeyed Finding literal", fset.Position(lit.Pos()))
							continue
						}
						if k, ok := kv.Key.(*ast.Ident); ok && (k.Name == "Severity" || k.Name == "RuleID") {
							t.Errorf("%s: a finding literal sets %s; pass the rule ID to newFinding or checker.add instead", fset.Position(kv.Pos()), k.Name)
						}
					}
				}
			case *ast.AssignStmt:
				for _, lhs := range n.Lhs {
					if sel, ok := lhs.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Severity" || sel.Sel.Name == "RuleID") {
						t.Errorf("%s: assignment to %s outside newFinding", fset.Position(n.Pos()), sel.Sel.Name)
					}
				}
			}
			return true
		})
	}
}

// findingLiterals returns lit if it is a Finding, or the Finding elements
// of a []Finding literal (whose element type is elided).
func findingLiterals(lit *ast.CompositeLit) []*ast.CompositeLit {
	isFinding := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		return ok && id.Name == "Finding"
	}
	if isFinding(lit.Type) {
		return []*ast.CompositeLit{lit}
	}
	var out []*ast.CompositeLit
	if at, ok := lit.Type.(*ast.ArrayType); ok && isFinding(at.Elt) {
		for _, el := range lit.Elts {
			if inner, ok := el.(*ast.CompositeLit); ok && inner.Type == nil {
				out = append(out, inner)
			}
		}
	}
	return out
}

func TestNewFinding(t *testing.T) {
	for _, r := range Rules() {
		f := newFinding(r.ID, Finding{Message: "m", Fix: "x"})
		if f.RuleID != r.ID || f.Severity != r.Severity || f.Message != "m" || f.Fix != "x" {
			t.Errorf("newFinding(%s) = %+v, want the table's ID and severity %s and the given text", r.ID, f, r.Severity)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("newFinding accepted a rule that is not in the table")
		}
	}()
	newFinding("IC999", Finding{})
}

// A subject that names a container the task definition does not have
// cannot be verified: it is a problem (exit 2), not a check of an empty
// container definition.
func TestSubjectForUnknownContainerIsAProblem(t *testing.T) {
	td := parseTask(t, taskJSON("X86_64", "registry.invalid/app:v1", ""))
	r := Run(context.Background(), Input{TaskDef: td, Subjects: []Subject{{Container: "sidecar", Ref: "registry.invalid/app:v1"}}},
		Options{FailOn: Error})
	if r.Verdict != VerdictCouldNotVerify || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, `no container "sidecar"`) {
		t.Fatalf("verdict %s, errors %+v; want could not verify naming the unknown container", r.Verdict, r.Errors)
	}
	if r.Errors[0].Container != "sidecar" || len(r.Targets) != 0 {
		t.Errorf("problem %+v, targets %+v; want the problem on container sidecar and no target", r.Errors[0], r.Targets)
	}
}
