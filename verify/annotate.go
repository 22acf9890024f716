package verify

// annotate completes the findings of one input: each names the image it
// judged (image, "" for task-level findings), points into the input file
// where it has no position yet, and carries the suppression that covers
// it, if any. Code scanning rejects a SARIF result without a location, and
// a reviewer wants the line to change.
func annotate(fs []Finding, in Input, image string, ignore []string) []Finding {
	for i := range fs {
		f := &fs[i]
		if f.Image == "" {
			f.Image = image
		}
		if f.Location == nil || f.Location.File == "" {
			f.Location = defaultLocation(*f, in)
		}
		if f.Suppressed == nil {
			f.Suppressed = suppressionFor(*f, in, ignore)
		}
	}
	return fs
}

// defaultLocation is the line a finding is about: runtimePlatform for a
// platform finding of a task that sets it, else the container's image; the
// service for a service finding; the family for the rest of the task. In
// image-only mode there is no file (renderers name the image instead).
func defaultLocation(f Finding, in Input) *Location {
	if f.Family() == FamilyService && in.Service != nil {
		return firstLocation(loc(in.Service.Name.Pos), fileLocation(in.Service.Source.File))
	}
	td := in.TaskDef
	if td == nil {
		return nil
	}
	if f.Family() == FamilyPlatform && td.RuntimePlatform.Set {
		if l := loc(td.RuntimePlatform.Pos); l != nil {
			return l
		}
	}
	if c, ok := containerNamed(td, f.Container); ok && f.Container != "" {
		if l := firstLocation(loc(c.Image.Pos), loc(c.Name.Pos), loc(c.Pos)); l != nil {
			return l
		}
	}
	return firstLocation(loc(td.Family.Pos), fileLocation(td.Source.File))
}

// firstLocation returns the first location with a file.
func firstLocation(ls ...*Location) *Location {
	for _, l := range ls {
		if l != nil && l.File != "" {
			return l
		}
	}
	return nil
}

func fileLocation(file string) *Location {
	if file == "" {
		return nil
	}
	return &Location{File: file}
}
