package taskdef

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// A directory (or an ecspresso configuration) can hold a service definition
// next to the task definition it deploys: ecspresso keeps
// ecs-service-def.json beside ecs-task-def.json. Open pairs them so that the
// service's rules run against the right task definition, as if the service
// had been given on its own.

// ecspressoConfig is what Open reads of an ecspresso configuration
// (ecspresso.yml): the files it names, resolved against its directory.
type ecspressoConfig struct {
	file              string
	service           String // the service name
	taskDefinition    string // path, "" when not named
	serviceDefinition string // path, "" when not named
}

func ecspressoConfigOf(doc *document) (ecspressoConfig, error) {
	cfg := ecspressoConfig{file: doc.file, service: stringOf(doc.root.getRaw("service"))}
	path := func(key string) (string, error) {
		n := doc.root.getRaw(key)
		if n.isNull() || n.kind == kindString && n.str == "" {
			return "", nil
		}
		s := stringOf(n)
		if n.kind != kindString {
			return "", &Error{Pos: n.pos, Key: key, Msg: "want a file name"}
		}
		if s.Unresolved != "" {
			return "", &Error{Pos: n.pos, Key: key, Msg: "the file name is not known (" + s.Unresolved + ")"}
		}
		switch strings.ToLower(filepath.Ext(s.Value)) {
		case ".jsonnet", ".libsonnet":
			return "", &Error{Pos: n.pos, Key: key, Msg: "Jsonnet is not read; render it to JSON first (ecspresso render)"}
		}
		if filepath.IsAbs(s.Value) {
			return s.Value, nil
		}
		return filepath.Join(filepath.Dir(doc.file), s.Value), nil
	}
	var err error
	if cfg.taskDefinition, err = path("task_definition"); err != nil {
		return cfg, err
	}
	if cfg.serviceDefinition, err = path("service_definition"); err != nil {
		return cfg, err
	}
	if cfg.taskDefinition == "" {
		return cfg, &Error{Pos: doc.root.pos, Msg: "the ecspresso configuration names no task_definition"}
	}
	return cfg, nil
}

// loaded is one file of a directory, read as a task definition, a service
// definition or an ecspresso configuration.
type loaded struct {
	td     *TaskDefinition
	svc    *Service
	config *ecspressoConfig
}

func loadAny(ctx context.Context, path string, opts LoadOptions) (loaded, error) {
	data, err := readBounded(ctx, path, opts.maxBytes())
	if err != nil {
		return loaded{}, err
	}
	doc, err := parseDocument(path, data, opts)
	if err != nil {
		return loaded{}, err
	}
	switch doc.shape {
	case ShapeEcspresso:
		cfg, err := ecspressoConfigOf(doc)
		return loaded{config: &cfg}, err
	case ShapeCreateService, ShapeDescribeServices:
		svc, err := serviceOfDocument(doc, opts)
		return loaded{svc: svc}, err
	}
	td, err := taskOf(doc, opts)
	return loaded{td: td}, err
}

// openEcspresso reads the task definition an ecspresso configuration names,
// paired with its service definition when it names one.
func openEcspresso(ctx context.Context, cfg ecspressoConfig, opts LoadOptions) (*TaskDefinition, error) {
	tds, _, err := pairEcspresso(ctx, cfg, nil, nil, opts)
	if err != nil {
		return nil, err
	}
	return tds[0], nil
}

