package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/imgcheck/imgcheck"

// pkg is what go list reports of one package. Deps is the transitive
// closure of its (non-test) imports.
type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// rule forbids the packages it applies to from depending on some
// packages, directly or through any other package.
type rule struct {
	name      string
	appliesTo func(path string) bool
	forbids   func(dep string) bool
}

// under reports whether path is prefix or a package below it.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

var rules = []rule{
	{
		// The SDK enters only through the injected implementations:
		// registry/ecr (ECR keychain), taskdef/ecsapi (ECS describer),
		// online/awsonline (verify --online lookups) and build/ecrrepo
		// (repository creation), which the commands choose.
		name: "image, registry, taskdef, verify and online do not link the AWS SDK",
		appliesTo: func(p string) bool {
			return under(p, module+"/image") || under(p, module+"/verify") ||
				(under(p, module+"/registry") && !under(p, module+"/registry/ecr")) ||
				(under(p, module+"/taskdef") && !under(p, module+"/taskdef/ecsapi")) ||
				(under(p, module+"/online") && !under(p, module+"/online/awsonline"))
		},
		forbids: func(dep string) bool { return strings.HasPrefix(dep, "github.com/aws/") },
	},
	{
		name:      "library packages do not import the commands",
		appliesTo: func(p string) bool { return !under(p, module+"/cmd") },
		forbids:   func(dep string) bool { return under(dep, module+"/cmd") },
	},
	{
		name:      "library packages do not import cobra",
		appliesTo: func(p string) bool { return !under(p, module+"/cmd") },
		forbids:   func(dep string) bool { return under(dep, "github.com/spf13/cobra") },
	},
}

// violations lists each package of the module that breaks a rule, with
// the direct imports that bring the forbidden packages in. all holds every
// package go list reported, dependencies included, by import path.
func violations(all map[string]pkg, rules []rule) []string {
	var out []string
	for _, r := range rules {
		for _, path := range slices.Sorted(maps.Keys(all)) {
			p := all[path]
			if !under(path, module) || !r.appliesTo(path) || !slices.ContainsFunc(p.Deps, r.forbids) {
				continue
			}
			var via []string
			for _, imp := range p.Imports {
				if r.forbids(imp) || slices.ContainsFunc(all[imp].Deps, r.forbids) {
					via = append(via, imp)
				}
			}
			out = append(out, fmt.Sprintf("%s: %s imports %s", r.name, path, strings.Join(via, ", ")))
		}
	}
	return out
}

func TestImportRules(t *testing.T) {
	all := listPackages(t)
	// An empty or partial listing would pass every rule: make sure the
	// packages the rules are about are there.
	for _, want := range []string{"image", "registry", "taskdef", "verify", "online", "taskdef/ecsapi", "registry/ecr", "online/awsonline", "cmd/imgcheck"} {
		if _, ok := all[module+"/"+want]; !ok {
			t.Fatalf("go list did not report %s/%s", module, want)
		}
	}
	for _, v := range violations(all, rules) {
		t.Error(v)
	}
}

// listPackages runs go list over the whole module and its dependencies.
func listPackages(t *testing.T) map[string]pkg {
	t.Helper()
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	readSourceDirs(t, root)
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Imports,Deps", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	all := map[string]pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		all[p.ImportPath] = p
	}
	return all
}

// readSourceDirs reads every directory of the module in this process. go
// test caches a passing result until a file the test itself opened
// changes; the files go list reads do not count, so without this a new
// import would be answered from the cache.
func readSourceDirs(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir // as the go command ignores them
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the module's directories: %v", err)
	}
}

// TestRulesCatchViolations shows that each rule fires on a breaking
// dependency, direct or transitive, names the import that brings it in,
// and spares its exceptions.
func TestRulesCatchViolations(t *testing.T) {
	const (
		sdk   = "github.com/aws/aws-sdk-go-v2/aws"
		cobra = "github.com/spf13/cobra"
	)
	// deps are packages outside the module that the cases import.
	deps := []pkg{
		{ImportPath: sdk},
		{ImportPath: cobra},
		{ImportPath: module + "/registry/ecr", Imports: []string{sdk}, Deps: []string{sdk}},
		{ImportPath: module + "/cmd/imgcheck", Imports: []string{cobra}, Deps: []string{cobra}},
	}
	tests := []struct {
		name string
		pkg  pkg
		want []string
	}{
		{"image links the SDK through registry/ecr",
			pkg{module + "/image", []string{module + "/registry/ecr", "fmt"}, []string{module + "/registry/ecr", sdk, "fmt"}},
			[]string{"image, registry, taskdef, verify and online do not link the AWS SDK: " + module + "/image imports " + module + "/registry/ecr"}},
		{"a taskdef subpackage imports the SDK",
			pkg{module + "/taskdef/other", []string{sdk}, []string{sdk}},
			[]string{"image, registry, taskdef, verify and online do not link the AWS SDK: " + module + "/taskdef/other imports " + sdk}},
		{"verify imports cobra and the SDK",
			pkg{module + "/verify", []string{sdk, cobra}, []string{sdk, cobra}},
			[]string{"image, registry, taskdef, verify and online do not link the AWS SDK: " + module + "/verify imports " + sdk,
				"library packages do not import cobra: " + module + "/verify imports " + cobra}},
		{"a library imports cmd",
			pkg{module + "/build", []string{module + "/cmd/imgcheck"}, []string{module + "/cmd/imgcheck", cobra}},
			[]string{"library packages do not import the commands: " + module + "/build imports " + module + "/cmd/imgcheck",
				"library packages do not import cobra: " + module + "/build imports " + module + "/cmd/imgcheck"}},
		{"registry imports the SDK",
			pkg{module + "/registry", []string{sdk}, []string{sdk}},
			[]string{"image, registry, taskdef, verify and online do not link the AWS SDK: " + module + "/registry imports " + sdk}},
		{"the ECR keychain may link the SDK", pkg{module + "/registry/ecr", []string{sdk}, []string{sdk}}, nil},
		{"the ECS adapter may link the SDK", pkg{module + "/taskdef/ecsapi", []string{sdk}, []string{sdk}}, nil},
		{"the online adapter may link the SDK", pkg{module + "/online/awsonline", []string{sdk}, []string{sdk}}, nil},
		{"online links the SDK",
			pkg{module + "/online", []string{sdk}, []string{sdk}},
			[]string{"image, registry, taskdef, verify and online do not link the AWS SDK: " + module + "/online imports " + sdk}},
		{"build may link the SDK", pkg{module + "/build/ecrrepo", []string{sdk}, []string{sdk}}, nil},
		{"a prefix is not a parent", pkg{module + "/imagex", []string{sdk, module + "/cmdline"}, []string{sdk, module + "/cmdline"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := map[string]pkg{tt.pkg.ImportPath: tt.pkg}
			for _, d := range deps {
				all[d.ImportPath] = d
			}
			// The dependencies themselves break no rule here: registry/ecr
			// is an exception and cmd is not a library.
			if got := violations(all, rules); !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
