package taskdef

import (
	"fmt"
	"sort"
	"strings"
)

const (
	cfnTaskDefinitionType = "AWS::ECS::TaskDefinition"
	cfnServiceType        = "AWS::ECS::Service"
)

// cfnTemplate is the part of a CloudFormation template this package reads.
type cfnTemplate struct {
	resolver  *cfnResolver
	resources map[string]*node // logical id -> resource node
}

func readTemplate(root *node, opts LoadOptions) (*cfnTemplate, error) {
	res := root.getRaw("Resources")
	if res == nil || res.kind != kindMap {
		return nil, &Error{Pos: root.pos, Key: "Resources", Msg: "CloudFormation template has no Resources object"}
	}
	t := &cfnTemplate{
		resolver:  &cfnResolver{params: opts.Params, paramDefs: map[string]*node{}, resources: map[string]string{}},
		resources: map[string]*node{},
	}
	t.resolver.conditions = root.getRaw("Conditions")
	t.resolver.mappings = root.getRaw("Mappings")
	if params := root.getRaw("Parameters"); params != nil && params.kind == kindMap {
		for i, k := range params.keys {
			t.resolver.paramDefs[k.str] = params.vals[i]
		}
	}
	for i, k := range res.keys {
		r := res.vals[i]
		typ := r.getRaw("Type")
		if r.kind != kindMap || typ == nil || typ.kind != kindString {
			return nil, &Error{Pos: r.pos, Key: "Resources." + k.str, Msg: "resource has no Type"}
		}
		t.resources[k.str] = r
		t.resolver.resources[k.str] = typ.str
	}
	return t, nil
}

// pick chooses the resource of the given type: the one named by want, else
// the only one.
func (t *cfnTemplate) pick(file, typ, want string) (string, error) {
	var ids []string
	for id, r := range t.resources {
		if r.getRaw("Type").str == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	if want != "" {
		r, ok := t.resources[want]
		if !ok {
			return "", fmt.Errorf("%s: no resource %q in the template%s (%s resources: %s)", file, want, didYouMean(want, ids), typ, listOrNone(ids))
		}
		if got := r.getRaw("Type").str; got != typ {
			return "", fmt.Errorf("%s: resource %q is %s, not %s (%s resources: %s)", file, want, got, typ, typ, listOrNone(ids))
		}
		return want, nil
	}
	switch len(ids) {
	case 0:
		return "", fmt.Errorf("%s: the template has no %s resource", file, typ)
	case 1:
		return ids[0], nil
	}
	return "", fmt.Errorf("%s: the template has %d %s resources (%s); %w", file, len(ids), typ, strings.Join(ids, ", "), ErrAmbiguous)
}

func listOrNone(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}

// properties returns the resolved Properties of a resource.
func (t *cfnTemplate) properties(id string) *node {
	r := t.resources[id]
	props := r.getRaw("Properties")
	if props == nil {
		return &node{kind: kindMap, pos: r.pos}
	}
	out, _ := t.resolver.resolve(props)
	if out == nil {
		return &node{kind: kindMap, pos: r.pos}
	}
	return out
}

// cfnTask reads one AWS::ECS::TaskDefinition resource.
func cfnTask(doc *document, t *cfnTemplate, id string) (*TaskDefinition, error) {
	props := t.properties(id)
	set := schemasOnce()
	chk := &checker{cfn: true}
	chk.check(props, set.register, "Resources."+id+".Properties")
	if len(chk.errs) > 0 {
		return nil, chk.errs
	}
	r := &taskReader{chk: chk, readOnly: set.readOnly}
	td := r.task(props, ShapeCloudFormation)
	if len(chk.errs) > 0 {
		return nil, chk.errs
	}
	td.Source = Source{File: doc.file, Shape: ShapeCloudFormation, Format: doc.format, Resource: id}
	td.Warnings = chk.warns
	td.doc = doc
	doc.task = props
	return td, nil
}

// cfnService reads one AWS::ECS::Service resource and, when its
// TaskDefinition refers to a task definition in the same template, that too.
func cfnService(doc *document, t *cfnTemplate, id string) (*Service, error) {
	props := t.properties(id)
	set := schemasOnce()
	chk := &checker{cfn: true}
	chk.check(props, set.cfnService, "Resources."+id+".Properties")
	if len(chk.errs) > 0 {
		return nil, chk.errs
	}
	svc := serviceOf(props)
	svc.Source = Source{File: doc.file, Shape: ShapeCloudFormation, Format: doc.format, Resource: id}
	svc.Warnings = chk.warns
	for i := range svc.LoadBalancers {
		lb := &svc.LoadBalancers[i]
		if lb.TargetGroup = cfnTargetGroup(t, lb.TargetGroupResource); lb.TargetGroup == nil {
			lb.TargetGroupResource = ""
		}
	}
	if svc.ClusterDefault = cfnClusterDefault(t, svc.ClusterResource); svc.ClusterDefault == nil {
		svc.ClusterResource = ""
	}
	if ref := svc.TaskDefinitionResource; ref != "" {
		if r, ok := t.resources[ref]; ok && r.getRaw("Type").str == cfnTaskDefinitionType {
			td, err := cfnTask(doc, t, ref)
			if err != nil {
				return nil, fmt.Errorf("reading task definition %s of service %s: %w", ref, id, err)
			}
			svc.Task = td
		} else {
			svc.TaskDefinitionResource = ""
		}
	}
	return svc, nil
}