// pairEcspresso pairs the task and service definitions an ecspresso
// configuration names, taking them from tds and svcs (what a directory
// holds) or reading them. It returns the task definitions, with the
// configuration's added if it was read, and the services still to pair.
func pairEcspresso(ctx context.Context, cfg ecspressoConfig, tds []*TaskDefinition, svcs []*Service, opts LoadOptions) ([]*TaskDefinition, []*Service, error) {
	var td *TaskDefinition
	if i := slices.IndexFunc(tds, func(td *TaskDefinition) bool { return td.Source.File == cfg.taskDefinition }); i >= 0 {
		td = tds[i]
	} else {
		var err error
		if td, err = Load(ctx, cfg.taskDefinition, opts); err != nil {
			return nil, nil, fmt.Errorf("task_definition of %s: %w", cfg.file, err)
		}
		tds = append(tds, td)
	}
	if cfg.serviceDefinition == "" {
		return tds, svcs, nil
	}
	var svc *Service
	if j := slices.IndexFunc(svcs, func(s *Service) bool { return s.Source.File == cfg.serviceDefinition }); j >= 0 {
		svc = svcs[j]
		svcs = slices.Delete(svcs, j, j+1)
	} else {
		var err error
		if svc, err = LoadService(ctx, cfg.serviceDefinition, opts); err != nil {
			return nil, nil, fmt.Errorf("service_definition of %s: %w", cfg.file, err)
		}
	}
	if td.Service != nil {
		return nil, nil, fmt.Errorf("%s: %s is already paired with service %s", cfg.file, td.Source.File, td.Service.Source.File)
	}
	if !svc.Name.Set && cfg.service.Known() {
		svc.Name = cfg.service // ecspresso keeps the name in its configuration
	}
	pair(td, svc)
	return tds, svcs, nil
}

func pair(td *TaskDefinition, svc *Service) {
	td.Service, svc.Task = svc, td
}

// pairServices gives each service its task definition: the one its
// ecspresso configuration names, else the one of the family its
// taskDefinition names, else (ecspresso leaves taskDefinition out) the only
// task definition there is. Anything else is an error: a service checked
// against the wrong task definition would judge the wrong deployment.
func pairServices(dir string, tds []*TaskDefinition, svcs []*Service) error {
	for _, svc := range svcs {
		td, err := taskForService(dir, tds, svc)
		if err != nil {
			return err
		}
		if td.Service != nil {
			return fmt.Errorf("task definition directory %s: services %s and %s both deploy %s; a directory pairs one service with one task definition",
				dir, td.Service.Source.File, svc.Source.File, td.Source.File)
		}
		pair(td, svc)
	}
	return nil
}

func taskForService(dir string, tds []*TaskDefinition, svc *Service) (*TaskDefinition, error) {
	ref := svc.TaskDefinition
	if !ref.Known() {
		if len(tds) == 1 {
			return tds[0], nil
		}
		return nil, fmt.Errorf("%s: the service names no task definition (taskDefinition) and directory %s holds %d; %w",
			svc.Source.File, dir, len(tds), ErrAmbiguous)
	}
	family := FamilyOf(ref.Value)
	var match []*TaskDefinition
	for _, td := range tds {
		if td.Family.Known() && td.Family.Value == family {
			match = append(match, td)
		}
	}
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		return nil, fmt.Errorf("%s: the service deploys task definition family %q (taskDefinition at %s); directory %s holds no task definition of that family (families: %s)",
			svc.Source.File, family, ref.Pos, dir, listOrNone(families(tds)))
	}
	var files []string
	for _, td := range match {
		files = append(files, td.Source.File)
	}
	return nil, fmt.Errorf("%s: the service deploys task definition family %q and directory %s holds %d of it (%s); %w",
		svc.Source.File, family, dir, len(match), strings.Join(files, ", "), ErrAmbiguous)
}

// FamilyOf returns the family of a task definition reference: an ARN
// (arn:...:task-definition/family:revision), family:revision or family.
func FamilyOf(ref string) string {
	if i := strings.LastIndex(ref, ":task-definition/"); i >= 0 {
		ref = ref[i+len(":task-definition/"):]
	}
	family, _, _ := strings.Cut(ref, ":")
	return family
}

func families(tds []*TaskDefinition) []string {
	var out []string
	for _, td := range tds {
		if td.Family.Known() && !slices.Contains(out, td.Family.Value) {
			out = append(out, td.Family.Value)
		}
	}
	return out
}
